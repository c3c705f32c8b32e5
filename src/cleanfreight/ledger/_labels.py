"""What the ledger's users read, in English and Chinese: column labels, reject reasons, check details.

The database and the JSON keep stable English codes and texts (scripts depend on them); these
helpers translate them when a table, CSV or workbook is written for a person (``--lang zh``).
A text no pattern knows comes back unchanged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from cleanfreight import _i18n

_i18n.register(
    {
        # rejects
        "lg.file_name": ("File", "文件"),
        "lg.src_row": ("Row", "行号"),
        "lg.column_name": ("Column", "列"),
        "lg.value": ("Value", "值"),
        "lg.reason": ("Reason", "原因"),
        "lg.import_id": ("Import", "导入批次"),
        "lg.rejects.title": ("{n} problem(s) in {rows} rejected row(s)", "{rows} 行被拒收，共 {n} 个问题"),
        "lg.rejects.more": (
            "showing the first {limit}; --out FILE exports all of them",
            "仅显示前 {limit} 条；用 --out 文件 导出全部",
        ),
        "lg.rejects.written": (
            "{n} problem(s) in {rows} rejected row(s) written to {file}",
            "{rows} 行被拒收（{n} 个问题）已写入 {file}",
        ),
        # ingest
        "lg.file": ("File", "文件"),
        "lg.kind": ("Kind", "类型"),
        "lg.encoding": ("Encoding", "编码"),
        "lg.unit": ("Unit", "单位"),
        "lg.rows": ("Rows", "数据行"),
        "lg.accepted": ("Accepted", "接收"),
        "lg.rejected": ("Rejected", "拒收"),
        "lg.duplicates": ("Duplicates", "重复"),
        "lg.totals": ("Total rows (skipped)", "合计行(跳过)"),
        "lg.stage_from": ("Stage from fuel / plate / default", "排放阶段来自燃料/号牌/默认"),
        "lg.ingest.title": ("Ledger import", "台账导入"),
        "lg.ingest.summary": (
            "accepted {accepted}  rejected {rejected}  duplicates {duplicates}  total rows skipped {totals}",
            "接收 {accepted} 行，拒收 {rejected} 行，重复 {duplicates} 行，跳过合计行 {totals} 行",
        ),
        "lg.ingest.see_rejects": (
            "see the rejected rows with: cleanfreight ledger rejects --db {db} --out rejects.csv",
            "查看拒收行：cleanfreight ledger rejects --db {db} --out rejects.csv --lang zh",
        ),
        "lg.warning": ("warning", "警告"),
        "lg.stage_src.fuel": ("fuel type", "燃料类型"),
        "lg.stage_src.plate": ("new-energy plate", "新能源号牌"),
        "lg.stage_src.default": ("mapping default", "映射默认值"),
        "lg.kind.gate": ("gate", "门禁"),
        "lg.kind.rail": ("rail waybill", "铁路货票"),
        "lg.kind.meter": ("meter", "计量"),
        "lg.direction.in": ("in", "进"),
        "lg.direction.out": ("out", "出"),
        # coverage
        "lg.coverage": ("Coverage", "报送情况"),
        "lg.enterprises_expected": ("Enterprises expected", "应报送企业数"),
        "lg.enterprises_reported": ("Enterprises reported", "已报送企业数"),
        "lg.coverage_enterprises": ("Share of enterprise-months reported", "企业报送率"),
        "lg.tonnes_reported": ("Tonnes reported", "已报送运量(吨)"),
        "lg.tonnes_expected": ("Tonnes expected", "应有运量(吨)"),
        "lg.coverage_tonnes": ("Share of tonnes reported", "运量报送率"),
        "lg.coverage_complete": ("All expected enterprises reported", "是否全部报送"),
        "lg.complete": ("Complete", "是否完整"),
        "lg.not_reported": ("Not reported", "未报送"),
        "lg.reported": ("Reported", "已报送"),
        "lg.estimate": ("Expected tonnes from", "应有运量依据"),
        "lg.estimate.reported": ("reported", "已报送"),
        "lg.estimate.history": ("mean of reported months", "已报送月份平均"),
        "lg.estimate.declared": ("declared tonnes / 12", "申报年运量/12"),
        "lg.estimate.unknown": ("unknown", "未知"),
        "lg.coverage.line": (
            "Coverage {month}: {rep}/{exp} enterprises, {share} of expected tonnes",
            "{month} 报送：{rep}/{exp} 家企业，运量报送率 {share}",
        ),
        "lg.coverage.missing": ("not reported: {ids}", "未报送：{ids}"),
        "lg.coverage.differs": (
            "Coverage differs between {a} and {b}: the city ratios ({ra} → {rb}) are not comparable. "
            "Like for like ({n} enterprises that reported in both months): {ca} → {cb}.",
            "{a} 与 {b} 报送企业不同，全市比例（{ra} → {rb}）不可直接比较。"
            "按两月均报送的 {n} 家企业同口径比较：{ca} → {cb}。",
        ),
        "lg.coverage.incomplete_note": (
            "Incomplete: {n} expected enterprise-month(s) not reported; city figures are not comparable with a complete period.",
            "报送不完整：{n} 个企业月份未报送；全市数据不能与报送完整的时期直接比较。",
        ),
        "lg.name_zh": ("Name (Chinese)", "企业名称"),
        "lg.name_en": ("Name", "企业名称(英文)"),
        "lg.enterprise_name": ("Name", "企业名称"),
        "lg.ratio_prev_common": ("Previous ratio, like for like", "上月同口径比例"),
        "lg.ratio_common": ("Ratio, like for like", "本月同口径比例"),
        "lg.same_coverage": ("Same enterprises reported", "报送企业相同"),
        "lg.common_enterprises": ("Enterprises in both months", "两月均报送企业数"),
        "lg.month_prev": ("Previous month", "上月"),
        "lg.records_short": ("Records", "记录数"),
        "lg.w.city": ("City", "全市"),
        "lg.enterprises": ("Enterprises", "企业数"),
        "lg.enterprises_meeting_target": ("Enterprises meeting the target", "达标企业数"),
        "lg.sum_enterprise_gaps_tonnes": ("Sum of the enterprises' gaps (t)", "各企业缺口之和(吨)"),
        "lg.tonnes_in_ledger": ("Tonnes in the ledger (waybills)", "台账中已有运量(吨)"),
        "lg.tonnes_unknown": ("Enterprise-months with unknown expected tonnes", "应有运量未知的企业月份数"),
        "lg.enterprise_months_expected": ("Enterprise-months expected", "应报送企业月份数"),
        "lg.enterprise_months_reported": ("Enterprise-months reported", "已报送企业月份数"),
        "lg.w.enterprises": ("Enterprises", "企业"),
        "lg.w.by_mode": ("By mode", "分运输方式"),
        "lg.w.coverage": ("Coverage", "报送情况"),
        "lg.w.not_reported": ("Not reported", "未报送明细"),
        "lg.w.item": ("Item", "项目"),
        "lg.w.value": ("Value", "数值"),
        "lg.w.title": ("Clean-transport ledger report {period}", "清洁运输台账报表 {period}"),
    }
)

#: canonical field -> label (the Chinese label is the first alias of the field, a real export header)
_FIELD_EN = {
    "timestamp": "Timestamp",
    "date": "Date",
    "plate": "Plate",
    "stage": "Emission stage",
    "fuel": "Fuel type",
    "plate_colour": "Plate colour",
    "cargo": "Cargo",
    "tonnes": "Tonnes",
    "counter": "Counter reading",
    "unit": "Unit",
    "direction": "Direction",
    "enterprise_id": "Enterprise ID",
    "enterprise_name": "Enterprise name",
    "meter_kind": "Meter kind",
    "meter_id": "Meter",
}


def lt(key: str, lang: str, **fmt: object) -> str:
    """A ledger label (registered here under ``lg.``), else the shared label of ``key``."""
    text = _i18n.t(f"lg.{key}", lang, **fmt)
    return _i18n.t(key, lang, **fmt) if text == f"lg.{key}" else text


def field_label(name: str, lang: str) -> str:
    """Label of a canonical field (``stage`` -> ``排放阶段``) for a reject's column."""
    from cleanfreight.ledger._readers import HEADER_ALIASES

    if lang == "zh" and name in HEADER_ALIASES:
        return HEADER_ALIASES[name][0]
    return _FIELD_EN.get(name, name)


