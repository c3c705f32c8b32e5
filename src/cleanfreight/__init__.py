"""cleanfreight: plan and monitor clean bulk-freight transport.

Long-haul rail + new-energy short-haul (长距离铁路+新能源短驳) for bulk-freight enterprises, with the
Changzhi (长治) sample data pack. See the README for the command line.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from cleanfreight.errors import CleanfreightError, InputError, NetworkError, Problem, SolverError

try:
    __version__ = version("cleanfreight")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "CleanfreightError",
    "InputError",
    "NetworkError",
    "Problem",
    "SolverError",
    "__version__",
]
