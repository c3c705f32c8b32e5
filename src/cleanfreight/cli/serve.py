"""`cleanfreight serve` (the bureau's platform) and `cleanfreight users` (its accounts)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cleanfreight.cli._common import JsonOption, handle_errors, out, print_json

DbOption = Annotated[Path, typer.Option("--db", help="The ledger DuckDB file the platform serves (created if missing).")]


def register(app: typer.Typer) -> None:
    @app.command("serve")
    @handle_errors
    def serve_cmd(
        db: DbOption,
        host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
        rules: Annotated[str, typer.Option("--rules", help="Rulebook preset or TOML file for reports.")] = "changzhi-2024",
        roster: Annotated[
            str | None, typer.Option("--roster", help="Roster folder for enterprise names, or 'sample'.")
        ] = "sample",
        heartbeat_offline: Annotated[
            int, typer.Option("--offline-after", help="Seconds without heartbeat before a gate shows offline.")
        ] = 1800,
        lang: Annotated[str, typer.Option("--lang", help="Default language of the pages: zh or en.")] = "zh",
    ) -> None:
        """Run the bureau's platform: gate feed API (/api/v1), uploads and the dashboard in the browser."""
        from cleanfreight.server import ServerSettings, serve

        settings = ServerSettings(db=db, host=host, port=port, rules=rules, roster=roster,
                                  heartbeat_offline_s=heartbeat_offline, lang=lang)
        serve(settings)

    users = typer.Typer(help="Accounts of the platform (bureau, enterprise, device).", no_args_is_help=True)
    app.add_typer(users, name="users")

    @users.command("add")
    @handle_errors
    def add_cmd(
        name: Annotated[str, typer.Argument(help="User name (letters, digits, _ . @ -).")],
        db: DbOption,
        role: Annotated[str, typer.Option("--role", help="bureau, enterprise or device.")],
        enterprise: Annotated[
            str | None, typer.Option("--enterprise", help="Enterprise id (enterprise and device accounts).")
        ] = None,
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
        ] = False,
        as_json: JsonOption = False,
    ) -> None:
        """Create an account, or reset an existing account's password, role and enterprise."""
        from cleanfreight.errors import InputError
        from cleanfreight.server import add_user

        if not password_stdin:
            raise InputError("give the password on stdin with --password-stdin (never on the command line)")
        password = sys.stdin.readline().rstrip("\r\n")
        user = add_user(db, name, password, role, enterprise)
        if as_json:
            print_json({"name": user.name, "role": user.role, "enterprise_id": user.enterprise_id})
            return
        out.print(f"account {user.name} ({user.role}{' ' + user.enterprise_id if user.enterprise_id else ''}) saved")
