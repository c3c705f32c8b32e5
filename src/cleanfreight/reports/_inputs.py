"""Validation of the tables reports are drawn from, and the city figures derived from them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cleanfreight.accounting.rulebooks import RATIO_TOL
from cleanfreight.errors import InputError, Problem

ENTERPRISE_COLUMNS = ("enterprise_id", "tonnes_total", "clean_ratio")
MONTHLY_COLUMNS = ("period", "enterprise_id", "clean_ratio", "tonnes_total")


def _numeric(df: pd.DataFrame, cols: tuple[str, ...], table: str, problems: list[Problem]) -> None:
    for col in cols:
        if col not in df:
            continue
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        for idx in df.index[bad][:20]:
            problems.append(
                Problem("not a number", file=table, row=int(idx), column=col, value=df.at[idx, col])
            )
        df[col] = values


def enterprise_table(df: pd.DataFrame, target: float) -> pd.DataFrame:
    """A checked copy of a per-enterprise table with ``tonnes_clean``, ``gap_tonnes``, names filled."""
    problems = [
        Problem("missing column", file="enterprises", column=c) for c in ENTERPRISE_COLUMNS if c not in df
    ]
    if problems:
        raise InputError("the enterprise table lacks columns", problems)
    out = df.reset_index(drop=True).copy()
    _numeric(
        out,
        ("tonnes_total", "tonnes_clean", "clean_ratio", "ratio_after", "ratio_before"),
        "enterprises",
        problems,
    )
    for col in ("clean_ratio", "ratio_after"):
        if col in out:
            bad = (out[col] < -1e-9) | (out[col] > 1 + 1e-9)
            problems += [
                Problem(
                    "ratio must be between 0 and 1",
                    file="enterprises",
                    row=int(i),
                    column=col,
                    value=out.at[i, col],
                )
                for i in out.index[bad][:20]
            ]
    dup = out["enterprise_id"].duplicated()
    problems += [
        Problem(
            "duplicate enterprise_id",
            file="enterprises",
            row=int(i),
            column="enterprise_id",
            value=out.at[i, "enterprise_id"],
        )
        for i in out.index[dup][:20]
    ]
    if problems:
        raise InputError("invalid enterprise table", problems)
    out["enterprise_id"] = out["enterprise_id"].astype(str)
    for col in ("name_zh", "name_en"):
        if col not in out:
            out[col] = out["enterprise_id"]
        out[col] = out[col].fillna(out["enterprise_id"]).astype(str)
    if "tonnes_clean" not in out:
        out["tonnes_clean"] = out["tonnes_total"] * out["clean_ratio"]
    out["gap_tonnes"] = np.maximum(0.0, target * out["tonnes_total"] - out["tonnes_clean"])
    out["meets_target"] = out["clean_ratio"] >= target - RATIO_TOL
    if "out_of_province_ok" in out:  # the rulebook enforces coal and coke out of the province by rail
        out["meets_target"] &= out["out_of_province_ok"].fillna(True).astype(bool)
    return out


def monthly_table(df: pd.DataFrame | None) -> pd.DataFrame | None:
    """A checked copy of a monthly table (``period`` as text ``YYYY-MM``), or None."""
    if df is None or not len(df):
        return None
    problems = [Problem("missing column", file="monthly", column=c) for c in MONTHLY_COLUMNS if c not in df]
    if problems:
        raise InputError("the monthly table lacks columns", problems)
    out = df.reset_index(drop=True).copy()
    _numeric(out, ("clean_ratio", "tonnes_total", "tonnes_clean"), "monthly", problems)
    if problems:
        raise InputError("invalid monthly table", problems)
    out["period"] = out["period"].astype(str)
    out["enterprise_id"] = out["enterprise_id"].astype(str)
    if "tonnes_clean" not in out:
        out["tonnes_clean"] = out["tonnes_total"] * out["clean_ratio"]
    return out.sort_values(["period", "enterprise_id"]).reset_index(drop=True)


def city_summary(ent: pd.DataFrame, target: float) -> dict[str, Any]:
    """Tonnage-weighted city ratio (sum of clean tonnes / sum of tonnes) and counts."""
    total = float(ent["tonnes_total"].sum())
    clean = float(ent["tonnes_clean"].sum())
    out: dict[str, Any] = {
        "city_clean_ratio": clean / total if total > 0 else 0.0,
        "target": float(target),
        "enterprises_total": len(ent),
        "enterprises_meeting_target": int(ent["meets_target"].sum())
        if "meets_target" in ent
        else int((ent["clean_ratio"] >= target - RATIO_TOL).sum()),
        "tonnes_total": total,
        "tonnes_clean": clean,
    }
    if "ratio_after" in ent and ent["ratio_after"].notna().any():
        after_clean = float((ent["tonnes_total"] * ent["ratio_after"].fillna(ent["clean_ratio"])).sum())
        out["city_ratio_after"] = after_clean / total if total > 0 else 0.0
        out["enterprises_meeting_target_after"] = int(
            (ent["ratio_after"].fillna(ent["clean_ratio"]) >= target - RATIO_TOL).sum()
        )
    return out


def city_monthly(monthly: pd.DataFrame, target: float) -> pd.DataFrame:
    """Per period: tonnage-weighted city ratio, tonnes and the number of enterprises at target."""
    g = monthly.groupby("period", sort=True)
    out = pd.DataFrame({"tonnes_total": g["tonnes_total"].sum(), "tonnes_clean": g["tonnes_clean"].sum()})
    out["clean_ratio"] = (out["tonnes_clean"] / out["tonnes_total"].replace(0, np.nan)).fillna(0.0)
    out["meeting"] = g["clean_ratio"].apply(lambda s: int((s >= target - RATIO_TOL).sum()))
    return out.reset_index()
