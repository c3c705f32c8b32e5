"""The 40 illustrative key enterprises of the Changzhi sample, their bulk flows and current mode split.

Names and figures are invented, except the two enterprises the city plan names for new spur lines
(山西瑞隆能源有限公司, 上党绿能物流有限公司), whose *figures and locations* are still illustrative.
Flows follow simple per-industry material balances; mode splits come from templates per
enterprise profile with a small seeded jitter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LonLat = tuple[float, float]

ILLUSTRATIVE = "illustrative sample enterprise: name, location and figures invented"
PLAN_NAMED = "named in the Changzhi plan for a new rail spur; location and figures illustrative"


@dataclass(frozen=True)
class Enterprise:
    eid: str
    name_zh: str
    name_en: str
    industry: str
    park: str
    lonlat: LonLat  # true WGS-84 location
    size_t: float  # main quantity, t/yr (see _flows_for)
    profile: str  # spur | station | truck | ne_leader
    station_id: str  # station used by rail_station_* shares and spurs
    spur: str = ""  # existing | planned | ""
    coord_crs: str = "WGS84"


E = Enterprise
ENTERPRISES: tuple[Enterprise, ...] = (
    # 潞城 coking park (潞城经济技术开发区)
    E("CZ01", "示例焦化一厂", "Sample Coking Plant 1", "coking", "潞城焦化园区", (113.248, 36.352), 2.2e6, "spur", "LC", "existing"),
    E("CZ02", "山西瑞隆能源有限公司", "Shanxi Ruilong Energy Co., Ltd.", "coking", "潞城焦化园区", (113.268, 36.362), 1.8e6, "truck", "LC", "planned"),
    E("CZ03", "示例焦化二厂", "Sample Coking Plant 2", "coking", "潞城焦化园区", (113.262, 36.343), 1.4e6, "station", "LC"),
    E("CZ04", "示例焦化三厂", "Sample Coking Plant 3", "coking", "潞城焦化园区", (113.276, 36.350), 1.1e6, "truck", "LC"),
    E("CZ05", "示例煤化工一厂", "Sample Coal Chemical Plant 1", "coal_chemical", "潞城焦化园区", (113.240, 36.366), 3.0e6, "station", "LC"),
    E("CZ06", "示例洗煤一厂", "Sample Coal Washery 1", "coal_washery", "潞城焦化园区", (113.284, 36.372), 3.5e6, "truck", "WZZ"),
    # 屯留 东古 coking park
    E("CZ07", "示例焦化四厂", "Sample Coking Plant 4", "coking", "屯留东古园区", (112.930, 36.288), 1.5e6, "station", "TL", coord_crs="GCJ02"),
    E("CZ08", "示例焦化五厂", "Sample Coking Plant 5", "coking", "屯留东古园区", (112.943, 36.280), 2.0e6, "truck", "TL"),
    E("CZ09", "示例焦化六厂", "Sample Coking Plant 6", "coking", "屯留东古园区", (112.925, 36.277), 1.0e6, "truck", "TL"),
    E("CZ10", "示例煤化工二厂", "Sample Coal Chemical Plant 2", "coal_chemical", "屯留东古园区", (112.950, 36.293), 4.0e6, "spur", "TL", "existing"),
    E("CZ11", "示例洗煤二厂", "Sample Coal Washery 2", "coal_washery", "屯留东古园区", (112.914, 36.296), 2.5e6, "station", "TL"),
    # 襄垣
    E("CZ12", "示例焦化七厂", "Sample Coking Plant 7", "coking", "襄垣王桥园区", (113.074, 36.411), 1.6e6, "station", "XY"),
    E("CZ13", "示例焦化八厂", "Sample Coking Plant 8", "coking", "襄垣王桥园区", (113.090, 36.398), 1.2e6, "truck", "XY"),
    E("CZ14", "示例电厂一厂", "Sample Power Plant 1", "power", "襄垣", (113.038, 36.500), 3.5e6, "spur", "XY", "existing"),
    E("CZ15", "示例洗煤三厂", "Sample Coal Washery 3", "coal_washery", "襄垣", (113.068, 36.526), 5.0e6, "spur", "XY", "existing"),
    E("CZ16", "示例洗煤四厂", "Sample Coal Washery 4", "coal_washery", "襄垣", (113.018, 36.478), 2.0e6, "truck", "XY"),
    # 上党区
    E("CZ17", "上党绿能物流有限公司", "Shangdang Lüneng Logistics Co., Ltd.", "logistics_park", "上党物流园区", (113.086, 36.074), 6.0e6, "station", "CZN", "planned"),
    E("CZ18", "示例水泥一厂", "Sample Cement Plant 1", "cement", "上党", (113.128, 36.060), 2.0e6, "truck", "CZN", coord_crs="GCJ02"),
    E("CZ19", "示例水泥二厂", "Sample Cement Plant 2", "cement", "上党", (113.018, 36.040), 1.5e6, "truck", "CZN"),
    E("CZ20", "示例洗煤五厂", "Sample Coal Washery 5", "coal_washery", "上党", (113.062, 36.030), 3.0e6, "station", "CZN"),
    E("CZ21", "示例建材一厂", "Sample Building Materials Plant 1", "building_materials", "上党", (113.096, 36.102), 1.6e6, "ne_leader", "CZN"),
    # 长治高新区 / 经开区
    E("CZ22", "示例化工一厂", "Sample Chemical Plant 1", "chemical", "长治高新区", (113.074, 36.176), 1.2e6, "station", "CZ", coord_crs="BD09"),
    E("CZ23", "示例物流园一", "Sample Logistics Park 1", "logistics_park", "长治经开区", (113.094, 36.246), 7.0e6, "spur", "CZB", "existing"),
    E("CZ24", "示例建材二厂", "Sample Building Materials Plant 2", "building_materials", "长治经开区", (113.166, 36.244), 1.8e6, "truck", "CZ", coord_crs="GCJ02"),
    E("CZ25", "示例物流园二", "Sample Logistics Park 2", "logistics_park", "长治经开区", (113.178, 36.222), 4.0e6, "ne_leader", "CZB"),
    # 首钢长钢 area (故县)
    E("CZ26", "示例钢铁一厂", "Sample Steel Works 1", "steel", "长钢片区", (113.035, 36.236), 3.5e6, "spur", "CZB", "existing"),
    E("CZ27", "示例钢铁二厂", "Sample Steel Works 2", "steel", "长钢片区", (113.020, 36.224), 1.0e6, "station", "CZB"),
    E("CZ28", "示例矿渣微粉厂", "Sample Slag Powder Plant", "building_materials", "长钢片区", (113.049, 36.246), 1.5e6, "truck", "CZB"),
    # 漳泽 / 潞光 power
    E("CZ29", "示例电厂二厂", "Sample Power Plant 2", "power", "漳泽片区", (113.015, 36.165), 5.0e6, "spur", "CZN", "existing"),
    E("CZ30", "示例电厂三厂", "Sample Power Plant 3", "power", "潞光片区", (113.214, 36.291), 4.0e6, "spur", "LC", "existing"),
    E("CZ31", "示例电厂四厂", "Sample Power Plant 4", "power", "长子", (112.874, 36.146), 2.5e6, "conveyor", "ZZN"),
    E("CZ32", "示例热电厂", "Sample Combined Heat and Power Plant", "power", "长治城南", (113.152, 36.150), 1.6e6, "station", "CZ"),
    # other clusters
    E("CZ33", "示例焦化九厂", "Sample Coking Plant 9", "coking", "黎城", (113.368, 36.476), 1.0e6, "truck", "LCX", coord_crs="GCJ02"),
    E("CZ34", "示例水泥三厂", "Sample Cement Plant 3", "cement", "壶关", (113.198, 36.124), 1.8e6, "station", "CZN"),
    E("CZ35", "示例石灰石加工厂", "Sample Limestone Processing Plant", "building_materials", "平顺", (113.404, 36.219), 2.5e6, "truck", "CZN"),
    E("CZ36", "示例洗煤六厂", "Sample Coal Washery 6", "coal_washery", "长子", (112.896, 36.100), 3.0e6, "station", "ZZN"),
    E("CZ37", "示例煤化工三厂", "Sample Coal Chemical Plant 3", "coal_chemical", "微子镇", (113.294, 36.405), 2.5e6, "truck", "WZZ"),
    E("CZ38", "示例焦化十厂", "Sample Coking Plant 10", "coking", "上党", (113.040, 36.072), 1.3e6, "station", "CZN"),
    E("CZ39", "示例物流园三", "Sample Logistics Park 3", "logistics_park", "屯留", (112.899, 36.312), 5.0e6, "ne_leader", "TL", coord_crs="GCJ02"),
    E("CZ40", "示例化工二厂", "Sample Chemical Plant 2", "chemical", "屯留东古园区", (112.960, 36.302), 1.3e6, "truck", "TL"),
)  # fmt: skip

# ---------------------------------------------------------------------------------------------------
# Flows: (commodity, direction, factor of size, [(region, share of the flow)])
_LOCAL_COAL = [("local_mines_north", 0.4), ("local_mines_west", 0.35), ("local_mines_south", 0.25)]
_FlowSpec = tuple[str, str, float, list[tuple[str, float]]]


def _flows_for(e: Enterprise) -> list[_FlowSpec]:
    """Material balance per industry; ``size_t`` is the main product (or coal burned / throughput)."""
    west = e.lonlat[0] < 113.0
    north = e.lonlat[1] > 36.38
    near = "local_mines_west" if west else ("local_mines_north" if north else "local_mines_south")
    if e.industry == "coking":  # ~1.35 t coking coal per t coke
        coke_to = (
            [("out_hebei_handan", 0.5), ("out_wari_east", 0.3), ("in_taiyuan", 0.2)]
            if not west
            else [("out_wari_east", 0.5), ("out_henan_jiaozuo", 0.3), ("in_jincheng", 0.2)]
        )
        return [("coal", "in", 1.35, [(near, 0.6), ("local_mines_north" if west else "local_mines_west", 0.4)]),
                ("coke", "out", 1.0, coke_to)]  # fmt: skip
    if e.industry == "power":  # coal burned; fly ash ~12 %, FGD gypsum ~3 %
        return [("coal", "in", 1.0, [(near, 1.0)]), ("fly_ash", "out", 0.12, [("local_city", 1.0)]),
                ("gypsum", "out", 0.03, [("local_city", 1.0)])]  # fmt: skip
    if e.industry == "steel":  # per t crude steel
        return [("iron_ore", "in", 1.6, [("out_wari_east", 0.7), ("in_taiyuan", 0.3)]),
                ("coal", "in", 0.45, [("local_mines_north", 1.0)]),
                ("coke", "in", 0.4, [("local_mines_west", 1.0)]),
                ("limestone", "in", 0.2, [("local_quarries_east", 1.0)]),
                ("scrap", "in", 0.15, [("local_city", 1.0)]),
                ("steel", "out", 1.0, [("out_wari_henan", 0.4), ("in_taiyuan", 0.3), ("local_city", 0.3)]),
                ("slag", "out", 0.3, [("local_city", 1.0)])]  # fmt: skip
    if e.industry == "cement":
        return [("limestone", "in", 1.2, [("local_quarries_east", 1.0)]), ("coal", "in", 0.12, [(near, 1.0)]),
                ("gypsum", "in", 0.05, [("local_city", 1.0)]),
                ("cement", "out", 1.0, [("local_city", 0.6), ("in_jincheng", 0.4)])]  # fmt: skip
    if e.industry == "coal_washery":  # raw coal in; clean coal ~75 %
        dest = [("out_wari_east", 0.4), ("out_henan_jiaozuo", 0.3), ("in_taiyuan", 0.3)]
        return [("coal", "in", 1.0, [(near, 1.0)]), ("coal", "out", 0.75, dest)]
    if e.industry == "coal_chemical":
        return [("coal", "in", 1.0, [(near, 0.7), ("local_mines_south", 0.3)]),
                ("chemicals", "out", 0.35, [("out_wari_henan", 0.5), ("in_taiyuan", 0.5)])]  # fmt: skip
    if e.industry == "logistics_park":  # coal gathered from mines and sent on by rail / road
        return [("coal", "in", 1.0, [(near, 0.6), ("local_mines_south" if west else "local_mines_west", 0.4)]),
                ("coal", "out", 1.0, [("out_wari_east", 0.5), ("out_hebei_handan", 0.25), ("in_taiyuan", 0.25)])]  # fmt: skip
    if e.industry == "chemical":
        return [("coal", "in", 0.8, [(near, 1.0)]), ("chemicals", "out", 0.5, [("out_wari_henan", 1.0)])]
    if e.industry == "building_materials":
        return [("fly_ash" if e.park != "长钢片区" else "slag", "in", 0.6, [("local_city", 1.0)]),
                ("limestone", "in", 0.3, [("local_quarries_east", 1.0)]),
                ("other_bulk", "out", 0.9, [("local_city", 0.7), ("in_jincheng", 0.3)])]  # fmt: skip
    raise ValueError(e.industry)


# ---------------------------------------------------------------------------------------------------
# Mode split templates: profile -> flow class -> {mode: pct}
LONG, LOCAL, BYPRODUCT = "long", "local", "byproduct"
TEMPLATES: dict[str, dict[str, dict[str, float]]] = {
    "spur": {
        LONG: {"rail_spur": 85, "truck_cn6": 10, "truck_ne": 5},
        LOCAL: {"rail_spur": 55, "truck_ne": 25, "truck_cn6": 17, "truck_cn5": 3},
        BYPRODUCT: {"truck_ne": 40, "truck_cn6": 52, "truck_cn5": 8},
    },
    "station": {
        LONG: {"rail_station_ne": 55, "rail_station_diesel": 20, "truck_cn6": 17, "truck_cn5": 8},
        LOCAL: {"truck_ne": 45, "truck_cn6": 45, "truck_cn5": 10},
        BYPRODUCT: {"truck_ne": 20, "truck_cn6": 65, "truck_cn5": 15},
    },
    "truck": {
        LONG: {"rail_station_ne": 25, "rail_station_diesel": 10, "truck_cn6": 45, "truck_cn5": 20},
        LOCAL: {"truck_ne": 30, "truck_cn6": 55, "truck_cn5": 15},
        BYPRODUCT: {"truck_ne": 10, "truck_cn6": 75, "truck_cn5": 15},
    },
    "ne_leader": {
        LONG: {"rail_station_ne": 80, "truck_ne": 10, "truck_cn6": 10},
        LOCAL: {"truck_ne": 85, "truck_cn6": 15},
        BYPRODUCT: {"truck_ne": 80, "truck_cn6": 20},
    },
    "conveyor": {
        LONG: {"rail_station_ne": 50, "truck_cn6": 50},
        LOCAL: {"conveyor": 60, "truck_ne": 20, "truck_cn6": 20},
        BYPRODUCT: {"truck_ne": 20, "truck_cn6": 80},
    },
}
LONG_REGIONS = {
    "out_wari_east",
    "out_wari_henan",
    "out_hebei_handan",
    "out_henan_jiaozuo",
    "in_taiyuan",
    "in_jincheng",
}
BYPRODUCTS = {"fly_ash", "gypsum", "slag", "scrap"}


def _flow_class(commodity: str, region: str) -> str:
    if commodity in BYPRODUCTS or region == "local_city":
        return BYPRODUCT
    return LONG if region in LONG_REGIONS else LOCAL


def _jitter(template: dict[str, float], rng: np.random.Generator) -> dict[str, int]:
    """Perturb a template by up to ±4 points per mode, keep integers summing to 100."""
    modes = list(template)
    raw = np.array([template[m] for m in modes], dtype=float)
    raw = np.maximum(raw + rng.integers(-4, 5, size=len(raw)) * (raw > 0), 0.0)
    pct = np.floor(raw / raw.sum() * 100).astype(int)
    pct[int(np.argmax(raw))] += 100 - int(pct.sum())
    return {m: int(p) for m, p in zip(modes, pct, strict=True) if p > 0}


@dataclass(frozen=True)
class Flow:
    flow_id: str
    eid: str
    commodity: str
    direction: str
    tonnes: float
    region: str
    road_km: float | None
    rail_km: float | None
    station_id: str
    split: dict[str, int]


# A few flows carry explicit distances to exercise both paths of the engine.
ROAD_KM = {("CZ21", "F3"): 9.5, ("CZ24", "F3"): 6.0, ("CZ35", "F3"): 31.0}
RAIL_KM = {("CZ26", "F1"): 784.0, ("CZ23", "F2"): 776.0}
# Plan-relevant exceptions: coke / coal leaving the province still mostly by diesel truck.
TRUCK_OUT = {"CZ04", "CZ09", "CZ16", "CZ33"}


def build_flows(seed: int) -> list[Flow]:
    """All flows with their current mode split (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    flows: list[Flow] = []
    for e in ENTERPRISES:
        n = 0
        for commodity, direction, factor, regions in _flows_for(e):
            for region, share in regions:
                n += 1
                tonnes = round(e.size_t * factor * share / 1000.0) * 1000.0
                cls = _flow_class(commodity, region)
                template = dict(TEMPLATES[e.profile][cls])
                out_prov = region.startswith("out_") and direction == "out"
                if e.eid in TRUCK_OUT and out_prov and commodity in {"coal", "coke"}:
                    template = {"truck_cn6": 55, "truck_cn5": 30, "rail_station_diesel": 15}
                if e.spur == "existing" and cls != LONG and commodity == "coal" and e.industry == "power":
                    template = {"rail_spur": 70, "truck_ne": 15, "truck_cn6": 15}
                if e.industry == "coal_chemical" and commodity == "chemicals":
                    template = {"pipeline": 30, "rail_station_ne": 30, "truck_cn6": 30, "truck_cn5": 10}
                split = _jitter(template, rng)
                uses_station = any(m.startswith("rail_station") for m in split)
                flows.append(
                    Flow(
                        flow_id=f"{e.eid}-F{n}",
                        eid=e.eid,
                        commodity=commodity,
                        direction=direction,
                        tonnes=tonnes,
                        region=region,
                        road_km=ROAD_KM.get((e.eid, f"F{n}")),
                        rail_km=RAIL_KM.get((e.eid, f"F{n}")),
                        station_id=e.station_id if uses_station else "",
                        split=split,
                    )
                )
    return flows
