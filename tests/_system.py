"""Skip a test when a system tool is missing, except in CI where the tool must be there."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def skip_or_fail(reason: str) -> NoReturn:
    """``pytest.skip`` locally; ``pytest.fail`` when ``CLEANFREIGHT_REQUIRE_SYSTEM_DEPS`` is set (CI)."""
    if os.environ.get("CLEANFREIGHT_REQUIRE_SYSTEM_DEPS"):
        pytest.fail(f"{reason} — required in CI")
    pytest.skip(reason)
