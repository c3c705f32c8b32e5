"""Tiny dispatch inputs built once per session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"


class LineMatrix:
    """Places on a straight road: km = |x_i - x_j|, at ``speed`` km/h."""

    def __init__(self, xs: list[float], speed: float = 50.0) -> None:
        x = np.asarray(xs, dtype=float)
        self.distance_km = np.abs(x[:, None] - x[None, :])
        self.time_h = self.distance_km / speed


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def tiny_cvrp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """5 clients with hand-computed nint distances (one exactly x.5 to check rounding up)."""
    path = tmp_path_factory.mktemp("vrp") / "tiny.vrp"
    path.write_text(
        "NAME : tiny\nTYPE : CVRP\nDIMENSION : 6\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : 7\n"
        "NODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\n4 1 1\n5 2 1\n6 0.5 0\n"
        "DEMAND_SECTION\n1 0\n2 3\n3 4\n4 2\n5 3\n6 1\nDEPOT_SECTION\n1\n-1\nEOF\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session")
def tiny_solomon(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 clients; distances truncated to one decimal: d(0,1)=1.4, d(1,2)=2.0, d(0,2)=3.1, d(0,3)=3.0."""
    path = tmp_path_factory.mktemp("vrp") / "tiny_tw.txt"
    rows = [
        (0, 0, 0, 0, 0, 100, 0),
        (1, 1, 1, 5, 0, 3, 2),
        (2, 3, 1, 4, 5, 20, 2),
        (3, 0, 3, 3, 0, 50, 0),
    ]
    lines = [
        "TINYTW",
        "",
        "VEHICLE",
        "NUMBER     CAPACITY",
        "  2         10",
        "",
        "CUSTOMER",
        "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME",
        "",
    ]
    lines += ["".join(f"{v:>10}" for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_scenario_path() -> Path:
    from cleanfreight._paths import sample_dir

    return sample_dir() / "scenarios" / "dispatch_sample.toml"


@pytest.fixture(scope="session")
def sample_scenario(sample_scenario_path: Path):  # type: ignore[no-untyped-def]
    from cleanfreight.dispatch import load_scenario

    return load_scenario(sample_scenario_path).with_solver(solution_limit=60, time_limit_s=60)


@pytest.fixture(scope="session")
def sample_result(sample_scenario):  # type: ignore[no-untyped-def]
    """The sample day on great-circle distances (the scenario's roads are tested in test_roads_default)."""
    import dataclasses

    from cleanfreight.dispatch import solve_dispatch

    return solve_dispatch(dataclasses.replace(sample_scenario, roads=None))
