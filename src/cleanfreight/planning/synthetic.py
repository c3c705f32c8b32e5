"""Seeded synthetic planning instances of any size (benchmarks and tests).

Enterprises are scattered around freight stations over a Shanxi-sized box; each has one to four
flows of several commodities to or from a dozen regions (some outside the province), a current mode
split, and a few have an existing or a planned spur. Stations and regions lie on a few rail mainlines
that meet at the first station, each with a capacity, and a truck restriction zone surrounds the first
station. Same seed, same instance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from shapely.geometry import box

from cleanfreight.planning._distances import haversine_km
from cleanfreight.planning.problem import PlanProblem, problem_from_frames
from cleanfreight.planning.scenario import Scenario

__all__ = ["synthetic_problem"]

_COMMODITIES = ("coal", "coke", "iron_ore", "steel", "limestone", "cement", "slag", "chemicals")
_MODES = ("rail_spur", "rail_station_ne", "rail_station_diesel", "truck_ne", "truck_cn6", "truck_cn5")


def synthetic_problem(
    n_enterprises: int = 100,
    n_stations: int = 10,
    *,
    n_regions: int = 12,
    seed: int = 0,
    scenario: Scenario | None = None,
    bbox: tuple[float, float, float, float] = (110.5, 34.8, 114.3, 40.5),
    line_headroom: float = 1.0,
) -> PlanProblem:
    """A random but reproducible :class:`PlanProblem` (great-circle distances x 1.3).

    Parameters
    ----------
    n_enterprises, n_stations, n_regions
        Sizes. Stations get capacities that make some of them bind.
    seed
        Seed of every random choice.
    scenario
        Overrides applied as for the sample.
    bbox
        ``(lon_min, lat_min, lon_max, lat_max)`` of the area.
    line_headroom
        A rail line's capacity is 1.2 x every rail-only tonne plus this share of all tonnes to the regions
        on the line: 1 rarely binds, 0.25 makes most lines bind (a much harder model).
    """
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = bbox
    st_lon = rng.uniform(x0, x1, n_stations)
    st_lat = rng.uniform(y0, y1, n_stations)
    stations = pd.DataFrame(
        {
            "station_id": [f"S{i:04d}" for i in range(n_stations)],
            "name_zh": [f"站{i}" for i in range(n_stations)],
            "name_en": [f"Station {i}" for i in range(n_stations)],
            "lon": st_lon,
            "lat": st_lat,
            "handling_capacity_t_per_year": rng.choice([2e6, 5e6, 1e7, 2e7], n_stations),
            "loading_hours_per_day": rng.choice([16.0, 20.0, 24.0], n_stations),
            "handling_cost_cny_per_t": rng.uniform(4.0, 9.0, n_stations).round(2),
            "transfer_time_h": rng.uniform(1.0, 4.0, n_stations).round(1),
        }
    )
    home = rng.integers(0, n_stations, n_enterprises)
    offset_km = rng.gamma(2.0, 8.0, n_enterprises)  # most within 30 km, a tail beyond
    ang = rng.uniform(0, 2 * np.pi, n_enterprises)
    lat = st_lat[home] + offset_km * np.sin(ang) / 111.0
    lon = st_lon[home] + offset_km * np.cos(ang) / (111.0 * np.cos(np.radians(st_lat[home])))
    ent_ids = [f"E{i:05d}" for i in range(n_enterprises)]
    enterprises = pd.DataFrame(
        {
            "enterprise_id": ent_ids,
            "name_zh": [f"企业{i}" for i in range(n_enterprises)],
            "name_en": [f"Enterprise {i}" for i in range(n_enterprises)],
            "lon": lon,
            "lat": lat,
        }
    )
    in_prov = np.arange(n_regions) < n_regions // 2
    regions = pd.DataFrame(
        {
            "region_id": [f"R{i:02d}" for i in range(n_regions)],
            "lon": np.where(
                in_prov, rng.uniform(x0, x1, n_regions), rng.choice([x0 - 0.5, x1 + 0.5], n_regions)
            ),
            "lat": rng.uniform(y0, y1, n_regions),
            "in_province": in_prov,
            "road_km_beyond": np.where(in_prov, 0.0, rng.uniform(100, 600, n_regions)).round(0),
            "rail_km": np.where(
                in_prov, rng.uniform(80, 400, n_regions), rng.uniform(500, 1200, n_regions)
            ).round(0),
        }
    )
    flows, splits = [], []
    for i, e in enumerate(ent_ids):
        for k in range(int(rng.integers(1, 5))):
            fid = f"{e}-F{k + 1}"
            commodity = str(rng.choice(_COMMODITIES))
            tonnes = float(np.round(rng.lognormal(np.log(4e5), 0.9), -3)) + 1000.0
            flows.append(
                {
                    "flow_id": fid,
                    "enterprise_id": e,
                    "commodity": commodity,
                    "direction": "in" if rng.random() < 0.55 else "out",
                    "tonnes_per_year": tonnes,
                    "region_id": f"R{int(rng.integers(0, n_regions)):02d}",
                    "road_km": np.nan,
                    "rail_km": np.nan,
                    "station_id": None,
                }
            )
            w = rng.dirichlet(np.ones(3))
            modes = rng.choice(_MODES[1:], 3, replace=False)
            pct = np.round(w * 100, 1)
            pct[-1] = round(100.0 - pct[:-1].sum(), 1)
            splits += [
                {"flow_id": fid, "mode": str(m), "share_pct": float(p)}
                for m, p in zip(modes, pct, strict=True)
            ]
        del i
    # every station handles at least 1.2 x the rail-only tonnes (coal / coke leaving the province) of the
    # enterprises nearest to it, so that every instance can move all its flows
    flows_df = pd.DataFrame(flows)
    out_regions = set(regions.loc[~regions["in_province"], "region_id"])
    rail_only = flows_df[
        flows_df["commodity"].isin(["coal", "coke"])
        & (flows_df["direction"] == "out")
        & flows_df["region_id"].isin(out_regions)
    ]
    d = haversine_km(lon[:, None], lat[:, None], st_lon[None, :], st_lat[None, :])
    nearest = pd.Series(np.argmin(d, axis=1), index=ent_ids)
    need = rail_only.groupby(rail_only["enterprise_id"].map(nearest))["tonnes_per_year"].sum()
    floor = np.array([1.2 * float(need.get(i, 0.0)) for i in range(n_stations)])
    stations["handling_capacity_t_per_year"] = np.maximum(
        stations["handling_capacity_t_per_year"], np.ceil(floor)
    )
    n_spur = max(1, n_enterprises // 10)
    spur_ents = rng.choice(n_enterprises, n_spur, replace=False)
    spurs = pd.DataFrame(
        {
            "spur_id": [f"SP{j:04d}" for j in range(n_spur)],
            "enterprise_id": [ent_ids[i] for i in spur_ents],
            "station_id": [stations.at[int(home[i]), "station_id"] for i in spur_ents],
            "status": np.where(np.arange(n_spur) % 2 == 0, "existing", "planned"),
            "capacity_t_per_year": rng.choice([1e6, 3e6, 6e6], n_spur),
            "capex_cny": rng.uniform(5e7, 3e8, n_spur).round(-6),
            "coords": None,
            "name_zh": None,
            "name_en": None,
        }
    )
    n_swap = max(1, n_stations // 4)
    pick = rng.choice(n_stations, n_swap, replace=False)
    swaps = pd.DataFrame(
        {
            "swap_id": [f"W{j:03d}" for j in range(n_swap)],
            "lon": st_lon[pick] + 0.02,
            "lat": st_lat[pick] + 0.02,
            "swaps_per_day": rng.choice([100.0, 150.0, 200.0], n_swap),
            "name_zh": None,
            "name_en": None,
        }
    )
    # rail mainlines meeting at station 0; capacities leave room for every rail-only flow
    n_lines = max(2, min(8, n_stations // 10 + 1))
    line_ids = [f"L{k}" for k in range(n_lines)]
    stations["line_ids"] = [
        ";".join(line_ids) if i == 0 else line_ids[i % n_lines] for i in range(n_stations)
    ]
    regions["rail_line_ids"] = [line_ids[i % n_lines] for i in range(n_regions)]
    reg_line = dict(zip(regions["region_id"], regions["rail_line_ids"], strict=True))
    to_line = flows_df.groupby(flows_df["region_id"].map(reg_line))["tonnes_per_year"].sum()
    rail_only_t = float(rail_only["tonnes_per_year"].sum())
    lines = pd.DataFrame(
        {
            "line_id": line_ids,
            "capacity_t_per_year": [
                np.ceil(1.2 * rail_only_t + line_headroom * float(to_line.get(k, 0.0))) for k in line_ids
            ],
        }
    )
    # a truck restriction zone around station 0, which can take every tonne of the enterprises inside
    zx0, zy0, zx1, zy1 = st_lon[0] - 0.08, st_lat[0] - 0.06, st_lon[0] + 0.08, st_lat[0] + 0.06
    inside = [e for e, x, y in zip(ent_ids, lon, lat, strict=True) if zx0 < x < zx1 and zy0 < y < zy1]
    zone_t = float(flows_df.loc[flows_df["enterprise_id"].isin(inside), "tonnes_per_year"].sum())
    stations.at[0, "handling_capacity_t_per_year"] = (
        float(stations.at[0, "handling_capacity_t_per_year"]) + zone_t
    )
    zones = pd.DataFrame(
        {
            "zone_id": ["Z0"],
            "hgv_banned_hours": ["07:00-21:00"],
            "new_energy_exempt": [True],
            "geometry": [box(zx0, zy0, zx1, zy1)],
        }
    )
    return problem_from_frames(
        enterprises,
        pd.DataFrame(flows),
        pd.DataFrame(splits),
        regions,
        stations,
        spurs,
        swaps,
        scenario=scenario,
        lines=lines,
        zones=zones,
        name=f"synthetic-{n_enterprises}-{n_stations}-s{seed}",
        source="synthetic",
    )
