"""A seeded generator of damaged ledger exports, and the checks every import of them must pass.

Each file starts from a clean export in the sample's own formats (gate passages with the HJ 1321
headers, rail waybills, meter readings; CSV or XLSX) and gets one damage of a family:

``encodings``      GBK / GB18030 / UTF-8 with BOM / UTF-16 / mixed encodings (also after the first MiB)
``truncation``     cut at a random byte, inside a multi-byte character, inside the header, to nothing
``quotes``         a stray or unmatched ``"``, a legitimate quoted line break, escaped quotes
``headers``        title rows, a missing column, duplicate or unknown columns, only a header, an extra cell
``units``          kg headers, a unit column, unknown units, thousands separators (quoted or not)
``plates``         spaces, lower case, full width, invalid, empty, very long
``special``        nan / inf / 1e308 / 1e12 / 3e9 / negative quantities, infinity and far-future dates
``xlsx``           a CSV named .xlsx, random bytes, a zip that is no workbook, a cut workbook, a second sheet
``reexports``      the same rows again in another encoding / unit / order / line ending, a waybill re-sent
                   with another date, lines ending in CR only

The generator knows how many data rows it wrote (``Damaged.data_rows``, ``None`` when the damage
makes that unknowable, e.g. random bytes), so the tests can check the row identity independently
of the reader: ``accepted + rejected + duplicates + skipped == data rows``.

``run_corpus`` imports every file into one ledger (each file on its own, as the bureau would),
imports them all again, and returns what happened; :func:`check_outcome` asserts the rules.
Used by ``tests/ledger/test_damaged.py`` (a small run in every test run) and
``bench/damaged_corpus.py`` (the large run).
"""

from __future__ import annotations

import io
import math
import re
import traceback
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

FAMILIES = ("encodings", "truncation", "quotes", "headers", "units", "plates", "special", "xlsx", "reexports")

GATE_HEADER = ["进出厂时间", "车牌号码", "排放阶段", "运输货物名称", "运输量(吨)", "车队名称", "进出方向", "企业编号"]
RAIL_HEADER = ["日期", "企业编号", "车站", "专用线", "货物名称", "实际重量(吨)", "发到", "货票号"]
METER_HEADER = ["日期", "企业编号", "计量点", "输送方式", "货物名称", "运输量", "方向"]
HEADERS = {"gate": GATE_HEADER, "rail": RAIL_HEADER, "meter": METER_HEADER}
#: column of the quantity in each kind's header
QTY = {"gate": 4, "rail": 5, "meter": 5}
ENTERPRISES = ("CZ01", "CZ02", "CZ03")


@dataclass
class Damaged:
    """One generated file."""

    path: Path
    family: str
    variant: str
    kind: str
    data_rows: int | None  # rows after the header as written; None when unknowable


@dataclass
class Outcome:
    """What importing a corpus did."""

    files: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)  # imported | refused (exit 2) | crashed
    by_family: dict[str, Counter[str]] = field(default_factory=dict)
    crashes: list[str] = field(default_factory=list)  # file: traceback
    identity_breaks: list[str] = field(default_factory=list)
    reimport_added: int = 0
    reimport_rejects_changed: int = 0
    rows: Counter[str] = field(default_factory=Counter)  # accepted / rejected / duplicates / skipped
    city: dict[str, Any] = field(default_factory=dict)
    bad_records: int = 0  # stored records with a non-finite or implausible value

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "outcomes": dict(self.outcomes),
            "by_family": {k: dict(v) for k, v in sorted(self.by_family.items())},
            "crashes": self.crashes,
            "identity_breaks": self.identity_breaks,
            "reimport_added": self.reimport_added,
            "reimport_rejects_changed": self.reimport_rejects_changed,
            "rows": dict(self.rows),
            "city": self.city,
            "bad_records": self.bad_records,
        }


# --- clean rows ------------------------------------------------------------------------------------
def _plate(rng: np.random.Generator) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "晋D" + str(rng.choice(list(letters))) + "".join(str(d) for d in rng.integers(0, 10, 4))


