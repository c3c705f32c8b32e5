"""Reading the ledger through the platform: the period report, gate status, the audit log, accounts."""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel, Field

from cleanfreight.errors import InputError
from cleanfreight.server import _ledger, _push
from cleanfreight.server._context import ApiUser, Ctx, client_of, require
from cleanfreight.server.accounts import User, add_user, list_users

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1", tags=["reports"])

#: city figures an enterprise account sees (the rest aggregates other enterprises' data)
_CITY_FOR_ENTERPRISE = ("target",)
#: top-level keys of the report an enterprise account sees
_KEYS_FOR_ENTERPRISE = ("period", "start", "end_exclusive", "rulebook", "assumptions")


def current_period() -> str:
    today = date.today()
    return f"{today.year:04d}-{today.month:02d}"


def scoped_report(ctx: Ctx, user: User, period: str) -> dict[str, Any]:
    """The report of ``cleanfreight ledger report --json`` restricted to what ``user`` may see."""
    try:
        label = _ledger.parse_period(period)
    except InputError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    with ctx.store.use() as led:
        rep = _ledger.period_report(led, label, rules=ctx.settings.rules, roster_name=ctx.settings.roster,
                                    plan=ctx.settings.plan)
    if user.role == "bureau":
        rep["scope"] = "city"
        return rep
    # a whitelist: whatever else the ledger's report holds (coverage lists, future keys) may name others
    scoped = {k: rep[k] for k in _KEYS_FOR_ENTERPRISE if k in rep}
    scoped["enterprises"] = [e for e in rep["enterprises"] if e.get("enterprise_id") == user.enterprise_id]
    scoped["city"] = {k: v for k, v in rep["city"].items() if k in _CITY_FOR_ENTERPRISE}
    scoped["scope"] = user.enterprise_id
    return scoped


@router.get("/report", summary="The period report (same JSON as `cleanfreight ledger report --json`), scoped to the caller")
def report(
    user: ApiUser,
    ctx: Ctx,
    period: Annotated[str, Query(max_length=32, description="YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD")],
) -> dict[str, Any]:
    require(user, "bureau", "enterprise")
    return scoped_report(ctx, user, period)


@router.get("/anomalies", summary="Findings of `cleanfreight ledger checks` for a period, scoped to the caller")
def anomalies(
    user: ApiUser,
    ctx: Ctx,
    period: Annotated[str, Query(max_length=32, description="YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD")],
) -> dict[str, Any]:
    require(user, "bureau", "enterprise")
    return {"period": period, "anomalies": scoped_anomalies(ctx, user, period, "en")}


def scoped_anomalies(ctx: Ctx, user: User, period: str, lang: str) -> list[dict[str, Any]]:
    try:
        label = _ledger.parse_period(period)
    except InputError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    with ctx.store.use() as led:
        found = _ledger.anomalies(led, label, rules=ctx.settings.rules, roster_name=ctx.settings.roster, lang=lang)
    if user.role == "bureau":
        return found
    return [a for a in found if a.get("enterprise_id") == user.enterprise_id]


@router.get("/gates", summary="Gates known to the platform, last heartbeat, online or not")
def gates(user: ApiUser, ctx: Ctx) -> dict[str, Any]:
    require(user, "bureau", "enterprise")
    ent = None if user.role == "bureau" else user.enterprise_id
    return {
        "offline_after_s": ctx.settings.heartbeat_offline_s,
        "gates": _push.gate_status(ctx.store, ctx.settings.heartbeat_offline_s, ent),
    }


@router.get("/completeness", summary="Heartbeat completeness per gate for a day (share of 10-minute intervals)")
def completeness(
    user: ApiUser, ctx: Ctx,
    day: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD (default today)")] = None,
) -> dict[str, Any]:
    require(user, "bureau", "enterprise")
    try:
        d = date.fromisoformat(day) if day else date.today()
    except ValueError:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"cannot read day {day!r}; use YYYY-MM-DD") from None
    ent = None if user.role == "bureau" else user.enterprise_id
    return {"day": d.isoformat(), "interval_s": ctx.settings.heartbeat_interval_s, "target": 0.95,
            "gates": _push.completeness(ctx.store, d, ctx.settings.heartbeat_interval_s, ent)}


@router.get("/audit", summary="The audit log (bureau only), newest first")
def audit(user: ApiUser, ctx: Ctx, limit: Annotated[int, Query(ge=1, le=10_000)] = 200) -> dict[str, Any]:
    require(user, "bureau")
    rows = ctx.store.query(
        "SELECT id, ts, username, action, target, detail, client FROM srv_audit ORDER BY id DESC LIMIT ?", [limit]
    )
    keys = ("id", "ts", "username", "action", "target", "detail", "client")
    return {"entries": [dict(zip(keys, (r[0], r[1].isoformat(sep=" ", timespec="seconds"), *r[2:]), strict=True))
                        for r in rows]}


class NewUser(BaseModel):
    name: str = Field(max_length=64)
    password: str = Field(max_length=256)
    role: str = Field(max_length=16)
    enterprise_id: str | None = Field(None, max_length=32)


@router.get("/users", summary="Accounts (bureau only)")
def users(user: ApiUser, ctx: Ctx) -> dict[str, Any]:
    require(user, "bureau")
    return {"users": [{"name": u.name, "role": u.role, "enterprise_id": u.enterprise_id} for u in list_users(ctx.store)]}


@router.post("/users", status_code=201, summary="Create an account or reset its password (bureau only)")
def create_user(body: NewUser, user: ApiUser, ctx: Ctx, request: Request) -> dict[str, Any]:
    require(user, "bureau")
    try:
        u = add_user(ctx.store, body.name, body.password, body.role, body.enterprise_id, actor=user.name)
    except InputError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    ctx.store.audit(user.name, "user.add.api", u.name, None, client_of(request))
    return {"name": u.name, "role": u.role, "enterprise_id": u.enterprise_id}
