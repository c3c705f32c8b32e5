"""Planner fixtures: a tiny hand-checkable instance, a small synthetic one and the sample, built once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from cleanfreight.planning import PlanProblem, Scenario, build_problem, problem_from_frames, synthetic_problem
from cleanfreight.planning._distances import RoadDistances

SPEED = 50.0  # km/h on every road leg of the tiny instance


def tiny_frames() -> dict[str, Any]:
    """Two enterprises, two stations, two regions; distances given exactly (see test_solve for the hand solution).

    - E1: coal in from R_in (1,000,000 t, 100 km by road), coke out to R_out (500,000 t, out of province:
      rail only); station S1 at 10 km, S2 at 50 km (beyond the 40 km short-haul limit).
    - E2: limestone in from R_in (400,000 t, 80 km); S1 at 20 km, S2 at 35 km.
    """
    enterprises = pd.DataFrame(
        {
            "enterprise_id": ["E1", "E2"],
            "name_zh": ["甲", "乙"],
            "name_en": ["A", "B"],
            "lon": [113.10, 113.20],
            "lat": [36.20, 36.30],
        }
    )
    flows = pd.DataFrame(
        {
            "flow_id": ["E1-F1", "E1-F2", "E2-F1"],
            "enterprise_id": ["E1", "E1", "E2"],
            "commodity": ["coal", "coke", "limestone"],
            "direction": ["in", "out", "in"],
            "tonnes_per_year": [1_000_000.0, 500_000.0, 400_000.0],
            "region_id": ["R_in", "R_out", "R_in"],
            "road_km": [np.nan] * 3,
            "rail_km": [np.nan] * 3,
            "station_id": [None] * 3,
        }
    )
    splits = pd.DataFrame(
        {
            "flow_id": ["E1-F1", "E1-F2", "E2-F1", "E2-F1"],
            "mode": ["truck_cn6", "rail_station_diesel", "truck_cn5", "truck_ne"],
            "share_pct": [100.0, 100.0, 50.0, 50.0],
        }
    )
    regions = pd.DataFrame(
        {
            "region_id": ["R_in", "R_out"],
            "lon": [113.0, 114.5],
            "lat": [36.5, 36.0],
            "in_province": [True, False],
            "road_km_beyond": [0.0, 0.0],
            "rail_km": [300.0, 600.0],
        }
    )
    stations = pd.DataFrame(
        {
            "station_id": ["S1", "S2"],
            "lon": [113.11, 113.30],
            "lat": [36.21, 36.35],
            "handling_capacity_t_per_year": [1_000_000.0, 500_000.0],
            "loading_hours": ["00:00-24:00", "06:00-22:00"],
            "handling_cost_cny_per_t": [5.0, 5.0],
            "transfer_time_h": [2.0, 2.0],
        }
    )
    skm = np.array([[10.0, 50.0], [20.0, 35.0]])
    rkm = np.array([[100.0, 200.0], [80.0, 250.0]])
    distances = RoadDistances(skm, skm / SPEED, rkm, rkm / SPEED, method="given")
    return {
        "enterprises": enterprises,
        "flows": flows,
        "splits": splits,
        "regions": regions,
        "stations": stations,
        "distances": distances,
    }


#: every policy rule of the city preset switched off: only the 80 % floor binds (the planner before the rules)
RULES_OFF: dict[str, Any] = {"no_backsliding": False, "rail_no_decrease": False, "beyond_short_haul": "clean"}


def make_tiny(
    scenario: Scenario | None = None,
    spurs: pd.DataFrame | None = None,
    edit: Callable[[dict[str, Any]], None] | None = None,
    *,
    lines: pd.DataFrame | None = None,
    zones: pd.DataFrame | None = None,
    sections: pd.DataFrame | None = None,
) -> PlanProblem:
    f = tiny_frames()
    if edit is not None:
        edit(f)
    return problem_from_frames(
        f["enterprises"],
        f["flows"],
        f["splits"],
        f["regions"],
        f["stations"],
        spurs,
        None,
        scenario=scenario,
        distances=f["distances"],
        lines=lines,
        zones=zones,
        sections=sections,
        name="tiny",
    )


@pytest.fixture(scope="session")
def tiny() -> PlanProblem:
    return make_tiny()


@pytest.fixture(scope="session")
def small_synthetic() -> PlanProblem:
    return synthetic_problem(25, 5, seed=3)


@pytest.fixture(scope="session")
def sample() -> PlanProblem:
    """The Changzhi sample on great-circle distances (fast, no road graph)."""
    return build_problem(use_road_network=False)