def _commodity(text: str, lang: str) -> str:
    return _i18n.vocab("commodity", text, lang)


def _direction(text: str, lang: str) -> str:
    return lt(f"direction.{text}", lang)


_Sub = Callable[[re.Match[str]], str]

#: English reject reason -> Chinese (patterns for those with numbers)
_REASONS: tuple[tuple[str, str], ...] = (
    (r"unreadable or missing timestamp", "时间无法识别或缺失"),
    (r"timestamp outside (?P<a>\d+)-(?P<b>\d+)", "时间不在 {a}–{b} 年之间"),
    (
        r"no enterprise id \(an id column, --enterprise, or a known enterprise name\)",
        "缺少企业编号（需要企业编号列、--enterprise 参数，或企业名单中的企业名称）",
    ),
    (r"unknown direction; expected in/out \(进/出\)", "进出方向无法识别，应为 进/出（in/out）"),
    (r"unknown unit; expected t/吨 or kg/千克/公斤", "计量单位无法识别，应为 吨/t 或 千克/公斤/kg"),
    (r"quantity missing or not a number", "运输量缺失或不是数字"),
    (r"counter reading must not be negative", "累计读数不能为负数"),
    (r"quantity must be greater than 0", "运输量必须大于 0"),
    (r"load above (?P<t>[\d.]+) t is impossible for a truck", "单车载重超过 {t} 吨，不可能"),
    (r"missing plate", "缺少车牌号码"),
    (r"invalid plate; expected e\.g\. 晋D12345", "车牌号码格式不正确，应如 晋D12345"),
    (
        r"unknown emission stage; expected 0-6, d \(electric\), h \(fuel cell\) or X \(none\)",
        "排放阶段无法识别，应为 0–6、d（纯电动）、h（燃料电池）或 X（无）",
    ),
    (
        r"no emission stage: .*",
        "缺少排放阶段：排放阶段为空或为 X，燃料类型和新能源号牌也不能证明是电动车；"
        "可在映射文件中设置 [defaults] stage 或 [stages]",
    ),
    (r"cannot tell conveyor or pipeline", "无法判断是皮带输送还是管道输送"),
    (r"timestamp is a special value, not a date", "时间为特殊值（如 infinity），不是日期"),
    (
        r"timestamp more than (?P<d>[\d.]+) days after the import \(after (?P<day>[\d-]+)\)",
        "时间晚于导入日 {d} 天以上（{day} 之后）",
    ),
    (r"quantity is not a finite number \(nan / inf / too large\)", "运输量不是有限数值（nan、inf 或过大）"),
    (
        r"quantity above (?P<l>[\d,]+) t is implausible for a rail waybill \(IngestParams\.(?P<s>\w+)\)",
        "运输量超过 {l} 吨，对一张铁路货票不合理（IngestParams.{s}）",
    ),
    (
        r"quantity above (?P<l>[\d,]+) t is implausible for a meter reading \(IngestParams\.(?P<s>\w+)\)",
        "运输量超过 {l} 吨，对一次计量读数不合理（IngestParams.{s}）",
    ),
    (
        r"quantity above (?P<l>[\d,]+) t is implausible for a running-counter reading "
        r"\(IngestParams\.(?P<s>\w+)\)",
        "读数超过 {l} 吨，对累计计数器不合理（IngestParams.{s}）",
    ),
    (
        r"conflicts with the waybill of (?P<f>.*) row (?P<r>\d+) \((?P<t>.*)\): a re-send with other values "
        r"is not counted; correct one of them",
        "与 {f} 第 {r} 行的同号货票冲突（{t}）：重复报送但数值不同，不计入；请更正其中之一",
    ),
    (
        r"conflicts with the reading of (?P<f>.*) row (?P<r>\d+) \((?P<t>.*)\): a re-send with other values "
        r"is not counted; correct one of them",
        "与 {f} 第 {r} 行的同一计量读数冲突（{t}）：重复报送但数值不同，不计入；请更正其中之一",
    ),
    (
        r"last line cut inside a character \(file truncated\?\): not valid (?P<e>\S+)",
        "最后一行在字符中间被截断（文件不完整？）：不是有效的 {e}",
    ),
    (
        r"bytes not valid (?P<e>\S+), the encoding detected from the start of the file; "
        r"re-export the file in one encoding",
        "含有不符合 {e}（按文件开头识别的编码）的字节；请用统一编码重新导出",
    ),
    (
        r"line of (?P<n>[\d,]+) characters; a record has at most (?P<m>[\d,]+)",
        "该行有 {n} 个字符，一条记录最多 {m} 个",
    ),
    (
        r"unmatched quote \(\"\) in this line; the rows below are read on their own",
        "该行引号（\"）不成对；其下各行单独读取",
    ),
    (
        r"(?P<n>\d+) cells but the header has (?P<k>\d+) columns \(an unquoted comma in a value\?\)",
        "该行有 {n} 个单元格，表头只有 {k} 列（数值中含未加引号的逗号？）",
    ),
    (r"unreadable row", "无法读取的行"),
)

