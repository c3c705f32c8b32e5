"""Reading ledger exports in chunks: encoding detection, header mapping, CSV and XLSX.

Every reader yields pandas DataFrames of text with canonical column names plus ``_row`` (the
1-based line of the CSV file or row of the worksheet), so memory stays bounded by the chunk size.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cleanfreight.errors import InputError, Problem
from cleanfreight.ledger._csv import MAX_LINE_CHARS, csv_chunks, csv_lines, split_line
from cleanfreight.ledger._normalise import stage_code, unit_of_header

logger = logging.getLogger(__name__)

KINDS = ("gate", "rail", "meter")

#: stage codes a mapping may give: China 0-VI, d battery electric, h fuel cell
STAGE_CODES = ("0", "1", "2", "3", "4", "5", "6", "d", "h")

#: canonical field -> header spellings (compared after :func:`header_key`)
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "timestamp": (
        "进出厂时间",
        "进出时间",
        "过车时间",
        "通行时间",
        "过磅时间",
        "称重时间",
        "日期时间",
        "时间",
        "计量时间",
        "timestamp",
        "datetime",
        "time",
        "passage_time",
        "gate_time",
        "ts",
    ),
    "date": ("日期", "发货日期", "到达日期", "运单日期", "承运日期", "票据日期", "date", "day"),
    "plate": (
        "车牌号码",
        "车牌号",
        "车牌",
        "号牌号码",
        "车号",
        "plate",
        "plate_no",
        "license_plate",
        "plate_number",
    ),
    "reg_date": ("注册日期", "注册登记日期", "registration_date", "reg_date"),
    "vin": ("vin", "vin码", "车辆识别代号", "车辆识别代码", "车架号"),
    "engine_no": ("发动机号码", "发动机号", "engine_no", "engine_number"),
    "stage": ("排放阶段", "排放标准", "排放等级", "emission_stage", "stage", "emission_standard"),
    "fuel": (  # evidence of the stage when 排放阶段 is empty (纯电动, fuel code C ...)
        "燃料类型",
        "燃料种类",
        "燃油类型",
        "燃料",
        "能源类型",
        "动力类型",
        "fuel",
        "fuel_type",
        "energy_type",
    ),
    "plate_colour": ("车牌颜色", "号牌颜色", "车牌颜色代码", "plate_colour", "plate_color", "plate_colour_code"),
    "cargo": (
        "运输货物名称",
        "货物名称",
        "货物",
        "品名",
        "物料名称",
        "物料",
        "货名",
        "cargo",
        "goods",
        "commodity",
    ),
    "tonnes": (
        "运输量",
        "净重",
        "重量",
        "吨数",
        "实际重量",
        "计费重量",
        "运量",
        "数量",
        "计量值",
        "tonnes",
        "weight",
        "net_weight",
        "quantity",
        "amount",
        "tons",
    ),
    "counter": (  # a running counter (cumulative meter): converted to per-period quantities
        "累计量",
        "累计运输量",
        "累计输送量",
        "累计重量",
        "累计值",
        "累计读数",
        "累计示数",
        "表底数",
        "累计",
        "cumulative",
        "cumulative_tonnes",
        "counter",
        "totaliser",
        "totalizer",
        "meter_reading",
    ),
    "unit": ("单位", "计量单位", "unit", "units"),
    "fleet": ("车队名称", "车队", "运输单位", "承运单位", "fleet", "carrier"),
    "direction": (
        "进出方向",
        "方向",
        "进出厂",
        "进出类型",
        "进出",
        "发到",
        "发/到",
        "收发",
        "direction",
        "in_out",
        "inout",
    ),
    "enterprise_id": (
        "企业编号",
        "企业代码",
        "企业id",
        "单位编号",
        "enterprise_id",
        "company_id",
        "enterprise",
    ),
    "enterprise_name": ("企业名称", "单位名称", "enterprise_name", "company_name", "company"),
    "origin": ("起运地", "起点", "发货地", "始发地", "发货地点", "origin", "from"),
    "destination": ("目的地", "终点", "收货地", "到达地", "收货地点", "destination", "to"),
    # shipper / consignee: read as origin / destination when the file has no place column
    "shipper": ("发货单位", "发货单位名称", "发货方", "发货人", "托运单位", "托运人", "供货单位", "shipper"),
    "consignee": ("收货单位", "收货单位名称", "收货方", "收货人", "consignee", "receiver"),
    "waybill_no": ("货票号", "货票号码", "运单号", "票号", "货票", "waybill_no", "waybill", "waybill_number"),
    "station": ("车站", "站名", "装卸站", "发站", "到站", "货场", "station", "station_id", "station_name"),
    "spur": ("专用线", "专用线名称", "专用线编号", "spur", "spur_id", "spur_line"),
    "wagons": ("车数", "车辆数", "wagons", "cars"),
    "meter_id": ("计量点", "计量设备", "表号", "计量点编号", "皮带秤", "meter_id", "meter"),
    "meter_kind": ("输送方式", "计量类型", "meter_kind", "transport_kind"),
}

_ALIAS_INDEX: dict[str, str] = {}
for _field, _aliases in HEADER_ALIASES.items():
    for _a in _aliases:
        _ALIAS_INDEX.setdefault(_a.lower(), _field)

FIELDS: tuple[str, ...] = tuple(HEADER_ALIASES)

#: words that make any header a running counter
_COUNTER_WORDS = ("累计", "cumulative", "counter", "totali")


def header_key(header: str) -> str:
    """Header without BOM, spaces, ``*`` and a parenthesised unit, lower case."""
    h = str(header).replace("\ufeff", "").strip()
    h = re.sub(r"[(（\[][^)）\]]*[)）\]]", "", h)
    return re.sub(r"[\s*＊]", "", h).lower()


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """How to read an export whose headers the built-in aliases do not cover.

    Loaded from a TOML or YAML file (``--mapping``)::

        kind = "gate"            # gate | rail | meter (default: guessed from the headers)
        unit = "kg"              # unit of the tonnes column when the header does not say
        encoding = "gb18030"     # default: detected
        sheet = "台账"            # XLSX sheet (default: the first)
        cumulative = true        # meter files: the quantity column is a running counter
        [columns]                # canonical field = header in the file
        timestamp = "过车时间"
        plate = "车号"
        [defaults]               # values for fields the file lacks, and for its empty cells
        direction = "in"
        stage = "6"              # an empty 排放阶段 with no fuel / plate evidence
        [stages]                 # a 排放阶段 or 燃料类型 value -> stage code
        "纯电动重卡" = "d"

    Parameters
    ----------
    columns
        Canonical field -> header as written in the file.
    defaults
        Canonical field -> value for every row of a file without that column, and for the
        empty cells of a file with it (``stage``: only when fuel type and plate say nothing).
    stages
        Cell value of the ``stage`` or ``fuel`` column -> stage code (``0``-``6``, ``d``, ``h``),
        looked up before the built-in spellings (``"纯电动" = "d"``, ``"国Ⅵ柴油" = "6"``).
    kind, unit, encoding, sheet
        See above; ``None`` means detect.
    cumulative
        ``True``: the quantity column of a meter file is a running counter (converted to
        per-period quantities); ``False``: it is not, whatever its header says; ``None``: a
        counter when the header says so (``累计`` / ``cumulative`` / ``counter``).
    """

    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    stages: dict[str, str] = field(default_factory=dict)
    kind: str | None = None
    unit: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    cumulative: bool | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.cumulative is not None and not isinstance(self.cumulative, bool):
            problems.append(
                Problem("cumulative must be true or false", column="cumulative", value=self.cumulative)
            )
        for name in list(self.columns) + list(self.defaults):
            if name not in FIELDS:
                problems.append(Problem(f"unknown field; expected one of {', '.join(FIELDS)}", column=name))
        for value, code in self.stages.items():
            if stage_code(code) not in STAGE_CODES:
                problems.append(
                    Problem(
                        f"stage code must be one of {', '.join(STAGE_CODES)}", column=f"stages.{value}", value=code
                    )
                )
        if "stage" in self.defaults and stage_code(self.defaults["stage"]) not in STAGE_CODES:
            problems.append(
                Problem(
                    f"default stage must be one of {', '.join(STAGE_CODES)}",
                    column="defaults.stage",
                    value=self.defaults["stage"],
                )
            )
        if self.kind is not None and self.kind not in KINDS:
            problems.append(
                Problem(f"kind must be one of {', '.join(KINDS)}", column="kind", value=self.kind)
            )
        if self.unit is not None and self.unit not in ("t", "kg"):
            problems.append(Problem("unit must be 't' or 'kg'", column="unit", value=self.unit))
        if problems:
            raise InputError("invalid column mapping", problems)


def load_mapping(path: str | Path) -> ColumnMapping:
    """Read a :class:`ColumnMapping` from a TOML (``.toml``) or YAML (``.yaml``/``.yml``) file."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    data: Any
    if p.suffix.lower() in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(text) or {}
    else:
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"cannot read mapping file {p}", [Problem(str(exc), file=str(p))]) from None
    if not isinstance(data, dict):
        raise InputError(f"mapping file {p} must hold a table of settings")
    allowed = {"columns", "defaults", "stages", "kind", "unit", "encoding", "sheet", "cumulative"}
    problems = [Problem("unknown setting", file=str(p), column=k) for k in data if k not in allowed]
    if problems:
        raise InputError(f"invalid mapping file {p}", problems)
    return ColumnMapping(
        columns={str(k): str(v) for k, v in (data.get("columns") or {}).items()},
        defaults={str(k): str(v) for k, v in (data.get("defaults") or {}).items()},
        stages={str(k): str(v) for k, v in (data.get("stages") or {}).items()},
        kind=data.get("kind"),
        unit=data.get("unit"),
        encoding=data.get("encoding"),
        sheet=data.get("sheet"),
        cumulative=data.get("cumulative"),
    )