def clean_rows(kind: str, n: int, rng: np.random.Generator, tag: int) -> list[list[str]]:
    """``n`` valid rows of ``kind`` in March 2026; ``tag`` makes waybill numbers and meters unique."""
    rows: list[list[str]] = []
    for i in range(n):
        day = int(rng.integers(1, 29))
        ent = str(rng.choice(ENTERPRISES))
        if kind == "gate":
            ts = f"202603{day:02d} {int(rng.integers(0, 24)):02d}{int(rng.integers(0, 60)):02d}{i % 60:02d}"
            rows.append(
                [
                    ts,
                    _plate(rng),
                    str(rng.choice(["6", "5", "d", "国六", "电动"])),
                    str(rng.choice(["原煤", "焦炭", "铁精粉", "石灰石"])),
                    f"{rng.uniform(26, 36.5):.1f}",
                    "运输车队",
                    str(rng.choice(["进", "出"])),
                    ent,
                ]
            )
        elif kind == "rail":
            spur = bool(rng.random() < 0.4)
            rows.append(
                [
                    f"2026-03-{day:02d}",
                    ent,
                    "" if spur else "长治北",
                    "专用线" if spur else "",
                    "原煤",
                    f"{rng.uniform(500, 3000):.1f}",
                    str(rng.choice(["到达", "发送"])),
                    f"HP{tag:06d}{i:04d}",
                ]
            )
        else:
            rows.append(
                [
                    f"2026-03-{(i % 28) + 1:02d}",
                    ent,
                    f"{ent}-皮带秤-{tag}",
                    "皮带",
                    "石灰石",
                    f"{rng.uniform(100, 900):.1f}",
                    "进",
                ]
            )
    return rows


def _csv_text(header: list[str], rows: list[list[str]], eol: str = "\n") -> str:
    return eol.join([",".join(header), *(",".join(r) for r in rows)]) + eol


def _lines_after_header(data: bytes, header_lines: int = 1) -> int:
    """Data rows of a CSV without quoted line breaks: lines after the header (a cut last line counts)."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return max(0, len(lines) - header_lines)


def _xlsx_bytes(header: list[str], rows: list[list[Any]], extra_sheet_first: bool = False) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    if extra_sheet_first:
        ws.title = "说明"
        ws.append(["本表由门禁系统导出"])
        ws = wb.create_sheet("台账")
    ws.append(header)
    for r in rows:
        ws.append(r)
    import datetime as _dt

    fixed = _dt.datetime(2026, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip_dates(buf.getvalue())


def _fixed_zip_dates(data: bytes) -> bytes:
    """The same zip with every entry dated 2026-01-01: a seeded corpus is byte-identical at any clock."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time in here
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>2026-01-01T00:00:00Z\g<2>", body)
            z.writestr(fixed, body)
    return out.getvalue()


