"""Vocabularies and SQL expressions that normalise raw ledger values.

Normalisation runs as SQL inside DuckDB over each chunk of raw (all-text) rows, which is what
makes the import fast. Each ``*_sql`` function takes the SQL expression of a raw text column and
returns the expression of the normalised value (``NULL`` when it cannot be understood).
"""

from __future__ import annotations

import re

# --- full-width -> half-width -------------------------------------------------------------------
_HALF = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_FULL = "".join(chr(ord(c) + 0xFEE0) for c in _HALF)
_SPACES = "\u3000\u00a0"
_WIDE_RE = r"[\x{ff10}-\x{ff5a}\x{3000}\x{a0}]"


def _q(text: str) -> str:
    """Quote ``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def halfwidth_sql(expr: str) -> str:
    """Full-width letters and digits to half-width, special spaces to plain spaces.

    ``translate`` is slow, so it only runs on values that hold such a character.
    """
    return (
        f"(CASE WHEN regexp_matches({expr}, {_q(_WIDE_RE)}) "
        f"THEN translate({expr}, {_q(_FULL + _SPACES)}, {_q(_HALF + '  ')}) ELSE {expr} END)"
    )


_HALF_TABLE = str.maketrans(_FULL + _SPACES, _HALF + "  ")


def halfwidth(text: str) -> str:
    """Python twin of :func:`halfwidth_sql`."""
    return text.translate(_HALF_TABLE)


def clean_text_sql(expr: str) -> str:
    """Trimmed text, ``NULL`` when empty."""
    return f"nullif(trim({halfwidth_sql(expr)}), '')"


# --- plates --------------------------------------------------------------------------------------
PLATE_PATTERN = r"[\x{4e00}-\x{9fa5}][A-Z][A-Z0-9]{5,6}[挂学]?"


def plate_sql(expr: str) -> str:
    """Plate without spaces, dots or dashes, upper case, half-width (``晋Ｄ １２３４５`` -> ``晋D12345``)."""
    return f"nullif(upper(regexp_replace({halfwidth_sql(expr)}, '[\\s·.\\-]', '', 'g')), '')"


def plate_valid_sql(expr: str) -> str:
    return f"regexp_full_match({expr}, {_q(PLATE_PATTERN)})"


# --- emission stages -----------------------------------------------------------------------------
#: cleaned spelling -> stage code ('0'..'6', 'd' battery-electric, 'h' hydrogen fuel cell)
STAGES: dict[str, str] = {}
_ROMAN = {"0": "0", "I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6"}
_ROMAN_UNI = {"Ⅰ": "1", "Ⅱ": "2", "Ⅲ": "3", "Ⅳ": "4", "Ⅴ": "5", "Ⅵ": "6"}
_CN_NUM = {"零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6"}
for _k, _v in (_ROMAN | _ROMAN_UNI | _CN_NUM).items():
    STAGES[_k] = _v
for _d in "0123456":
    STAGES[_d] = _d
for _k in ("D", "电", "电动", "纯电", "纯电动", "新能源", "EV", "BEV", "ELECTRIC", "BATTERYELECTRIC", "换电"):
    STAGES[_k] = "d"
for _k in ("H", "氢", "氢能", "氢燃料", "燃料电池", "氢燃料电池", "FCEV", "FUELCELL", "HYDROGEN"):
    STAGES[_k] = "h"

#: words removed before looking a stage up (``国六`` -> ``六``, ``China VI`` -> ``VI``, ``Euro 6`` -> ``6``)
_STAGE_NOISE = r"\s|国|CHINA|EURO|阶段|排放|标准|STAGE|[-_.()（）]"


def stage_key_sql(expr: str) -> str:
    """The look-up key of a stage spelling (upper case, without 国 / China / 阶段 / spaces ...)."""
    return f"upper(regexp_replace(upper({halfwidth_sql(expr)}), {_q(_STAGE_NOISE)}, '', 'g'))"


def stage_key(text: str) -> str:
    """Python twin of :func:`stage_key_sql`."""
    return re.sub(_STAGE_NOISE, "", halfwidth(text).upper()).upper()


def stage_sql(expr: str, extra: dict[str, str] | None = None) -> str:
    """Emission stage code from any common spelling, ``NULL`` if unknown.

    ``extra`` maps the user's own spellings (a mapping file's ``[stages]``) to codes; they are
    looked up first.
    """
    key = stage_key_sql(expr)
    table = {stage_key(k): stage_code(v) or v for k, v in (extra or {}).items()} | {
        k: v for k, v in STAGES.items() if stage_key(k) not in {stage_key(u) for u in extra or {}}
    }
    whens = " ".join(f"WHEN {_q(k)} THEN {_q(v)}" for k, v in table.items())
    return f"(CASE {key} {whens} ELSE NULL END)"


def stage_code(text: str) -> str | None:
    """Python twin of :func:`stage_sql`: the code of a spelling (``'国六'`` -> ``'6'``), ``None`` if unknown."""
    return STAGES.get(stage_key(text))


#: stage cells that say "no stage" (gate platforms write ``X``): the stage then comes from the
#: fuel type, a new-energy plate or the mapping's ``[defaults] stage``
STAGE_NONE: tuple[str, ...] = ("X", "无", "NONE", "NA", "N/A", "/", "—", "空")


def stage_empty_sql(expr: str) -> str:
    """``TRUE`` when a stage cell is empty or says "none" (``X``, ``无``)."""
    key = stage_key_sql(expr)
    none = ", ".join(_q(k) for k in STAGE_NONE)
    return f"coalesce({key} = '' OR {key} IN ({none}), TRUE)"


#: fuel types (燃料类型) that prove the stage: battery electric -> 'd', hydrogen fuel cell -> 'h';
#: ``C`` is the gate platforms' fuel code for electric (A petrol, B diesel, E natural gas)
FUEL_STAGES: dict[str, str] = {}
for _k in ("C", "电", "电动", "纯电", "纯电动", "新能源", "电力", "换电", "充电", "EV", "BEV", "ELECTRIC",
           "BATTERYELECTRIC"):
    FUEL_STAGES[_k] = "d"
for _k in ("氢", "氢能", "氢气", "氢燃料", "燃料电池", "氢燃料电池", "FCEV", "FUELCELL", "HYDROGEN"):
    FUEL_STAGES[_k] = "h"

_FUEL_NOISE = r"汽车|车辆|车|类型|动力"


def fuel_key(text: str) -> str:
    """Python twin of the fuel-type key (stage key without 汽车 / 车 / 类型)."""
    return re.sub(_FUEL_NOISE, "", stage_key(text))


def fuel_stage_sql(expr: str, extra: dict[str, str] | None = None) -> str:
    """Stage proven by a fuel type (``纯电动`` -> ``'d'``), ``NULL`` for other fuels (diesel says no stage)."""
    key = f"regexp_replace({stage_key_sql(expr)}, {_q(_FUEL_NOISE)}, '', 'g')"
    table = {fuel_key(k): stage_code(v) or v for k, v in (extra or {}).items()}
    table |= {k: v for k, v in FUEL_STAGES.items() if k not in table}
    whens = " ".join(f"WHEN {_q(k)} THEN {_q(v)}" for k, v in table.items())
    return f"(CASE {key} {whens} ELSE NULL END)"


#: plate colours (车牌颜色) of new-energy plates: green (small vehicles, code 4) and yellow-green
#: (large vehicles, code 6)
NE_PLATE_COLOURS: tuple[str, ...] = (
    "绿", "绿色", "绿牌", "渐变绿", "渐变绿色", "黄绿", "黄绿色", "黄绿双拼色", "黄绿双拼", "4", "6", "GREEN",
    "YELLOWGREEN",
)


def plate_colour_stage_sql(colour: str, plate: str) -> str:
    """``'d'`` when a green / yellow-green colour sits on an 8-character new-energy plate.

    GA 36-2018 new-energy plates have six characters after the issuing letter (``晋DD12345``,
    ``晋D12345D``); the letter ``D`` marks battery-electric and ``F`` non-pure-electric (plug-in
    hybrids, fuel cells), so an ``F`` plate proves nothing about the stage.
    """
    key = f"upper(regexp_replace({halfwidth_sql(colour)}, '[\\s\\-_/()（）]', '', 'g'))"
    colours = ", ".join(_q(c) for c in NE_PLATE_COLOURS)
    return (
        f"(CASE WHEN {key} IN ({colours}) AND length({plate}) = 8 "
        f"AND NOT (substr({plate}, 3, 1) = 'F' OR substr({plate}, 8, 1) = 'F') THEN 'd' END)"
    )


def stage_mode_sql(stage: str, short_haul: str) -> str:
    """Mode of a gate record from its stage code and whether it is a rail short-haul leg."""
    return (
        f"(CASE WHEN {short_haul} THEN (CASE WHEN {stage} IN ('d','h') THEN 'rail_station_ne' "
        f"ELSE 'rail_station_diesel' END) "
        f"WHEN {stage} IN ('d','h') THEN 'truck_ne' WHEN {stage} = '6' THEN 'truck_cn6' ELSE 'truck_cn5' END)"
    )


# --- directions ----------------------------------------------------------------------------------
DIRECTIONS: dict[str, str] = {}
for _k in (
    "in",
    "i",
    "1",
    "inbound",
    "arrival",
    "进",
    "进厂",
    "入",
    "入厂",
    "到",
    "到达",
    "收",
    "卸",
    "卸车",
    "进货",
):
    DIRECTIONS[_k] = "in"
for _k in ("out", "o", "2", "outbound", "dispatch", "出", "出厂", "发", "发送", "发出", "装", "装车", "出货"):
    DIRECTIONS[_k] = "out"


def direction_sql(expr: str) -> str:
    key = f"lower(regexp_replace({halfwidth_sql(expr)}, '\\s', '', 'g'))"
    whens = " ".join(f"WHEN {_q(k)} THEN {_q(v)}" for k, v in DIRECTIONS.items())
    return f"(CASE {key} {whens} ELSE NULL END)"


# --- cargo -> commodity --------------------------------------------------------------------------
#: ordered (substring, commodity) rules; the first match wins, so specific names come first
CARGO_RULES: tuple[tuple[str, str], ...] = (
    ("粉煤灰", "fly_ash"),
    ("fly ash", "fly_ash"),
    ("煤矸石", "other_bulk"),
    ("焦油", "chemicals"),
    ("粗苯", "chemicals"),
    ("甲醇", "chemicals"),
    ("硫酸", "chemicals"),
    ("尿素", "chemicals"),
    ("化工", "chemicals"),
    ("煤", "coal"),
    ("coal", "coal"),
    ("焦", "coke"),
    ("兰炭", "coke"),
    ("coke", "coke"),
    ("废钢", "scrap"),
    ("scrap", "scrap"),
    ("渣", "slag"),
    ("slag", "slag"),
    ("铁矿", "iron_ore"),
    ("铁精粉", "iron_ore"),
    ("精粉", "iron_ore"),
    ("球团", "iron_ore"),
    ("烧结矿", "iron_ore"),
    ("iron ore", "iron_ore"),
    ("ore", "iron_ore"),
    ("石灰", "limestone"),
    ("白云石", "limestone"),
    ("limestone", "limestone"),
    ("lime", "limestone"),
    ("熟料", "clinker"),
    ("clinker", "clinker"),
    ("水泥", "cement"),
    ("cement", "cement"),
    ("石膏", "gypsum"),
    ("gypsum", "gypsum"),
    ("钢", "steel"),
    ("螺纹", "steel"),
    ("线材", "steel"),
    ("板材", "steel"),
    ("steel", "steel"),
    ("砂石", "other_bulk"),
    ("骨料", "other_bulk"),
)


def commodity_sql(expr: str) -> str:
    """Bulk commodity of a cargo name; ``'other'`` for unknown cargo (flagged by checks)."""
    low = f"lower({halfwidth_sql(expr)})"
    whens = " ".join(f"WHEN {low} LIKE {_q('%' + k + '%')} THEN {_q(v)}" for k, v in CARGO_RULES)
    return f"(CASE {whens} ELSE 'other' END)"


# --- timestamps ----------------------------------------------------------------------------------
TIME_FORMATS: tuple[str, ...] = (
    "%Y%m%d %H%M%S",
    "%Y%m%d%H%M%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M:%S",
    "%Y年%m月%d日",
    "%Y/%m/%d",
    "%Y-%m-%d",
    "%Y.%m.%d",
    "%Y%m%d",
)


def timestamp_sql(expr: str) -> str:
    """Timestamp from ISO, ``yyyymmdd hhmmss``, ``2026/3/5 8:05``, Chinese dates or an Excel serial."""
    t = f"trim({halfwidth_sql(expr)})"
    fmts = "[" + ", ".join(_q(f) for f in TIME_FORMATS) + "]"
    serial = (
        f"CASE WHEN regexp_full_match({t}, '[1-9][0-9]{{4}}(\\.[0-9]+)?') THEN TIMESTAMP '1899-12-30' + "
        f"to_seconds(CAST(round(CAST({t} AS DOUBLE) * 86400) AS BIGINT)) END"
    )
    return f"coalesce(try_cast({t} AS TIMESTAMP), try_strptime({t}, {fmts}), {serial})"


# --- units ---------------------------------------------------------------------------------------
KG_WORDS = ("kg", "千克", "公斤")
T_WORDS = ("t", "吨", "tonnes", "tons", "ton", "tonne")


def unit_factor_sql(expr: str) -> str:
    """Factor to tonnes of a per-row unit column (``NULL`` when the unit is not understood)."""
    key = f"lower(trim({halfwidth_sql(expr)}))"
    kg = ", ".join(_q(w) for w in KG_WORDS)
    t = ", ".join(_q(w) for w in T_WORDS)
    return f"(CASE WHEN {key} IN ({kg}) THEN 0.001 WHEN {key} IN ({t}) THEN 1.0 ELSE NULL END)"


def number_sql(expr: str) -> str:
    """A number written with thousands separators or full-width digits, ``NULL`` if not a number."""
    return f"try_cast(replace(replace(trim({halfwidth_sql(expr)}), ',', ''), '，', '') AS DOUBLE)"


def unit_of_header(header: str) -> str | None:
    """``'kg'`` or ``'t'`` when a header names its unit (``运输量(kg)``, ``净重（千克）``), else ``None``."""
    m = re.search(r"[(（\[]\s*([^)）\]]+?)\s*[)）\]]", header)
    if not m:
        return None
    word = m.group(1).strip().lower()
    if word in KG_WORDS:
        return "kg"
    if word in T_WORDS:
        return "t"
    return None


# --- places --------------------------------------------------------------------------------------
_PLACE_SUFFIX = r"(火车站|站货场|货场|货运站|车站|站|station|freight yard)$"


def place_key_sql(expr: str) -> str:
    """A place name without station suffixes, lower case, for matching station names."""
    return f"lower(regexp_replace(trim({halfwidth_sql(expr)}), {_q(_PLACE_SUFFIX)}, ''))"


def place_key(name: str) -> str:
    """Python twin of :func:`place_key_sql` for building the list of station keys."""
    return re.sub(_PLACE_SUFFIX, "", name.strip()).lower()


def in_list_sql(expr: str, values: list[str]) -> str:
    if not values:
        return "FALSE"
    return f"coalesce({expr} IN ({', '.join(_q(v) for v in values)}), FALSE)"


def meter_kind_sql(expr: str) -> str:
    """``conveyor`` or ``pipeline`` from a meter kind or a meter name."""
    low = f"lower({halfwidth_sql(expr)})"
    return (
        f"(CASE WHEN {low} LIKE '%pipe%' OR {low} LIKE '%管道%' OR {low} LIKE '%管输%' THEN 'pipeline' "
        f"WHEN {low} LIKE '%conveyor%' OR {low} LIKE '%belt%' OR {low} LIKE '%皮带%' OR {low} LIKE '%输送%' "
        f"OR {low} LIKE '%廊%' THEN 'conveyor' ELSE NULL END)"
    )


# --- de-duplication keys (over normalised columns) -----------------------------------------------
def rail_key_sql() -> str:
    """Key of a rail waybill: its number, else date, station, cargo name, direction and tonnes.

    The cargo *name* (not the commodity) keeps the key independent of the cargo mapping.
    """
    return (
        "CASE WHEN waybill_no IS NOT NULL THEN concat_ws('|', 'rail', enterprise_id, waybill_no) "
        "ELSE concat_ws('|', 'rail', enterprise_id, CAST(CAST(ts AS DATE) AS VARCHAR), station, lower(cargo), "
        "direction, CAST(round(tonnes, 1) AS VARCHAR)) END"
    )


def quote(text: str) -> str:
    """Public alias of the SQL literal quoting used in this module."""
    return _q(text)


# --- total rows ----------------------------------------------------------------------------------
#: a cell that marks a total row (合计 / 小计 / 总计 / 本页合计 / total ...), maybe followed by a count
TOTAL_PATTERN = (
    r"(本页|本月|本日|本期|全部|总)?(合\s*计|小\s*计|总\s*计|共\s*计)\s*[:：]?\s*[0-9,.\s条笔车次辆吨tT]*"
    r"|(?i:(grand\s*)?(sub)?total|sum)\s*:?\s*[0-9,.\s]*"
)
#: the grand-total spellings (not 小计 / subtotal): their quantity is compared with the rows' sum
GRAND_TOTAL_PATTERN = r"(本页|本月|本期|全部|总)?(合\s*计|总\s*计|共\s*计).*|(?i:(grand\s*)?total).*"


def total_row_sql(exprs: list[str]) -> str:
    """``TRUE`` when any of the row's cells marks it as a total row."""
    if not exprs:
        return "FALSE"
    parts = [f"({_total_hint_sql(e)} AND {_full_match_sql(e, TOTAL_PATTERN)})" for e in exprs]
    return "(" + " OR ".join(parts) + ")"


def _total_hint_sql(expr: str) -> str:
    """A cheap pre-test (a plain substring search) so the regular expression runs on few cells."""
    return (
        f"coalesce(contains({expr}, '计') OR contains(lower({expr}), 'total') "
        f"OR contains(lower({expr}), 'sum'), FALSE)"
    )


def _full_match_sql(expr: str, pattern: str) -> str:
    return f"coalesce(regexp_full_match(trim({halfwidth_sql(expr)}), {_q(pattern)}), FALSE)"


def grand_total_row_sql(exprs: list[str]) -> str:
    """``TRUE`` when a cell marks a grand total (合计 / 总计, not 小计)."""
    if not exprs:
        return "FALSE"
    parts = [f"({_total_hint_sql(e)} AND {_full_match_sql(e, GRAND_TOTAL_PATTERN)})" for e in exprs]
    return "(" + " OR ".join(parts) + ")"