# --- encodings -----------------------------------------------------------------------------------
def detect_encoding(path: Path, sample_bytes: int = 1 << 20) -> str:
    """``utf-8-sig``, ``utf-8``, ``gbk`` or ``gb18030``, judged from the first MiB of the file."""
    with path.open("rb") as fh:
        raw = fh.read(sample_bytes)
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    first_error: UnicodeDecodeError | None = None
    for enc in ("utf-8", "gbk", "gb18030"):
        try:
            codecs.getincrementaldecoder(enc)().decode(raw, final=False)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
            continue
        return enc
    where = ""
    if first_error is not None and first_error.start > 0:
        line = raw[: first_error.start].count(b"\n") + 1
        where = f" (UTF-8 up to line {line}, then other bytes: mixed encodings?)"
    raise InputError(
        f"cannot tell the encoding of {path}",
        [
            Problem(
                f"not UTF-8, GBK or GB18030{where}; re-export it in one encoding or set encoding in a mapping file",
                file=str(path),
            )
        ],
    )


# --- structure -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FileLayout:
    """What was learned about a file before reading its rows."""

    path: Path
    fmt: str  # csv | xlsx
    encoding: str | None
    header_row: int  # 1-based line / row of the header
    headers: tuple[str, ...]
    fields: dict[str, str]  # canonical field -> header in the file
    unit: str  # t | kg | column (per-row unit column)
    kind: str
    ignored: tuple[str, ...]
    qty_field: str = "tonnes"  # the column of the quantity: tonnes, or counter for running counters
    cumulative: bool = False  # the quantity is a running counter (meter files)
    mark_columns: tuple[str, ...] = ()  # read only to spot total rows (an unmapped first column: 序号 ...)


