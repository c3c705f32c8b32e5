"""How an import reads each row: the normalising SELECT, its rejection rules and their settings.

:func:`normalise_select` builds the DuckDB query that turns a chunk of an export (``_chunk``) into
ledger records (plates, stages, directions, units, timestamps, cargo -> commodity, mode, the
de-duplication key) and lists the checks that reject a row, with their reasons. The same query runs
whichever database the ledger lives in: an import into PostgreSQL normalises in an in-memory DuckDB
(see :mod:`cleanfreight.ledger._write`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from cleanfreight.errors import InputError, Problem
from cleanfreight.ledger import _normalise as nz
from cleanfreight.ledger._readers import ColumnMapping, FileLayout
from cleanfreight.ledger.cargo import CargoMap

__all__ = ["IngestParams", "normalise_select", "plausibility_checks"]


@dataclass(frozen=True, slots=True)
class IngestParams:
    """Settings of an import.

    Parameters
    ----------
    chunk_rows
        Rows read and normalised at a time (memory is bounded by this, not by the file).
    max_truck_tonnes
        A gate record above this load is impossible and rejected (a 49 t GVW tractor carries
        ~35-40 t; loads between the plausible payload and this go to the ``overload`` check).
    max_waybill_tonnes
        A rail waybill above this is rejected as implausible (default 100,000 t: more than a day of
        rail for the largest enterprise, five 20,000 t heavy-haul trains).
    max_meter_tonnes
        A conveyor / pipeline quantity per reading above this is rejected (default 100,000 t: a
        4,000 t/h belt running for 24 h; raise it for exports that sum a month per row).
    max_counter_tonnes
        A running-counter reading above this is rejected (default 1,000,000,000 t).
    min_year, max_year
        Timestamps outside these years are rejected.
    max_future_days
        Timestamps more than this many days after the time of the import are rejected (a gate
        clock set wrong, a typed year); ``None``: no limit. Special values (``infinity``) are
        always rejected.
    stations
        Names or ids of rail freight stations: a truck whose origin or destination is one of them is
        the short-haul leg of a rail chain. ``None``: the stations of the sample network.
    only_enterprise
        Accept rows of this enterprise only: a row whose enterprise column names another one is
        rejected (an enterprise uploading its own exports through the platform).
    """

    chunk_rows: int = 200_000
    max_truck_tonnes: float = 100.0
    max_waybill_tonnes: float = 100_000.0
    max_meter_tonnes: float = 100_000.0
    max_counter_tonnes: float = 1e9
    min_year: int = 2000
    max_year: int = 2100
    max_future_days: float | None = 366.0
    stations: tuple[str, ...] | None = None
    only_enterprise: str | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.chunk_rows < 1:
            problems.append(Problem("must be >= 1", column="chunk_rows", value=self.chunk_rows))
        for name in ("max_truck_tonnes", "max_waybill_tonnes", "max_meter_tonnes", "max_counter_tonnes"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                problems.append(Problem("must be a finite number > 0", column=name, value=value))
        if self.max_future_days is not None and not (
            math.isfinite(self.max_future_days) and self.max_future_days >= 0
        ):
            problems.append(Problem("must be >= 0 or None", column="max_future_days", value=self.max_future_days))
        if self.min_year > self.max_year:
            problems.append(
                Problem("min_year must not exceed max_year", column="min_year", value=self.min_year)
            )
        if problems:
            raise InputError("invalid ingest settings", problems)


#: normalised columns where a total row's 合计 / 小计 may stand
_TOTAL_CELLS = (
    "ts_raw",
    "plate_raw",
    "cargo",
    "enterprise_name",
    "direction_raw",
    "stage_raw",
    "fleet",
    "origin",
    "destination",
    "waybill_no",
    "meter_id",
    "station_txt",
    "spur_txt",
)


def _stage_select(stage_cell: str, fuel: str, colour: str, plate: str, m: ColumnMapping) -> tuple[str, str]:
    """The stage of a gate record and where it came from (``cell``, ``fuel``, ``plate``, ``default``).

    A stage cell that is filled (and not ``X`` / 无) decides, read with the mapping's ``[stages]``
    first; an empty one is proven by the fuel type (纯电动, 电, 新能源, fuel code ``C`` ...: ``d``), else by
    a green / yellow-green colour on an 8-character new-energy plate (``d``), else it takes the
    mapping's ``[defaults] stage``; with none of these it stays ``NULL`` (rejected).
    """
    empty = nz.stage_empty_sql(stage_cell)
    fuel_st = nz.fuel_stage_sql(fuel, m.stages)
    colour_st = nz.plate_colour_stage_sql(colour, plate)
    code = nz.stage_code(m.defaults["stage"]) if "stage" in m.defaults else None
    default = "CAST(NULL AS VARCHAR)" if code is None else nz.quote(code)
    stage = (
        f"(CASE WHEN NOT {empty} THEN {nz.stage_sql(stage_cell, m.stages)} "
        f"ELSE coalesce({fuel_st}, {colour_st}, {default}) END)"
    )
    src = (
        f"(CASE WHEN NOT {empty} THEN 'cell' WHEN {fuel_st} IS NOT NULL THEN 'fuel' "
        f"WHEN {colour_st} IS NOT NULL THEN 'plate' WHEN {default} IS NOT NULL THEN 'default' END)"
    )
    return stage, src


def normalise_select(
    layout: FileLayout,
    m: ColumnMapping,
    enterprise: str | None,
    s: IngestParams,
    stations: list[str],
    names: dict[str, str],
    import_id: int,
    cmap: CargoMap | None = None,
) -> tuple[str, list[tuple[str, str, str, str]]]:
    """Build the SELECT that normalises ``_chunk`` and the list of reject checks.

    Returns the SQL and ``(condition, column, raw expression, reason)`` for each check.
    """
    fields = layout.fields

    def cell(name: str) -> str:
        """The file's own cell (no default), ``NULL`` when the file lacks the column."""
        return f'CAST("{name}" AS VARCHAR)' if name in fields else "CAST(NULL AS VARCHAR)"

    def raw(name: str) -> str:
        """The cell, or the mapping's default when the file lacks the column or the cell is empty."""
        if name in fields and name in m.defaults:
            return f"coalesce(nullif(trim({cell(name)}), ''), {nz.quote(m.defaults[name])})"
        if name in fields:
            return cell(name)
        if name in m.defaults:
            return nz.quote(m.defaults[name])
        return "CAST(NULL AS VARCHAR)"

    def either(name: str, alt: str) -> str:
        """``name``, else ``alt`` (origin, else shipper / 发货单位)."""
        return f"coalesce(nullif(trim({raw(name)}), ''), {raw(alt)})"

    def text(name: str) -> str:
        return nz.clean_text_sql(raw(name))

    kind = layout.kind
    # timestamp: a timestamp column, a date column, or a date and a time-of-day column
    ts_parts = []
    if "timestamp" in fields or "timestamp" in m.defaults:
        ts_parts.append(nz.timestamp_sql(raw("timestamp")))
    if ("date" in fields or "date" in m.defaults) and ts_parts:
        ts_parts.append(nz.timestamp_sql(f"{raw('date')} || ' ' || {raw('timestamp')}"))
    if "date" in fields or "date" in m.defaults:
        ts_parts.append(nz.timestamp_sql(raw("date")))
    ts = f"coalesce({', '.join(ts_parts)})"
    ts_col = "timestamp" if "timestamp" in fields else "date"

    factor = {"t": "1.0", "kg": "0.001"}.get(layout.unit) or nz.unit_factor_sql(raw("unit"))
    ent_col = f"upper({text('enterprise_id')})"
    if enterprise is not None:
        ent_col = f"coalesce({ent_col}, {nz.quote(enterprise.strip().upper())})"
    if names and "enterprise_id" not in fields:
        whens = " ".join(f"WHEN {nz.quote(k)} THEN {nz.quote(v)}" for k, v in names.items())
        ent_col = f"coalesce({ent_col}, CASE {text('enterprise_name')} {whens} END)"

    plate = nz.plate_sql(raw("plate"))
    stage, stage_src = _stage_select(cell("stage"), raw("fuel"), raw("plate_colour"), plate, m)
    origin_raw, dest_raw = either("origin", "shipper"), either("destination", "consignee")
    origin_st = nz.in_list_sql(nz.place_key_sql(origin_raw), stations)
    dest_st = nz.in_list_sql(nz.place_key_sql(dest_raw), stations)
    marks = [f'CAST("{m}" AS VARCHAR)' for m in layout.mark_columns]
    qty = layout.qty_field
    tonnes = f"round({nz.number_sql(raw(qty))} * {factor}, 3)"
    if kind == "gate":
        chain = "CASE WHEN origin_is_station OR dest_is_station THEN 'short_haul' ELSE 'direct' END"
        mode = nz.stage_mode_sql("stage", "chain = 'short_haul'")
        station = "CASE WHEN origin_is_station THEN origin WHEN dest_is_station THEN destination END"
        key = (
            "concat_ws('|', 'gate', enterprise_id, plate, CAST(ts AS VARCHAR), direction, "
            "CAST(round(tonnes, 1) AS VARCHAR))"
        )
    elif kind == "rail":
        is_spur = (
            "(coalesce(lower(spur_txt) NOT IN ('否', 'no', 'n', 'false', '0', '站', 'station'), FALSE) "
            "OR coalesce(station_txt LIKE '%专用线%', FALSE))"
        )
        chain = f"CASE WHEN {is_spur} THEN 'spur' ELSE 'station' END"
        mode = "CASE WHEN chain = 'spur' THEN 'rail_spur' END"
        station = "coalesce(station_txt, spur_txt)"
        key = nz.rail_key_sql()
    else:
        chain = nz.meter_kind_sql("meter_raw")
        mode = "chain"
        station = "CAST(NULL AS VARCHAR)"
        prefix = "counter" if layout.cumulative else "meter"
        key = f"concat_ws('|', '{prefix}', enterprise_id, coalesce(meter_id, ''), CAST(ts AS VARCHAR), direction)"

    nonblank = " OR ".join(f"{text(f)} IS NOT NULL" for f in fields) or "TRUE"
    base = f"""
        SELECT _row,
            {ts} AS ts, {raw(ts_col)} AS ts_raw,
            {ent_col} AS enterprise_id, {text("enterprise_name")} AS enterprise_name,
            {nz.direction_sql(raw("direction"))} AS direction, {raw("direction")} AS direction_raw,
            coalesce(_cm._commodity, 'other') AS commodity, {text("cargo")} AS cargo,
            {tonnes} AS tonnes, {raw(qty)} AS tonnes_raw, {factor} AS unit_factor, {raw("unit")} AS unit_raw,
            {plate} AS plate, {raw("plate")} AS plate_raw,
            {stage} AS stage, {stage_src} AS stage_src,
            nullif(concat_ws(' / ', nullif(trim({cell("stage")}), ''), nullif(trim({raw("fuel")}), ''),
                nullif(trim({raw("plate_colour")}), '')), '') AS stage_raw,
            {text("vin")} AS vin, {text("engine_no")} AS engine_no, {text("reg_date")} AS reg_date,
            {text("fleet")} AS fleet, {nz.clean_text_sql(origin_raw)} AS origin,
            {nz.clean_text_sql(dest_raw)} AS destination,
            {text("waybill_no")} AS waybill_no, {text("meter_id")} AS meter_id,
            coalesce({raw("meter_kind")}, {raw("meter_id")}) AS meter_raw,
            {text("spur")} AS spur_txt, {text("station")} AS station_txt,
            {origin_st} AS origin_is_station, {dest_st} AS dest_is_station
            {"".join(f", {m} AS _mark{i}" for i, m in enumerate(marks))}
        FROM _chunk LEFT JOIN _cm ON {raw("cargo")} = _cm._cargo_raw WHERE {nonblank}"""
    # cargo -> commodity once per distinct name of the chunk, not once per row
    cargo_map = (
        f"SELECT _cargo_raw, {(cmap or CargoMap()).sql('_cargo_raw')} AS _commodity "
        f"FROM (SELECT DISTINCT {raw('cargo')} AS _cargo_raw FROM _chunk) d"
    )
    base = f"WITH _cm AS ({cargo_map}) {base}"
    checks: list[tuple[str, str, str, str]] = [
        ("ts IS NULL", ts_col, "ts_raw", "unreadable or missing timestamp"),
        ("ts IS NOT NULL AND NOT isfinite(ts)", ts_col, "ts_raw", "timestamp is a special value, not a date"),
        (
            f"isfinite(ts) AND (year(ts) < {s.min_year} OR year(ts) > {s.max_year})",
            ts_col,
            "ts_raw",
            f"timestamp outside {s.min_year}-{s.max_year}",
        ),
        (
            "enterprise_id IS NULL",
            "enterprise_id",
            "enterprise_name",
            "no enterprise id (an id column, --enterprise, or a known enterprise name)",
        ),
        ("direction IS NULL", "direction", "direction_raw", "unknown direction; expected in/out (进/出)"),
        ("unit_factor IS NULL", "unit", "unit_raw", "unknown unit; expected t/吨 or kg/千克/公斤"),
        (
            "unit_factor IS NOT NULL AND tonnes IS NULL",
            qty,
            "tonnes_raw",
            "quantity missing or not a number",
        ),
        (
            ("tonnes IS NOT NULL AND tonnes < 0", qty, "tonnes_raw", "counter reading must not be negative")
            if layout.cumulative
            else ("tonnes IS NOT NULL AND tonnes <= 0", qty, "tonnes_raw", "quantity must be greater than 0")
        ),
    ]
    if kind == "gate":
        checks += [
            (
                f"isfinite(tonnes) AND tonnes > {s.max_truck_tonnes}",
                "tonnes",
                "tonnes_raw",
                f"load above {s.max_truck_tonnes:g} t is impossible for a truck",
            ),
            ("plate IS NULL", "plate", "plate_raw", "missing plate"),
            (
                f"plate IS NOT NULL AND NOT {nz.plate_valid_sql('plate')}",
                "plate",
                "plate_raw",
                "invalid plate; expected e.g. 晋D12345",
            ),
            (
                "stage IS NULL AND stage_src = 'cell'",
                "stage",
                "stage_raw",
                "unknown emission stage; expected 0-6, d (electric), h (fuel cell) or X (none)",
            ),
            (
                "stage IS NULL AND stage_src IS NULL",
                "stage",
                "stage_raw",
                "no emission stage: 排放阶段 empty or X and neither the fuel type nor a new-energy plate "
                "shows electric; set [defaults] stage or [stages] in a mapping file",
            ),
        ]
    if kind == "meter":
        checks.append(("chain IS NULL", "meter_kind", "meter_raw", "cannot tell conveyor or pipeline"))
    checks += plausibility_checks(layout, s)
    if s.only_enterprise is not None:
        only = s.only_enterprise.strip().upper()
        checks.append(
            (
                f"enterprise_id IS NOT NULL AND enterprise_id <> {nz.quote(only)}",
                "enterprise_id",
                "enterprise_id",
                f"record of another enterprise; this import takes {only} only",
            )
        )
    ok = " OR ".join(f"coalesce({c}, FALSE)" for c, *_ in checks)

    # total rows (合计 / 小计) are counted apart, never rejected
    ok = f"is_total OR {ok}"
    checks = [(f"NOT is_total AND ({c})", col, r, why) for c, col, r, why in checks]
    # total rows (合计 / 小计): looked for only in rows without a timestamp or a plate (a real passage
    # has both), in the cells of the known fields and the file's first column (序号 ...)
    total_cells = [*_TOTAL_CELLS, *(f"_mark{i}" for i in range(len(marks)))]
    suspect = "(ts IS NULL OR plate IS NULL)"
    is_total = f"(CASE WHEN {suspect} THEN {nz.total_row_sql(total_cells)} ELSE FALSE END)"
    is_grand = f"(CASE WHEN {suspect} THEN {nz.grand_total_row_sql(total_cells)} ELSE FALSE END)"
    sql = f"""
        SELECT *, md5({key}) AS dedup_key FROM (
            SELECT *, {mode} AS mode, {station} AS station FROM (
                SELECT *, {chain} AS chain, {is_total} AS is_total, {is_grand} AS is_grand_total FROM ({base}) b
            ) c
        ) d"""
    sql = f"""
        SELECT *, NOT ({ok}) AS ok, {nz.quote(kind)} AS kind, {import_id} AS import_id,
            {nz.quote(layout.path.name)} AS src_file, _row AS src_row
        FROM ({sql}) e"""
    return sql, checks


