"""Curated places of the Changzhi sample: seats, rail lines, stations, roads, regions, swap stations.

All coordinates are WGS-84 ``(lon, lat)``. Places, rail lines and roads are *approximate* (a few
hundred metres to a few km off); capacities, hours and costs are *illustrative*. Facts and their
sources are listed in ``data/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LonLat = tuple[float, float]

CENTRE: LonLat = (113.117, 36.195)  # 潞州区 city centre

# District / county seats (approximate town centres; checked to fall inside the cnmaps boundaries).
SEATS: dict[str, LonLat] = {
    "潞州区": CENTRE,
    "上党区": (113.050, 36.050),  # 韩店
    "屯留区": (112.890, 36.320),
    "潞城区": (113.230, 36.330),
    "襄垣县": (113.050, 36.530),
    "壶关县": (113.210, 36.110),
    "长子县": (112.880, 36.120),
    "黎城县": (113.390, 36.500),
    "平顺县": (113.430, 36.200),
}

# ---------------------------------------------------------------------------------------------------
# Rail


@dataclass(frozen=True)
class Station:
    station_id: str
    name_zh: str
    name_en: str
    line_ids: str
    lonlat: LonLat
    capacity_t: float
    hours: str
    cost_cny_per_t: float
    transfer_h: float
    kind: str = "station"


STATIONS: tuple[Station, ...] = (
    Station(
        "CZB",
        "长治北",
        "Changzhi North",
        "TJ;HC;TL",
        (113.100, 36.250),
        30e6,
        "00:00-24:00",
        12.0,
        3.0,
        "hub",
    ),
    Station("CZ", "长治", "Changzhi", "TJ", (113.127, 36.188), 6e6, "06:00-22:00", 15.0, 4.0),
    Station(
        "CZN", "长治南", "Changzhi South", "TJ;WR", (113.070, 36.090), 25e6, "00:00-24:00", 12.0, 3.0, "hub"
    ),
    Station("ZZN", "长子南", "Zhangzi South", "WR", (112.900, 36.075), 8e6, "06:00-22:00", 14.0, 4.0),
    Station("LC", "潞城", "Lucheng", "HC", (113.225, 36.320), 10e6, "00:00-24:00", 13.0, 3.5),
    Station("WZZ", "微子镇", "Weizizhen", "HC", (113.300, 36.395), 5e6, "06:00-22:00", 14.0, 4.0),
    Station("LCX", "黎城", "Licheng", "HC", (113.375, 36.490), 4e6, "06:00-22:00", 15.0, 4.0),
    Station("XY", "襄垣", "Xiangyuan", "TJ", (113.055, 36.515), 8e6, "06:00-22:00", 13.0, 3.5),
    Station("TL", "屯留", "Tunliu", "TL", (112.905, 36.305), 6e6, "06:00-22:00", 14.0, 4.0),
)
STATION_BY_ID = {s.station_id: s for s in STATIONS}


@dataclass(frozen=True)
class RailLine:
    line_id: str
    name_zh: str
    name_en: str
    electrified: bool
    capacity_t: float
    waypoints: tuple[LonLat, ...]
    source: str


_S = STATION_BY_ID
RAIL_LINES: tuple[RailLine, ...] = (
    RailLine(
        "TJ",
        "太焦铁路",
        "Taiyuan–Jiaozuo Railway",
        True,
        70e6,
        (
            (112.950, 36.800),
            (113.000, 36.650),
            (113.045, 36.560),
            _S["XY"].lonlat,
            (113.070, 36.430),
            (113.085, 36.340),
            _S["CZB"].lonlat,
            _S["CZ"].lonlat,
            (113.110, 36.140),
            _S["CZN"].lonlat,
            (113.020, 36.000),
            (112.930, 35.820),
        ),
        "approximate alignment through 襄垣, 长治北, 长治, 长治南 (Taiyuan–Jiaozuo, 434 km); capacity illustrative",
    ),
    RailLine(
        "HC",
        "邯长铁路",
        "Handan–Changzhi Railway",
        True,
        40e6,
        (
            _S["CZB"].lonlat,
            (113.160, 36.285),
            _S["LC"].lonlat,
            _S["WZZ"].lonlat,
            _S["LCX"].lonlat,
            (113.450, 36.550),
            (113.600, 36.600),
        ),
        "approximate alignment 长治北 → 潞城 → 微子镇 → 黎城 → 涉县 (Handan–Changzhi, 219 km); capacity illustrative",
    ),
    RailLine(
        "WR",
        "瓦日铁路",
        "Wadian–Rizhao Heavy-Haul Railway",
        True,
        200e6,
        (
            (112.550, 36.100),
            (112.750, 36.090),
            _S["ZZN"].lonlat,
            (113.000, 36.080),
            _S["CZN"].lonlat,
            (113.150, 36.080),
            (113.250, 36.090),
            (113.350, 36.120),
            (113.450, 36.100),
            (113.620, 36.020),
        ),
        "approximate alignment 长子南 → 长治南 → 壶关 → 平顺 → 林州 (Henan); 30 t axle load, electrified, "
        "200 Mt/yr design capacity (zh.wikipedia 瓦日铁路); joins 太焦 at 长治南",
    ),
    RailLine(
        "TL",
        "长治北—屯留铁路",
        "Changzhi North–Tunliu Railway",
        False,
        20e6,
        (_S["CZB"].lonlat, (113.030, 36.270), (112.960, 36.290), _S["TL"].lonlat),
        "illustrative branch standing in for the 潞安 mining-area railway west of 长治北; alignment and name approximate",
    ),
)

SPUR_COST_CNY_PER_KM = 55e6  # 潞安高河 spur: 625.5 M CNY for 11.537 km (coal.com.cn, 2015) ≈ 54 M CNY/km

# ---------------------------------------------------------------------------------------------------
# Roads: (name_zh, name_en, ref, highway, maxspeed, lanes, waypoints, extra tags)


@dataclass(frozen=True)
class Road:
    name_zh: str
    name_en: str
    ref: str
    highway: str
    maxspeed: int
    lanes: int
    waypoints: tuple[LonLat, ...]
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)


# Edge points of the sample road network (also the gateways of regions.csv)
G55_N: LonLat = (113.000, 36.620)
G55_S: LonLat = (113.000, 35.975)
G22_E: LonLat = (113.480, 36.570)
G22_W: LonLat = (112.780, 36.300)
CP_E: LonLat = (113.480, 36.200)  # 长平高速 east end
G208_N: LonLat = (113.030, 36.625)
G208_S: LonLat = (113.020, 35.975)
G309_W: LonLat = (112.780, 36.330)
G207_NE: LonLat = (113.460, 36.580)
G341_E: LonLat = (113.480, 36.150)
G341_W: LonLat = (112.780, 36.100)
CZ_NORTH_MARKET: LonLat = (113.154, 36.239)  # city construction-materials market, north-east of the core

# Ring road corners (trunk, "环城路", illustrative)
RING: tuple[LonLat, ...] = (
    (113.055, 36.255),
    (113.105, 36.262),
    (113.185, 36.255),
    (113.192, 36.195),
    (113.180, 36.135),
    (113.105, 36.128),
    (113.058, 36.135),
    (113.048, 36.195),
    (113.055, 36.255),
)
X = SEATS
ROADS: tuple[Road, ...] = (
    Road(
        "二广高速",
        "Erlianhot–Guangzhou Expressway",
        "G55",
        "motorway",
        120,
        4,
        (
            G55_N,
            (113.020, 36.540),
            (113.040, 36.450),
            (113.060, 36.350),
            (113.075, 36.280),
            (113.030, 36.230),
            (113.020, 36.170),
            (113.025, 36.110),
            (113.030, 36.050),
            G55_S,
        ),
        (
            ("alt_name", "太长高速;长晋高速"),
            ("alt_name:en", "Taiyuan–Changzhi Expressway;Changzhi–Jincheng Expressway"),
        ),
    ),
    Road(
        "青兰高速",
        "Qingdao–Lanzhou Expressway",
        "G22",
        "motorway",
        120,
        4,
        (
            G22_E,
            (113.400, 36.505),
            (113.320, 36.425),
            (113.250, 36.375),
            (113.170, 36.300),
            (113.075, 36.280),
            (113.000, 36.292),
            (112.920, 36.300),
            (112.850, 36.300),
            G22_W,
        ),
        (
            ("alt_name", "长邯高速;长临高速"),
            ("alt_name:en", "Changzhi–Handan Expressway;Changzhi–Linfen Expressway"),
        ),
    ),
    Road(
        "长平高速",
        "Changzhi–Pingshun Expressway",
        "",
        "motorway",
        100,
        4,
        ((113.192, 36.195), (113.230, 36.178), (113.300, 36.182), (113.370, 36.192), X["平顺县"], CP_E),
    ),
    Road("环城路", "Ring Road", "", "trunk", 80, 6, RING),
    Road(
        "国道208",
        "National Road 208",
        "G208",
        "trunk",
        80,
        4,
        (G208_N, X["襄垣县"], (113.070, 36.450), (113.085, 36.400), (113.100, 36.320), (113.105, 36.262)),
    ),
    Road(
        "国道208",
        "National Road 208",
        "G208",
        "trunk",
        80,
        4,
        ((113.105, 36.128), (113.080, 36.090), X["上党区"], (113.035, 36.010), G208_S),
    ),
    Road(
        "国道207",
        "National Road 207",
        "G207;G309",
        "primary",
        70,
        4,
        (
            G207_NE,
            X["黎城县"],
            (113.330, 36.430),
            (113.280, 36.380),
            X["潞城区"],
            (113.200, 36.285),
            (113.185, 36.255),
        ),
    ),
    Road(
        "国道309",
        "National Road 309",
        "G309",
        "primary",
        70,
        4,
        (G309_W, X["屯留区"], (112.950, 36.290), (113.000, 36.255), (113.048, 36.230)),
    ),
    Road(
        "国道341",
        "National Road 341",
        "G341",
        "primary",
        70,
        2,
        (G341_E, (113.400, 36.140), (113.300, 36.118), X["壶关县"], (113.180, 36.135)),
    ),
    Road(
        "国道341",
        "National Road 341",
        "G341",
        "primary",
        70,
        2,
        ((113.058, 36.135), (112.970, 36.122), X["长子县"], G341_W),
    ),
    Road(
        "屯长公路",
        "Tunliu–Zhangzi Road",
        "",
        "secondary",
        60,
        2,
        (X["屯留区"], (112.885, 36.220), X["长子县"]),
    ),
    Road(
        "长韩公路",
        "Zhangzi–Handian Road",
        "",
        "secondary",
        60,
        2,
        (X["长子县"], (112.960, 36.080), X["上党区"]),
    ),
    Road(
        "韩壶公路",
        "Handian–Huguan Road",
        "",
        "secondary",
        60,
        2,
        (X["上党区"], (113.130, 36.075), X["壶关县"]),
    ),
    Road(
        "潞平公路",
        "Lucheng–Pingshun Road",
        "",
        "secondary",
        60,
        2,
        (X["潞城区"], (113.300, 36.270), (113.380, 36.225), X["平顺县"]),
    ),
    Road(
        "襄屯公路",
        "Xiangyuan–Tunliu Road",
        "",
        "secondary",
        60,
        2,
        (X["襄垣县"], (112.970, 36.450), (112.910, 36.380), X["屯留区"]),
    ),
    Road(
        "襄潞公路",
        "Xiangyuan–Lucheng Road",
        "",
        "secondary",
        60,
        2,
        (X["襄垣县"], (113.130, 36.450), (113.200, 36.380), X["潞城区"]),
    ),
    Road(
        "长治北站路",
        "Changzhi North Station Road",
        "",
        "tertiary",
        50,
        2,
        ((113.048, 36.230), (113.100, 36.245), (113.150, 36.232), (113.185, 36.255)),
    ),
    Road(
        "漳泽路",
        "Zhangze Road",
        "",
        "tertiary",
        50,
        2,
        ((113.048, 36.195), (113.000, 36.170), (112.970, 36.122)),
    ),
    Road(
        "苏店路",
        "Sudian Road",
        "",
        "tertiary",
        50,
        2,
        ((113.180, 36.135), (113.160, 36.090), (113.130, 36.075)),
    ),
)

# Bridges that carry a 20 t limit: (road index, fraction along the road, length in metres, name)
BRIDGES: tuple[tuple[str, float, float, str, str], ...] = (
    ("襄屯公路", 0.55, 240.0, "浊漳河西源桥", "Zhuozhang West Branch Bridge"),
    ("潞平公路", 0.35, 200.0, "浊漳河南源桥", "Zhuozhang South Branch Bridge"),
)

# City street grid: 13 x 13 lines every 500 m around CENTRE (UTM metres)
GRID_HALF_M = 3000.0
GRID_STEP_M = 500.0
GRID_NS_NAMES = {
    -3000: ("城西路", "Chengxi Road"),
    -1500: ("长兴路", "Changxing Road"),
    0: ("英雄路", "Yingxiong Road"),
    1500: ("八一路", "Bayi Road"),
    3000: ("城东路", "Chengdong Road"),
}
GRID_EW_NAMES = {
    -3000: ("城南路", "Chengnan Road"),
    -1500: ("紫金街", "Zijin Street"),
    0: ("太行街", "Taihang Street"),
    1500: ("府后街", "Fuhou Street"),
    3000: ("城北街", "Chengbei Street"),
}

# ---------------------------------------------------------------------------------------------------
# Regions (gateways are edge points of the road network)

# (region_id, name_zh, name_en, kind, gateway, in_province, road_km_beyond, rail_station_id,
#  rail_station_name_zh, rail_station_name_en, rail_km, exit_station_id, rail_line_ids)
REGIONS: tuple[tuple[str, str, str, str, LonLat, bool, float, str, str, str, float, str, str], ...] = (
    ("local_mines_north", "襄垣—武乡矿区", "Xiangyuan–Wuxiang mines (north)", "mine_cluster", G208_N, True, 25.0,
     "XY", "襄垣", "Xiangyuan", 45.0, "XY", "TJ"),
    ("local_mines_west", "屯留—长子—沁源矿区", "Tunliu–Zhangzi–Qinyuan mines (west)", "mine_cluster", G309_W, True, 30.0,
     "TL", "屯留", "Tunliu", 40.0, "TL", "TL"),
    ("local_mines_south", "上党—高平矿区", "Shangdang–Gaoping mines (south)", "mine_cluster", G208_S, True, 15.0,
     "CZN", "长治南", "Changzhi South", 30.0, "CZN", "TJ"),
    ("local_quarries_east", "壶关—平顺石灰石矿区", "Huguan–Pingshun limestone quarries (east)", "mine_cluster", G341_E,
     True, 12.0, "CZN", "长治南", "Changzhi South", 40.0, "CZN", "WR"),
    ("local_city", "长治市区建材市场", "Changzhi city construction market", "city", CZ_NORTH_MARKET, True, 0.0,
     "CZ", "长治", "Changzhi", 25.0, "CZ", "TJ"),
    ("in_taiyuan", "太原—晋中(太焦线北)", "Taiyuan–Jinzhong (Taijiao line north)", "in_province", G55_N, True, 190.0,
     "TYD", "太原东", "Taiyuan East", 250.0, "XY", "TJ"),
    ("in_jincheng", "晋城(太焦线南)", "Jincheng (Taijiao line south)", "in_province", G55_S, True, 75.0,
     "JC", "晋城", "Jincheng", 95.0, "CZN", "TJ"),
    ("out_henan_jiaozuo", "河南焦作(太焦线南)", "Jiaozuo, Henan (Taijiao line south)", "province_exit", G55_S, False,
     160.0, "JZ", "焦作", "Jiaozuo", 190.0, "CZN", "TJ"),
    ("out_hebei_handan", "河北邯郸(邯长线)", "Handan, Hebei steel (Hanchang line)", "province_exit", G22_E, False,
     140.0, "HD", "邯郸", "Handan", 219.0, "LCX", "HC"),
    ("out_wari_henan", "河南安阳(瓦日线)", "Anyang, Henan (Wari line)", "province_exit", CP_E, False, 130.0,
     "AYN", "安阳南", "Anyang South", 190.0, "CZN", "WR"),
    ("out_wari_east", "日照港(瓦日线东)", "Rizhao port (Wari line east)", "port", CP_E, False, 760.0,
     "RZN", "日照南", "Rizhao South", 780.0, "CZN", "WR"),
)  # fmt: skip

# ---------------------------------------------------------------------------------------------------
# Battery-swap and charging stations: (id, name_zh, name_en, kind, lonlat, swaps/chargers, power_kw)
SWAPS: tuple[tuple[str, str, str, str, LonLat, int, int], ...] = (
    (
        "SW01",
        "示例长治北站换电站",
        "Sample Changzhi North swap station",
        "swap",
        (113.106, 36.243),
        200,
        3600,
    ),
    (
        "SW02",
        "示例长治南站换电站",
        "Sample Changzhi South swap station",
        "swap",
        (113.078, 36.084),
        180,
        3600,
    ),
    ("SW03", "示例潞城园区换电站", "Sample Lucheng park swap station", "swap", (113.247, 36.341), 200, 3600),
    ("SW04", "示例屯留园区换电站", "Sample Tunliu park swap station", "swap", (112.938, 36.301), 160, 2400),
    (
        "SW05",
        "示例襄垣王桥换电站",
        "Sample Xiangyuan Wangqiao swap station",
        "swap",
        (113.082, 36.392),
        150,
        2400,
    ),
    (
        "SW06",
        "示例二广高速襄垣口换电站",
        "Sample G55 Xiangyuan exit swap station",
        "swap",
        (113.025, 36.515),
        150,
        2400,
    ),
    (
        "SW07",
        "示例青兰高速潞城口换电站",
        "Sample G22 Lucheng exit swap station",
        "swap",
        (113.252, 36.382),
        170,
        2400,
    ),
    (
        "SW08",
        "示例上党韩店换电站",
        "Sample Shangdang Handian swap station",
        "swap",
        (113.058, 36.058),
        160,
        2400,
    ),
    (
        "SW09",
        "示例高新区充电站",
        "Sample high-tech zone charging station",
        "charge",
        (113.070, 36.190),
        16,
        1920,
    ),
    ("SW10", "示例长子充电站", "Sample Zhangzi charging station", "charge", (112.887, 36.128), 12, 1440),
)

# Inner-city heavy-truck restriction zone (illustrative polygon around the 潞州区 core)
RESTRICTION_ZONE: tuple[LonLat, ...] = (
    (113.095, 36.215),
    (113.117, 36.221),
    (113.140, 36.214),
    (113.145, 36.198),
    (113.124, 36.194),  # notch: the 长治 station freight yard stays outside
    (113.121, 36.172),
    (113.094, 36.176),
    (113.089, 36.196),
    (113.095, 36.215),
)