def _pick_header(
    candidates: list[tuple[int, list[str]]], mapping: ColumnMapping, path: Path
) -> tuple[int, list[str]]:
    """The first row naming at least two known fields (exports often start with a title row)."""
    if not candidates:
        raise InputError(
            f"{path} has no header row",
            [Problem("empty, or its first lines cannot be read (cut short? another encoding?)", file=str(path))],
        )
    wanted = {header_key(h) for h in mapping.columns.values()}
    for lineno, cells in candidates:
        hits = sum(1 for c in cells if header_key(c) in _ALIAS_INDEX or header_key(c) in wanted)
        if hits >= 2:
            return lineno, cells
    return candidates[0]


def _csv_header(path: Path, encoding: str, mapping: ColumnMapping) -> tuple[int, list[str]]:
    candidates: list[tuple[int, list[str]]] = []
    for lineno, text, _ in csv_lines(path, encoding):
        if text is None or not text.strip() or text.lstrip("\ufeff").startswith("#"):
            continue
        if len(text) > MAX_LINE_CHARS:
            continue  # no header is that long; the line is reported when the rows are read
        cells, _ = split_line(text.lstrip("\ufeff"))
        candidates.append((lineno, cells))
        if len(candidates) >= 20:
            break
    return _pick_header(candidates, mapping, path)


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Rows of the sheet; a damaged or fake workbook raises :class:`InputError` (never a traceback)."""
    import openpyxl

    fname = str(path)
    with path.open("rb") as fh:
        head = fh.read(4096)
    magic = head[:4]
    if magic != b"PK\x03\x04":
        text = False
        if head and b"\x00" not in head:
            for enc in ("utf-8", "gb18030"):
                try:
                    codecs.getincrementaldecoder(enc)().decode(head, final=False)
                except UnicodeDecodeError:
                    continue
                text = True
                break
        hint = "it is text (CSV?): rename it .csv" if text else "re-export it from the gate system"
        raise InputError(
            f"cannot read {path.name}",
            [Problem(f"not an XLSX workbook (no zip signature); {hint}", file=fname, value=magic.hex())],
        )
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # any failure of the parser on a damaged file is bad input
        raise InputError(
            f"cannot read {path.name}",
            [Problem(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})", file=fname)],
        ) from None
    try:
        if sheet and sheet not in wb.sheetnames:
            raise InputError(
                f"cannot read {path.name}",
                [Problem(f"no sheet {sheet!r}; the workbook has {', '.join(wb.sheetnames)}", file=fname)],
            )
        if not wb.worksheets:
            raise InputError(f"cannot read {path.name}", [Problem("the workbook has no sheet", file=fname)])
        ws = wb[sheet] if sheet else wb.worksheets[0]
        i = 0
        try:
            for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
                yield i, row
        except InputError:
            raise
        except Exception as exc:  # a damaged sheet part, a cut zip member ...
            raise InputError(
                f"cannot read {path.name}",
                [Problem(f"damaged workbook after row {i} ({type(exc).__name__}: {exc}); nothing of it was imported",
                         file=fname, row=i + 1)],
            ) from None
    finally:
        wb.close()


def _xlsx_header(path: Path, mapping: ColumnMapping) -> tuple[int, list[str]]:
    candidates: list[tuple[int, list[str]]] = []
    for i, row in _xlsx_rows(path, mapping.sheet):
        cells = ["" if v is None else str(v) for v in row]
        if not any(c.strip() for c in cells) or cells[0].startswith("#"):
            continue
        while cells and not cells[-1].strip():
            cells.pop()
        candidates.append((i, cells))
        if len(candidates) >= 20:
            break
    return _pick_header(candidates, mapping, path)


def guess_kind(fields: dict[str, str]) -> str | None:
    if "plate" in fields:
        return "gate"
    if "waybill_no" in fields or "spur" in fields or "station" in fields or "wagons" in fields:
        return "rail"
    if "meter_id" in fields or "meter_kind" in fields:
        return "meter"
    return None


def inspect_file(path: Path, mapping: ColumnMapping, has_enterprise: bool) -> FileLayout:
    """Detect format, encoding, header row, field mapping, unit and kind; gather every problem."""
    fname = str(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        fmt, encoding = "xlsx", None
        header_row, headers = _xlsx_header(path, mapping)
    elif suffix in (".csv", ".txt", ".tsv", ""):
        fmt = "csv"
        encoding = mapping.encoding or detect_encoding(path)
        header_row, headers = _csv_header(path, encoding, mapping)
    else:
        raise InputError(
            f"cannot read {path}", [Problem("expected a .csv or .xlsx file", file=fname, value=path.suffix)]
        )
    problems: list[Problem] = []
    fields: dict[str, str] = {}
    by_key = {header_key(h): h for h in headers}
    for canon, header in mapping.columns.items():
        if header in headers:
            fields[canon] = header
        elif header_key(header) in by_key:
            fields[canon] = by_key[header_key(header)]
        else:
            problems.append(
                Problem(f"mapping names column {header!r} which the file lacks", file=fname, column=canon)
            )
    for h in headers:
        alias = _ALIAS_INDEX.get(header_key(h))
        if alias is None and any(w in header_key(h) for w in _COUNTER_WORDS):
            alias = "counter"  # 本月累计输送量, cumulative_t, ...
        if alias is not None and alias not in fields and h not in fields.values():
            fields[alias] = h
    ignored = tuple(h for h in headers if h not in fields.values())
    kind = mapping.kind or guess_kind(fields)
    if kind is None:
        problems.append(
            Problem(
                "cannot tell whether this is a gate, rail waybill or meter file; add kind to a mapping file",
                file=fname,
            )
        )
        kind = "gate"
    present = set(fields) | set(mapping.defaults)
    required: list[tuple[str, ...]] = [("timestamp", "date"), ("direction",), ("cargo",)]
    qty_field, cumulative = "tonnes", False
    if kind == "meter":
        required += [("tonnes", "counter"), ("meter_kind", "meter_id")]
        if "tonnes" in fields or "tonnes" in mapping.defaults:
            cumulative = bool(mapping.cumulative)
        elif "counter" in fields:
            qty_field, cumulative = "counter", mapping.cumulative is not False
    else:
        required += [("tonnes",)]
        if mapping.cumulative:
            problems.append(
                Problem("cumulative counters are read from meter files only", file=fname, column="cumulative")
            )
    if kind == "gate":  # the stage may come from a fuel type or a new-energy plate colour
        required += [("plate",), ("stage", "fuel", "plate_colour")]
    if not has_enterprise:
        required += [("enterprise_id", "enterprise_name")]
    for alts in required:
        if not present & set(alts):
            hint = {"enterprise_id": " (or give --enterprise)", "direction": " (or give --direction)"}.get(alts[0], "")
            problems.append(
                Problem(
                    f"no column for {' / '.join(alts)}{hint}; name it in a mapping file",
                    file=fname,
                    column=alts[0],
                )
            )
    unit = mapping.unit or "t"
    if mapping.unit is None and qty_field in fields:
        header_unit = unit_of_header(fields[qty_field])
        if header_unit is not None:
            unit = header_unit
        elif "unit" in fields:
            unit = "column"
    if problems:
        raise InputError(f"cannot import {path.name}", problems)
    # a first column no field claims (序号, 编号 ...) often holds the 合计 of a total row
    first = headers[0] if headers else ""
    marks = (
        ("_mark0",)
        if first.strip() and first not in fields.values() and headers.count(first) == 1
        else ()
    )
    return FileLayout(
        path, fmt, encoding, header_row, tuple(headers), fields, unit, kind, ignored, qty_field, cumulative, marks
    )


def iter_chunks(layout: FileLayout, chunk_rows: int, sheet: str | None = None) -> Iterator[pd.DataFrame]:
    """Yield chunks of rows with canonical column names (text) and ``_row``; blank rows skipped."""
    rename = {h: canon for canon, h in layout.fields.items()}
    if layout.mark_columns:  # the unmapped first column, read only to spot total rows
        rename[layout.headers[0]] = layout.mark_columns[0]
    if layout.fmt == "csv":
        assert layout.encoding is not None
        yield from csv_chunks(layout.path, layout.encoding, layout.header_row, layout.headers, rename, chunk_rows)
        return
    idx = [layout.headers.index(h) for h in rename]
    names = [rename[layout.headers[i]] for i in idx]
    buf: list[list[str]] = []
    rows: list[int] = []
    for i, row in _xlsx_rows(layout.path, sheet):
        if i <= layout.header_row:
            continue
        buf.append([_cell_text(row[j]) if j < len(row) else "" for j in idx])
        rows.append(i)
        if len(buf) >= chunk_rows:
            yield _frame(buf, names, rows)
            buf, rows = [], []
    if buf:
        yield _frame(buf, names, rows)


def _frame(buf: list[list[str]], names: list[str], rows: list[int]) -> pd.DataFrame:
    df = pd.DataFrame(buf, columns=names, dtype=str)
    df["_row"] = rows
    return df


def _cell_text(value: Any) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