# --- the damages -----------------------------------------------------------------------------------
def _damage(family: str, kind: str, rng: np.random.Generator, tag: int, big: bool) -> tuple[str, str, bytes, int | None]:
    """``(variant, suffix, content, data rows)`` of one damaged file."""
    n = 12
    header = list(HEADERS[kind])
    rows = clean_rows(kind, n, rng, tag)
    q = QTY[kind]

    def pick(options: list[str]) -> str:
        return str(rng.choice(options))

    if family == "encodings":
        v = pick(["gbk", "gb18030", "utf-8-sig", "utf-16", "mixed", "mixed_after_1mib" if big else "gbk"])
        if v == "mixed_after_1mib":
            many = clean_rows(kind, 14_000, rng, tag)
            text = _csv_text(header, many)
            tail = clean_rows(kind, 5, np.random.default_rng(tag + 1), tag + 50_000)
            data = text.encode("utf-8") + "".join(",".join(r) + "\n" for r in tail).encode("gbk")
            return v, ".csv", data, len(many) + len(tail)
        if v == "mixed":
            data = _csv_text(header, rows[:6]).encode("utf-8") + _csv_text(header, rows[6:]).split("\n", 1)[1].encode("gbk")
            return v, ".csv", data, n
        return v, ".csv", _csv_text(header, rows).encode(v), n
    if family == "truncation":
        data = _csv_text(header, rows).encode(pick(["utf-8", "gbk"]))
        v = pick(["random", "multibyte", "header", "empty", "last_field"])
        if v == "empty":
            return v, ".csv", b"", 0
        if v == "header":
            cut = int(rng.integers(1, data.index(b"\n")))
            return v, ".csv", data[:cut], 0
        if v == "multibyte":
            # a cut after the first byte of a Chinese character of a data line
            start = data.index(b"\n") + 1
            hi = [i for i in range(start, len(data)) if data[i] >= 0x80]
            cut = int(rng.choice(hi)) + 1
            return v, ".csv", data[:cut], _lines_after_header(data[:cut])
        if v == "last_field":
            cut = len(data) - 3
            return v, ".csv", data[:cut], _lines_after_header(data[:cut])
        cut = int(rng.integers(data.index(b"\n") + 1, len(data)))
        return v, ".csv", data[:cut], _lines_after_header(data[:cut])
    if family == "quotes":
        v = pick(["stray_start", "unmatched_end", "multiline_ok", "escaped", "mid_field", "two_strays"])
        i = int(rng.integers(0, n - 1))
        if v == "stray_start":
            rows[i][1] = '"' + rows[i][1]
        elif v == "unmatched_end":
            rows[-1][-1] = rows[-1][-1] + ',"'
        elif v == "two_strays":
            rows[i][3] = '"' + rows[i][3]
            rows[i + 1][3] = rows[i + 1][3] + '"'
        elif v == "escaped":
            rows[i][3] = '"原""煤"""'
        elif v == "mid_field":
            rows[i][3] = '原"煤'
        else:  # a quoted field with a line break: one row of two lines
            header.append("备注")
            for r in rows:
                r.append("")
            rows[i][-1] = '"第一行\n第二行"'
        return v, ".csv", _csv_text(header, rows).encode("utf-8"), n
    if family == "headers":
        v = pick(["title_rows", "missing_column", "duplicate_column", "unknown_column", "only_header",
                  "extra_cell_first_row", "bom_spaces", "english", "total_row"])
        if v == "total_row":  # a 合计 row under the data, as spreadsheets export it
            total = [""] * len(header)
            total[0] = "合计"
            total[q] = f"{sum(float(r[q]) for r in rows):.1f}"
            return v, ".csv", _csv_text(header, [*rows, total]).encode("utf-8"), n + 1
        if v == "title_rows":
            text = "长治市某企业门禁台账导出\n导出时间：2026-04-01\n" + _csv_text(header, rows)
            return v, ".csv", text.encode("utf-8"), n + 0  # title rows come before the header
        if v == "missing_column":
            j = int(rng.integers(0, len(header)))
            header.pop(j)
            for r in rows:
                r.pop(j)
        elif v == "duplicate_column":
            header.append(header[q])
            for r in rows:
                r.append(r[q])
        elif v == "unknown_column":
            header.insert(2, "备用字段")
            for r in rows:
                r.insert(2, "x")
        elif v == "only_header":
            rows = []
        elif v == "extra_cell_first_row":
            rows[0].append("多余")
        elif v == "bom_spaces":
            header = [f" {h} " for h in header]
            return v, ".csv", ("\ufeff" + _csv_text(header, rows)).encode("utf-8"), n
        else:
            eng = {"gate": ["timestamp", "plate", "emission_stage", "cargo", "tonnes", "fleet", "direction",
                            "enterprise_id"],
                   "rail": ["date", "enterprise_id", "station", "spur", "cargo", "tonnes", "direction",
                            "waybill_no"],
                   "meter": ["date", "enterprise_id", "meter_id", "meter_kind", "cargo", "tonnes", "direction"]}
            header = eng[kind]
        return v, ".csv", _csv_text(header, rows).encode("utf-8"), len(rows)
    if family == "units":
        v = pick(["kg_header", "unit_column", "unknown_unit", "thousands_quoted", "thousands_unquoted"])
        if v == "kg_header":
            header[q] = "运输量(kg)" if kind != "rail" else "实际重量(千克)"
            for r in rows:
                r[q] = f"{float(r[q]) * 1000:.0f}"
        elif v in ("unit_column", "unknown_unit"):
            header.append("单位")
            for r in rows:
                r.append(pick(["t", "吨", "kg"]) if v == "unit_column" else pick(["t", "斤", "方"]))
                if r[-1] == "kg":
                    r[q] = f"{float(r[q]) * 1000:.0f}"
            header[q] = header[q].split("(")[0]
        elif v == "thousands_quoted":
            for r in rows:
                r[q] = f'"{float(r[q]) * 1000:,.0f}"'
            header[q] = header[q].split("(")[0] + "(kg)"
        else:
            for r in rows:  # an unquoted comma shifts the row: every such row must be rejected
                r[q] = f"{float(r[q]) * 1000:,.0f}"
            header[q] = header[q].split("(")[0] + "(kg)"
        return v, ".csv", _csv_text(header, rows).encode("utf-8"), n
    if family == "plates":
        v = pick(["spaces", "lower", "fullwidth", "invalid", "empty", "long"])
        if kind != "gate":
            kind, header, rows, q = "gate", list(GATE_HEADER), clean_rows("gate", n, rng, tag), QTY["gate"]
        for r in rows[: n // 2]:
            p = r[1]
            r[1] = {
                "spaces": p[:2] + " " + p[2:],
                "lower": p.lower(),
                "fullwidth": p[0] + "".join(chr(ord(c) + 0xFEE0) if c.isascii() else c for c in p[1:]),
                "invalid": "ABC" + p[-3:],
                "empty": "",
                "long": p * 40,
            }[v]
        return v, ".csv", _csv_text(header, rows).encode("utf-8"), n
    if family == "special":
        v = pick(["numbers", "dates", "both"])
        numbers = ["nan", "NaN", "inf", "-inf", "infinity", "1e308", "1e12", "3e9", "-5", "0", "", "１２"]
        dates = ["infinity", "-infinity", "2099-01-01", "1900-01-01", "99999", "2026-02-30", "0", "NaT"]
        for r in rows[: n // 2]:
            if v in ("numbers", "both"):
                r[q] = pick(numbers)
            if v in ("dates", "both"):
                r[0] = pick(dates)
        return v, ".csv", _csv_text(header, rows).encode("utf-8"), n
    if family == "xlsx":
        v = pick(["csv_named_xlsx", "random_bytes", "zip_no_workbook", "cut_workbook", "second_sheet", "ok_numbers"])
        typed: list[list[Any]] = [[float(c) if j == q else c for j, c in enumerate(r)] for r in rows]
        if v == "csv_named_xlsx":
            return v, ".xlsx", _csv_text(header, rows).encode("utf-8"), None
        if v == "random_bytes":
            return v, ".xlsx", rng.bytes(int(rng.integers(10, 5000))), None
        if v == "zip_no_workbook":
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                # a fixed entry date: the same seed gives the same bytes whatever the clock says
                z.writestr(zipfile.ZipInfo("readme.txt", date_time=(2026, 1, 1, 0, 0, 0)), "not a workbook")
            return v, ".xlsx", buf.getvalue(), None
        data = _xlsx_bytes(header, typed, extra_sheet_first=v == "second_sheet")
        if v == "cut_workbook":
            return v, ".xlsx", data[: int(rng.integers(100, len(data) - 10))], None
        if v == "ok_numbers":
            for r in typed[:3]:
                r[q] = float(rng.choice([float("nan"), float("inf"), 1e308, -1.0]))
            return v, ".xlsx", _xlsx_bytes(header, typed), n
        return v, ".xlsx", data, None  # the rows are on the second sheet: the first has none
    # re-exports of the same rows
    v = pick(["gb18030_kg", "shuffled_crlf", "overlap", "resent_waybill", "cr_only"])
    pair = tag // (2 * len(FAMILIES))  # two re-export files in a row share their rows
    rows = clean_rows(kind, n, np.random.default_rng(pair), pair + 90_000)
    if v == "gb18030_kg":
        header[q] = header[q].split("(")[0] + "(千克)"
        for r in rows:
            r[q] = f"{float(r[q]) * 1000:.0f}"
        return v, ".csv", _csv_text(header, rows).encode("gb18030"), n
    if v == "shuffled_crlf":
        order = rng.permutation(n)
        return v, ".csv", _csv_text(header, [rows[i] for i in order], "\r\n").encode("utf-8"), n
    if v == "overlap":
        part = rows[n // 3 :]
        return v, ".csv", _csv_text(header, part).encode("utf-8"), len(part)
    if v == "resent_waybill" and kind == "rail":
        for r in rows[:3]:
            r[0] = "2026-04-0" + r[0][-1]
        return v, ".csv", _csv_text(header, rows).encode("utf-8"), n
    if v == "cr_only":
        return v, ".csv", _csv_text(header, rows, "\r").encode("utf-8"), n
    return v, ".csv", _csv_text(header, rows).encode("utf-8"), n


def make_corpus(out: str | Path, n_files: int, seed: int = 15, *, big: bool = False) -> list[Damaged]:
    """Write ``n_files`` damaged exports (families in turn, seeded) into ``out``.

    ``big`` adds files over one MiB (an encoding change after the first MiB).
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Damaged] = []
    for i in range(n_files):
        rng = np.random.default_rng([seed, i])
        family = FAMILIES[i % len(FAMILIES)]
        kind = str(rng.choice(["gate", "rail", "meter"]))
        if family == "reexports":
            kind = ("gate", "rail", "meter")[(i // (2 * len(FAMILIES))) % 3]
        variant, suffix, data, data_rows = _damage(family, kind, rng, i, big)
        path = folder / f"{i:04d}_{family}_{variant}_{kind}{suffix}"
        path.write_bytes(data)
        files.append(Damaged(path, family, variant, kind, data_rows))
    return files


# --- importing a corpus ----------------------------------------------------------------------------
def _counts(db: Path) -> tuple[int, int]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rec = con.execute("SELECT count(*) FROM records").fetchone()
        rej = con.execute("SELECT count(*) FROM rejects").fetchone()
        return (int(rec[0]) if rec else 0, int(rej[0]) if rej else 0)
    finally:
        con.close()


def run_corpus(files: list[Damaged], db: str | Path) -> Outcome:
    """Import every file on its own into ``db``, then all of them again; report what happened."""
    from cleanfreight.errors import InputError
    from cleanfreight.ledger import ingest, report
    from cleanfreight.ledger.ingest import IngestParams

    db = Path(db)
    settings = IngestParams(chunk_rows=7)  # several chunks per file: chunk edges are exercised too
    res = Outcome(files=len(files))
    for rnd in (1, 2):
        before = _counts(db) if db.exists() else (0, 0)
        for f in files:
            fam = res.by_family.setdefault(f.family, Counter())
            try:
                out = ingest(db, [f.path], settings=settings)
            except InputError:
                if rnd == 1:
                    res.outcomes["refused"] += 1
                    fam["refused"] += 1
                continue
            except Exception:  # every other exception is a bug: a traceback for the user
                res.outcomes["crashed"] += 1
                fam["crashed"] += 1
                res.crashes.append(f"{f.path.name}: {traceback.format_exc()}")
                continue
            r = out.files[0]
            if rnd == 1:
                res.outcomes["imported"] += 1
                fam["imported"] += 1
                res.rows.update(
                    accepted=r.accepted, rejected=r.rejected, duplicates=r.duplicates, skipped=r.skipped
                )
            else:
                res.reimport_added += r.accepted
            total = r.accepted + r.rejected + r.duplicates + r.skipped
            if total != r.data_rows or (f.data_rows is not None and total != f.data_rows):
                res.identity_breaks.append(
                    f"{f.path.name}: accepted {r.accepted} + rejected {r.rejected} + duplicates {r.duplicates} "
                    f"+ skipped {r.skipped} = {total}, data rows {f.data_rows} (reader: {r.data_rows})"
                )
        if rnd == 2:
            after = _counts(db)
            res.reimport_added = after[0] - before[0] + res.reimport_added * 0
            res.reimport_rejects_changed = after[1] - before[1]
    if db.exists():
        rep = report(db, "2026")
        res.city = {k: v for k, v in rep.city.items() if isinstance(v, int | float)}
        import duckdb

        con = duckdb.connect(str(db), read_only=True)
        try:
            row = con.execute(
                "SELECT count(*) FROM records WHERE NOT isfinite(tonnes) OR tonnes <= 0 OR NOT isfinite(ts) "
                "OR (kind = 'gate' AND tonnes > ?) OR (kind = 'rail' AND tonnes > ?) OR (kind = 'meter' AND tonnes > ?)",
                [settings.max_truck_tonnes, settings.max_waybill_tonnes, settings.max_meter_tonnes],
            ).fetchone()
            res.bad_records = int(row[0]) if row else 0
        finally:
            con.close()
    return res


def check_outcome(res: Outcome) -> None:
    """The rules of issue 15: no traceback, the row identity, re-import adds nothing, sane totals."""
    assert res.outcomes["crashed"] == 0, "\n".join(res.crashes[:3])
    assert res.identity_breaks == [], "\n".join(res.identity_breaks[:10])
    assert res.reimport_added == 0
    assert res.reimport_rejects_changed == 0
    assert res.bad_records == 0
    for key, value in res.city.items():
        assert math.isfinite(value), key
    ratio = res.city.get("clean_ratio")
    assert ratio is None or 0.0 <= ratio <= 1.0
