"""Bilingual (English / Chinese) labels for what users read.

Each module registers its own labels with :func:`register`; :func:`t` looks one up.
Code, logs and docs stay in English; tables, maps and reports follow ``lang``.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

_LABELS: dict[str, dict[str, str]] = {}


def register(labels: dict[str, tuple[str, str]]) -> None:
    """Add labels as ``{key: (english, chinese)}``; a key registered twice keeps the last pair."""
    for key, (en, zh) in labels.items():
        _LABELS[key] = {"en": en, "zh": zh}


def t(key: str, lang: str = "en", **fmt: object) -> str:
    """Return the label ``key`` in ``lang`` (falls back to English, then to the key itself)."""
    entry = _LABELS.get(key)
    text = key if entry is None else entry.get(lang) or entry["en"]
    return text.format(**fmt) if fmt else text


def vocab(kind: str, value: object, lang: str = "en") -> str:
    """Label of a vocabulary value (``kind``: ``industry``, ``commodity``, ``check`` ...); unknown values come back as given."""
    text = str(value)
    entry = _LABELS.get(f"{kind}.{text}")
    return text if entry is None else entry.get(lang) or entry["en"]


def check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        from cleanfreight.errors import InputError

        raise InputError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    return lang  # type: ignore[return-value]


register(
    {
        "enterprise_id": ("Enterprise ID", "企业编号"),
        "name": ("Name", "名称"),
        "industry": ("Industry", "行业"),
        "district": ("District / county", "区县"),
        "clean_ratio": ("Clean-transport ratio", "清洁运输比例"),
        "target": ("Target", "目标"),
        "tonnes_total": ("Total tonnes", "总运量(吨)"),
        "tonnes_clean": ("Clean tonnes", "清洁运量(吨)"),
        "gap_tonnes": ("Gap to target (t)", "距目标缺口(吨)"),
        "meets_target": ("Meets target", "是否达标"),
        "yes": ("yes", "是"),
        "no": ("no", "否"),
        "city": ("City", "全市"),
        "rulebook": ("Rulebook", "核算规则"),
        "co2_t": ("CO2 (t)", "二氧化碳(吨)"),
        "nox_kg": ("NOx (kg)", "氮氧化物(千克)"),
        "pm25_kg": ("PM2.5 (kg)", "细颗粒物(千克)"),
        "road_tkm": ("Road tonne-km", "公路吨公里"),
        "illustrative": (
            "Illustrative sample data: names and figures are not real enterprise data.",
            "示意性样例数据：企业名称与数据均非真实企业数据。",
        ),
    }
)


_INDUSTRIES = {
    "steel": ("steel", "钢铁"),
    "coking": ("coking", "焦化"),
    "power": ("power", "电力"),
    "coal_chemical": ("coal chemical", "煤化工"),
    "cement": ("cement", "水泥"),
    "coal_washery": ("coal washery", "洗煤"),
    "logistics_park": ("logistics park", "物流园区"),
    "chemical": ("chemical", "化工"),
    "building_materials": ("building materials", "建材"),
    "other": ("other", "其他"),
}
_COMMODITIES = {
    "coal": ("coal", "煤炭"),
    "coke": ("coke", "焦炭"),
    "iron_ore": ("iron ore", "铁矿石"),
    "steel": ("steel", "钢材"),
    "limestone": ("limestone", "石灰石"),
    "cement": ("cement", "水泥"),
    "clinker": ("clinker", "熟料"),
    "scrap": ("scrap", "废钢"),
    "slag": ("slag", "矿渣"),
    "fly_ash": ("fly ash", "粉煤灰"),
    "gypsum": ("gypsum", "石膏"),
    "chemicals": ("chemicals", "化工产品"),
    "other_bulk": ("other bulk", "其他大宗"),
}
register({f"industry.{k}": v for k, v in _INDUSTRIES.items()})
register({f"commodity.{k}": v for k, v in _COMMODITIES.items()})
register({"enterprises_meeting": ("enterprises meet the target", "家企业达标"),
          "files_written": ("written to {dir}: {files}", "已写入 {dir}：{files}")})
