"""The shipped sample scenario: a full day, validity of every route, reproducibility, outputs."""

from __future__ import annotations

import json
from pathlib import Path

from cleanfreight.dispatch import parse_clock, solve_dispatch


def test_sample_bad_loads_and_the_rest_planned(sample_result) -> None:  # type: ignore[no-untyped-def]
    reasons = dict(zip(sample_result.unserved["lot_id"], sample_result.unserved["reason"], strict=True))
    assert reasons == {
        "BAD-HEAVY": "too_heavy",
        "BAD-WINDOW": "time_window",
        "BAD-GATE": "time_window",
        "BAD-RANGE": "out_of_range",
        "BAD-ID": "unknown_site",
    }
    s = sample_result.summary
    assert s["lots"] == 44 and s["lots_served"] == 39 and s["lots_unserved"] == 5
    assert s["tonnes_moved"] == 8 * 31 + 6 * 31 + 6 * 30 + 4 * 30 + 6 * 31 + 4 * 30 + 3 * 28 + 2 * 20
    assert not sample_result.energy_warnings


def test_sample_routes_are_valid(sample_scenario, sample_result) -> None:  # type: ignore[no-untyped-def]
    tl = sample_result.timeline
    served = [lot for lots in sample_result.routes_by_truck.values() for lot in lots]
    assert len(served) == len(set(served)) == 39  # every lot at most once
    payload = {
        f"{tt.id}-{k:02d}": tt.payload_t for tt in sample_scenario.truck_types for k in range(1, tt.count + 1)
    }
    loads = {ld.id: ld for ld in sample_scenario.loads}
    sites = {s.id: s for s in sample_scenario.sites}
    new_energy = {
        f"{tt.id}-{k:02d}": tt.spec.new_energy
        for tt in sample_scenario.truck_types
        for k in range(1, tt.count + 1)
    }
    for row in tl.itertuples(index=False):
        assert row.onboard_t <= payload[row.truck_id] + 1e-9
        assert row.soc_arrive_pct >= 10.0 - 1e-6
        if row.kind in ("pickup", "delivery"):
            load = loads[row.load_id]
            site = sites[row.place_id]
            start = parse_clock(row.start)
            window = load.pickup_window if row.kind == "pickup" else load.delivery_window
            for w in (window, site.hours):
                if w is not None:
                    assert w[0] <= start <= w[1], (row.lot_id, row.kind, row.start, w)
            if load.new_energy_only:
                assert new_energy[row.truck_id]
    # each lot picked up before it is delivered, by the same truck
    for lot, grp in tl[tl["lot_id"] != ""].groupby("lot_id"):
        assert grp["kind"].tolist() == ["pickup", "delivery"], lot
        assert grp["truck_id"].nunique() == 1
    # shift length respected
    for t in sample_result.trucks.itertuples(index=False):
        assert t.shift_h <= 12.0 + 1e-9
        assert abs(t.km_total - t.km_loaded - t.km_empty) < 0.05


def test_same_seed_same_plan(sample_scenario, sample_result) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    again = solve_dispatch(dataclasses.replace(sample_scenario, roads=None))
    assert again.routes_by_truck == sample_result.routes_by_truck
    assert again.timeline.equals(sample_result.timeline)


def test_outputs_written(sample_result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = sample_result.write(tmp_path, lang="zh")
    assert {f.name for f in files} == {
        "trucks.csv",
        "timeline.csv",
        "unserved.csv",
        "places.csv",
        "routes.geojson",
        "dispatch.json",
    }
    geo = json.loads((tmp_path / "routes.geojson").read_text(encoding="utf-8"))
    lines = [f for f in geo["features"] if f["geometry"]["type"] == "LineString"]
    assert len(lines) == len(sample_result.trucks)
    first = sample_result.trucks.iloc[0]["truck_id"]
    stops = sample_result.timeline[sample_result.timeline["truck_id"] == first]
    line = next(f for f in lines if f["properties"]["truck_id"] == first)
    assert len(line["geometry"]["coordinates"]) == len(stops)  # straight lines through the stops
    header = (tmp_path / "trucks.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "换电次数" in header and "重载里程(公里)" in header
    unserved = (tmp_path / "unserved.csv").read_text(encoding="utf-8-sig")
    assert "超过所有车辆载重" in unserved
    payload = json.loads((tmp_path / "dispatch.json").read_text(encoding="utf-8"))
    assert payload["summary"]["lots_served"] == 39


def test_road_geometry_used_when_given(sample_scenario) -> None:  # type: ignore[no-untyped-def]
    calls: list[tuple[int, int]] = []

    def path(i: int, j: int) -> list[tuple[float, float]]:
        calls.append((i, j))
        a, b = sample_scenario.lonlat()[i], sample_scenario.lonlat()[j]
        return [a, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2), b]

    small = sample_scenario.with_solver(solution_limit=5)
    res = solve_dispatch(small, path_lonlat=path)
    line = next(f for f in res.geojson["features"] if f["geometry"]["type"] == "LineString")
    assert line["properties"]["along_roads"] is True
    assert calls
    n_stops = (res.timeline["truck_id"] == line["properties"]["truck_id"]).sum()
    assert len(line["geometry"]["coordinates"]) == 2 * n_stops - 1


def test_no_idle_energy_stops(sample_result) -> None:  # type: ignore[no-untyped-def]
    """No chain of stops at one station, and no swap a route could drop (issue 11: 25 swaps at 98 %)."""
    tl = sample_result.timeline
    for _, grp in tl.groupby("truck_id"):
        kinds, places = grp["kind"].tolist(), grp["place_id"].tolist()
        for a in range(1, len(kinds)):
            energy = kinds[a] in ("swap", "charge") and kinds[a - 1] in ("swap", "charge")
            assert not (energy and places[a] == places[a - 1])
    swaps = tl[tl["kind"] == "swap"]
    assert sample_result.summary["swaps"] <= 6
    assert (swaps["soc_arrive_pct"] < 90).all()