#: English check detail -> Chinese
_DETAILS: tuple[tuple[str, str], ...] = (
    (
        r"stages recorded: (?P<stages>.*); enterprises: (?P<ents>.*)",
        "记录到的排放阶段：{stages}；涉及企业：{ents}",
    ),
    (
        r"max load (?P<t>[\d.]+) t > plausible payload (?P<p>[\d.]+) t",
        "最大载重 {t} 吨，超过合理载重 {p} 吨",
    ),
    (
        r"passed twice in the same direction within (?P<m>[\d.]+) min \((?P<n>\d+) times\)",
        "{m} 分钟内同方向重复通过（{n} 次）",
    ),
    (r"enterprise not in the roster", "企业不在企业名单内"),
    (r"(?P<n>\d+) day\(s\) without any record: (?P<days>.*)", "{n} 天无任何记录：{days}"),
    (
        r"(?P<c>\w+) by road to outside Shanxi \((?P<d>.*)\); the rulebook wants rail",
        "{c}经公路运往省外（{d}）；核算规则要求铁路运输",
    ),
    (
        r"(?P<c>\w+) leaving by road with no destination recorded: cannot confirm it stays in Shanxi",
        "{c}经公路出厂但未记录目的地：无法确认是否留在省内",
    ),
    (
        r"(?P<m>\d{4}-\d{2}) (?P<dir>in|out): short-haul trucks to/from a station but no station waybill; "
        r"gate tonnes counted",
        "{m} {dir}：有往返车站的短驳车辆但无车站货票；按门禁运量计",
    ),
    (r"cargo not mapped to a bulk commodity: (?P<c>.*)", "货物名称未对应到大宗货物类别：{c}"),
    (
        r"meter (?P<m>.*) \((?P<dir>in|out)\): reading (?P<r>[\d.]+) t below the previous (?P<p>[\d.]+) t "
        r"of (?P<day>[\d-]+); counter reset or replaced, the quantity of this interval is not counted",
        "计量点 {m}（{dir}）：读数 {r} 吨低于 {day} 的上次读数 {p} 吨；计数器复位或更换，本区间运量不计",
    ),
    (
        r"(?P<m>\d{4}-\d{2}): no gate or meter records \(not reported\); about (?P<t>[\d.]+) t expected "
        r"\(the mean of its reported months\)(?P<rest>.*)",
        "{m}：无门禁或计量记录（未报送）；按已报送月份平均约应有 {t} 吨{rest}",
    ),
    (
        r"(?P<m>\d{4}-\d{2}): no gate or meter records \(not reported\); about (?P<t>[\d.]+) t expected "
        r"\(its declared tonnes per year / 12\)(?P<rest>.*)",
        "{m}：无门禁或计量记录（未报送）；按申报年运量/12 约应有 {t} 吨{rest}",
    ),
    (
        r"(?P<m>\d{4}-\d{2}): no gate or meter records \(not reported\); expected tonnes unknown(?P<rest>.*)",
        "{m}：无门禁或计量记录（未报送）；应有运量未知{rest}",
    ),
    (r"; rail waybills in the ledger: (?P<n>\d+) \((?P<t>[\d.]+) t\)", "；台账中有铁路货票 {n} 张（{t} 吨）"),
)