def plausibility_checks(layout: FileLayout, s: IngestParams) -> list[tuple[str, str, str, str]]:
    """Reject checks of values that would change a total silently: special numbers, implausible
    quantities per record kind, timestamps in the far future (``(condition, column, raw, reason)``)."""
    qty = layout.qty_field
    checks = [
        (
            "tonnes IS NOT NULL AND NOT isfinite(tonnes)",
            qty,
            "tonnes_raw",
            "quantity is not a finite number (nan / inf / too large)",
        )
    ]
    limit, what, setting = {
        "rail": (s.max_waybill_tonnes, "a rail waybill", "max_waybill_tonnes"),
        "meter": (
            (s.max_counter_tonnes, "a running-counter reading", "max_counter_tonnes")
            if layout.cumulative
            else (s.max_meter_tonnes, "a meter reading", "max_meter_tonnes")
        ),
    }.get(layout.kind, (None, "", ""))
    if limit is not None:
        checks.append(
            (
                f"isfinite(tonnes) AND tonnes > {limit!r}",
                qty,
                "tonnes_raw",
                f"quantity above {limit:,.0f} t is implausible for {what} (IngestParams.{setting})",
            )
        )
    if s.max_future_days is not None:
        latest = datetime.now() + timedelta(days=s.max_future_days)
        checks.append(
            (
                f"isfinite(ts) AND ts > TIMESTAMP '{latest:%Y-%m-%d %H:%M:%S}'",
                "timestamp" if "timestamp" in layout.fields else "date",
                "ts_raw",
                f"timestamp more than {s.max_future_days:g} days after the import (after {latest:%Y-%m-%d})",
            )
        )
    return checks
