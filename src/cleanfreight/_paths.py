"""Where the bundled sample data and package presets live.

The Changzhi sample pack lives in ``data/`` at the top of a checkout; wheels carry the same files
as ``cleanfreight/_sample`` (see ``[tool.hatch.build.targets.wheel.force-include]``). Both layouts
are found here so the sample works from a checkout, an editable install and a wheel.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from cleanfreight.errors import InputError

_PKG = Path(__file__).resolve().parent


@cache
def sample_dir() -> Path:
    """Return the folder holding the sample data pack (``network/``, ``enterprises/``)."""
    for candidate in (_PKG / "_sample", _PKG.parent.parent / "data"):
        if (candidate / "enterprises").is_dir():
            return candidate
    raise InputError(
        "the Changzhi sample data pack was not found; reinstall cleanfreight "
        f"(looked in {_PKG / '_sample'} and {_PKG.parent.parent / 'data'})"
    )


def sample_file(*parts: str) -> Path:
    """Return the path of one file of the sample pack, e.g. ``sample_file("network", "stations.csv")``."""
    path = sample_dir().joinpath(*parts)
    if not path.exists():
        raise InputError(f"sample file {'/'.join(parts)} is missing from {sample_dir()}")
    return path


def preset_dir() -> Path:
    """Folder of the presets shipped inside the package (rulebooks, factors)."""
    return _PKG / "accounting" / "presets"


def cache_dir() -> Path:
    """Folder for built networks and matrices (``$CLEANFREIGHT_CACHE`` or ``~/.cache/cleanfreight``)."""
    import os

    root = os.environ.get("CLEANFREIGHT_CACHE")
    path = Path(root) if root else Path.home() / ".cache" / "cleanfreight"
    path.mkdir(parents=True, exist_ok=True)
    return path