#: English import warnings -> Chinese
_WARNINGS: tuple[tuple[str, str], ...] = (
    (
        r"median load (?P<t>\d+) looks like kilograms; if so, set unit = 'kg' in a mapping file",
        "载重中位数为 {t}，像是以千克计；如是，请在映射文件中设置 unit = 'kg'",
    ),
    (
        r"(?P<n>\d+) counter reset\(s\): no quantity derived for those intervals \(see the counter_reset check\)",
        "{n} 次计数器复位：这些区间不计运量（见 counter_reset 核查）",
    ),
    (
        r"(?P<n>\d+) row\(s\) without an emission stage, most often (?P<seen>.*); if these are electric trucks, "
        r"add the fuel type to \[stages\] in a mapping file",
        "{n} 行缺少排放阶段，最常见的是 {seen}；如为电动车，请把这种燃料类型写入映射文件的 [stages]",
    ),
    (
        r"the total row \(合计\) states (?P<a>[\d,.]+) t but the other rows sum to (?P<b>[\d,.]+) t; "
        r"the export may be incomplete",
        "合计行为 {a} 吨，但明细行合计 {b} 吨；导出文件可能不完整",
    ),
)


def _translate(text: str, table: tuple[tuple[str, str], ...], lang: str) -> str:
    if lang != "zh" or not isinstance(text, str):
        return text
    for pattern, zh in table:
        m = re.fullmatch(pattern, text)
        if m:
            groups: dict[str, Any] = {k: (v or "") for k, v in m.groupdict().items()}
            if "c" in groups:
                groups["c"] = _commodity(groups["c"], lang)
            if "dir" in groups:
                groups["dir"] = _direction(groups["dir"], lang)
            if "rest" in groups:
                groups["rest"] = _translate(groups["rest"], _DETAILS, lang) if groups["rest"] else ""
            return zh.format(**groups)
    return text


