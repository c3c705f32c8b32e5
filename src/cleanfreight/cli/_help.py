"""The help of the command line in the user's language: ``--lang zh`` anywhere on the command line (read
before the help is printed), else ``CLEANFREIGHT_LANG=zh``; English otherwise.

The tool's root group (:class:`LocalizedGroup`) reads the language from the arguments before click
parses them, and hands out every command with its description and option help from the table in
:mod:`._help_zh` (texts missing there stay in English).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from typer.core import TyperGroup

__all__ = ["LocalizedGroup", "help_lang"]

_META_KEY = "cleanfreight.help_lang"


def help_lang(args: Sequence[str] = ()) -> str:
    """``zh`` when the arguments say ``--lang zh`` (or ``--lang=zh``) or ``CLEANFREIGHT_LANG`` is ``zh``."""
    for k, arg in enumerate(args):
        if arg == "--lang" and k + 1 < len(args):
            return "zh" if args[k + 1] == "zh" else "en"
        if arg.startswith("--lang="):
            return "zh" if arg.split("=", 1)[1] == "zh" else "en"
    return "zh" if os.environ.get("CLEANFREIGHT_LANG", "").strip().lower() == "zh" else "en"


def _translate(cmd: Any, path: str, ctx: Any) -> None:
    """``cmd`` (and every command under it) with its help in Chinese, where the table has it.

    ``ctx`` (the root's context) makes the commands' ``--help`` options, so that theirs are translated too.
    """
    from cleanfreight.cli._help_zh import COMMANDS, OPTIONS

    if getattr(cmd, "_cleanfreight_zh", False):
        return
    if path in COMMANDS:
        cmd.help = COMMANDS[path]
        cmd.short_help = None
    for param in [*getattr(cmd, "params", []), cmd.get_help_option(ctx)]:
        text = getattr(param, "help", None)
        if text and text in OPTIONS:
            param.help = OPTIONS[text]
    cmd._cleanfreight_zh = True
    for name, sub in getattr(cmd, "commands", {}).items():
        _translate(sub, f"{path} {name}".strip(), ctx)


class LocalizedGroup(TyperGroup):
    """The root group: its commands' help in the language of :func:`help_lang`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta[_META_KEY] = help_lang(args)
        return super().parse_args(ctx, args)  # type: ignore[no-any-return]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None and ctx.meta.get(_META_KEY, help_lang()) == "zh":
            _translate(cmd, cmd_name, ctx)
        return cmd

    def format_help(self, ctx: Any, formatter: Any) -> None:
        if ctx.meta.get(_META_KEY, help_lang()) == "zh":
            _translate_root(self, ctx)
        super().format_help(ctx, formatter)


def _translate_root(group: Any, ctx: Any) -> None:
    from cleanfreight.cli._help_zh import COMMANDS, OPTIONS

    group.help = COMMANDS[""]
    for param in group.get_params(ctx):
        if getattr(param, "help", None) in OPTIONS:
            param.help = OPTIONS[param.help]