def reason_text(reason: str, lang: str) -> str:
    """A reject reason in ``lang`` (reasons are stored in English)."""
    return _translate(reason, _REASONS, lang)


def detail_text(detail: str, lang: str) -> str:
    """A check's detail in ``lang`` (details are computed in English, the JSON keeps them)."""
    return _translate(detail, _DETAILS, lang)


def warning_text(warning: str, lang: str) -> str:
    """An import warning in ``lang``."""
    return _translate(warning, _WARNINGS, lang)


def percent(value: Any, digits: int = 1) -> str:
    """``0.3204`` -> ``'32.0%'``; empty for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        return f"{float(value):.{digits}%}"
    except (TypeError, ValueError):
        return str(value)


def enterprise_names(db: Any, roster: Any, lang: str) -> dict[str, str]:
    """Enterprise id -> name for tables: the roster's (``name_zh`` / ``name_en`` by ``lang``), else
    the names the imported files carried (企业名称 column)."""
    from cleanfreight.ledger._db import LedgerReader

    with LedgerReader(db) as reader:
        df = reader.df(
            "SELECT enterprise_id, min(enterprise_name) AS name FROM records "
            "WHERE enterprise_name IS NOT NULL GROUP BY enterprise_id"
        )
    names = {str(e): str(n) for e, n in zip(df["enterprise_id"], df["name"], strict=True)}
    if roster is not None:
        ent = roster.enterprises
        cols = ["name_zh", "name_en"] if lang == "zh" else ["name_en", "name_zh"]
        for col in reversed(cols):  # the preferred language last, so it wins
            if col in ent:
                names.update(
                    {
                        str(e): str(n)
                        for e, n in zip(ent["enterprise_id"], ent[col], strict=True)
                        if isinstance(n, str) and n
                    }
                )
    return names
