"""The gate feed API: tokens, passages, heartbeats, and the ``{organ, ipctype, access_token, value}`` envelope."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from cleanfreight.server import _push
from cleanfreight.server._context import ApiUser, Ctx, client_of, require
from cleanfreight.server.accounts import authenticate, issue_token, resolve_token

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1", tags=["gate feed"])

Scalar = str | int | float | None


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds")


class PassageRecord(BaseModel):
    """One passage: the ledger's field names plus ``serial`` and ``gate``; Chinese field names are accepted too."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "example": {
                "serial": "91140400MA0XXXXXX1G1A260305080000", "gate": "G1", "timestamp": "2026-03-05 08:00:00",
                "plate": "晋D12345", "emission_stage": "d", "cargo": "原煤", "tonnes": 31.5, "direction": "in",
                "vin": "LZZ1BLNB5NA000001",
            }
        },
    )
    serial: Scalar = Field(None, description="per-passage serial, unique per platform (1-64 letters, digits, _ -)")
    gate: Scalar = None
    timestamp: Scalar = None
    plate: Scalar = None
    emission_stage: Scalar = None
    cargo: Scalar = None
    tonnes: Scalar = None
    unit: Scalar = Field(None, description="t (default) or kg")
    direction: Scalar = Field(None, description="in / out (also 1 / 2, 进 / 出)")
    vin: Scalar = None
    enterprise_id: Scalar = Field(None, description="only for bureau accounts; others push for their own enterprise")


class Rejected(BaseModel):
    serial: str
    reason: str


class PushResult(BaseModel):
    accepted: int
    rejected: list[Rejected]
    duplicates: int
    waiting_for_cargo: int = Field(0, description="passages without a quantity, held until their cargo record")


class CargoRecord(BaseModel):
    """Cargo weighed after the passage, tied to it by ``serial``."""

    model_config = ConfigDict(extra="allow", json_schema_extra={
        "example": {"serial": "91140400MA0XXXXXX1G1A260305080000", "cargo": "原煤", "tonnes": 31.5}})
    serial: Scalar = None
    cargo: Scalar = None
    tonnes: Scalar = None
    unit: Scalar = Field(None, description="t (default) or kg")


class Heartbeat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    gate: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    status: str | None = Field(None, max_length=64)


class HeartbeatResult(BaseModel):
    enterprise_id: str | None
    gate: str
    received_at: str


def _login(ctx: Ctx, request: Request, username: str, password: str) -> TokenResponse:
    client = client_of(request)
    keys = (f"user:{username}", f"ip:{client}")
    wait = ctx.throttle.retry_after(*keys)
    if wait:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many failed logins; try again later",
                            headers={"Retry-After": str(wait)})
    user = authenticate(ctx.store, username, password)
    if user is None:
        ctx.throttle.failed(*keys)
        ctx.store.audit(username[:64], "login.failed", None, "api", client)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong user name or password")
    ctx.throttle.succeeded(keys[0])
    token, _ = issue_token(ctx.store, user, kind="api", ttl_s=ctx.settings.token_ttl_s)
    ctx.store.audit(user.name, "token.issued", user.enterprise_id, None, client)
    return TokenResponse(access_token=token, expires_in=ctx.settings.token_ttl_s)


@router.post("/token", response_model=TokenResponse, summary="Exchange user name and password for an access token")
def token(body: TokenRequest, ctx: Ctx, request: Request) -> TokenResponse:
    return _login(ctx, request, body.username, body.password)


@router.post("/passages", response_model=PushResult, summary="Push passage records (acknowledged after commit)")
def passages(
    records: Annotated[list[PassageRecord], Body()], user: ApiUser, ctx: Ctx, request: Request
) -> dict[str, Any]:
    require(user, "device", "enterprise", "bureau")
    if len(records) > ctx.settings.max_batch:
        raise HTTPException(413,
                            f"{len(records)} records; at most {ctx.settings.max_batch} per request")
    rows = [r.model_dump(exclude_none=True) for r in records]
    return _push.push_passages(ctx.committer, user, rows, client_of(request))


@router.post("/cargo", response_model=PushResult,
             summary="Cargo weighed later: completes a held passage by serial (acknowledged after commit)")
def cargo(records: Annotated[list[CargoRecord], Body()], user: ApiUser, ctx: Ctx, request: Request) -> dict[str, Any]:
    require(user, "device", "enterprise", "bureau")
    if len(records) > ctx.settings.max_batch:
        raise HTTPException(413, f"{len(records)} records; at most {ctx.settings.max_batch} per request")
    rows = [r.model_dump(exclude_none=True) for r in records]
    return _push.push_cargo(ctx.committer, user, rows, client_of(request))


@router.post("/heartbeat", response_model=HeartbeatResult, summary="A gate says it is alive (about every 10 min)")
def heartbeat(body: Heartbeat, user: ApiUser, ctx: Ctx) -> HeartbeatResult:
    require(user, "device", "enterprise")
    at = _push.heartbeat(ctx.store, user, body.gate, body.status)
    return HeartbeatResult(enterprise_id=user.enterprise_id, gate=body.gate, received_at=at.isoformat(timespec="seconds"))


# --- the {organ, ipctype, access_token, value} envelope -------------------------------------------
#: envelope field -> ledger field (spellings seen in gate clients; extend here for another city)
ENVELOPE_FIELDS: dict[str, str] = {
    "serial": "serial", "serialNo": "serial", "serialno": "serial", "passId": "serial", "id": "serial",
    "gate": "gate", "gateNo": "gate", "gateno": "gate", "gateCode": "gate", "gatecode": "gate",
    "plate": "plate", "plateNo": "plate", "plateno": "plate", "carNo": "plate", "vehicleNo": "plate",
    "passTime": "timestamp", "passtime": "timestamp", "time": "timestamp", "inOutTime": "timestamp",
    "direction": "direction", "inOut": "direction", "inout": "direction",
    "vin": "vin", "VIN": "vin",
    "regDate": "reg_date", "registerDate": "reg_date", "regdate": "reg_date",
    "emissionStage": "emission_stage", "emission": "emission_stage", "emissionstandard": "emission_stage",
    "fleet": "fleet", "fleetName": "fleet", "fleetname": "fleet",
    "cargo": "cargo", "goodsName": "cargo", "goodsname": "cargo", "cargoName": "cargo",
    "tonnage": "tonnes", "weight": "tonnes", "netWeight": "tonnes",
    "unit": "unit", "weightUnit": "unit",
    "fuelType": "fuel", "fueltype": "fuel", "fuel": "fuel",
    "plateColor": "plate_colour", "platecolor": "plate_colour", "plateColour": "plate_colour",
}
_AB_DIRECTIONS = {"A": "in", "B": "out"}


def envelope_record(value: dict[str, Any]) -> dict[str, Any]:
    """A ``shareDrivingRecord`` value as a passage record with the ledger's field names.

    Emission stage codes 0-6 / D / X, fuel codes (A petrol, B diesel, C electric, E natural gas) and
    plate colours are read by the ledger (stage X with fuel C is electric).
    """
    out: dict[str, Any] = {}
    for k, v in value.items():
        name = ENVELOPE_FIELDS.get(k)
        if name is not None and v is not None:
            out[name] = v
    direction = str(out.get("direction", "")).strip().upper()
    if direction in _AB_DIRECTIONS:  # A in, B out (as in the serial numbers)
        out["direction"] = _AB_DIRECTIONS[direction]
    return out


class Envelope(BaseModel):
    model_config = ConfigDict(extra="allow")
    organ: str | None = Field(None, max_length=64, description="enterprise code")
    ipctype: str = Field(max_length=64, description="getAccessToken | shareDrivingRecord | shareGoodsRecord | gateStatusReport")
    access_token: str | None = Field(None, max_length=256)
    value: dict[str, Any] | list[dict[str, Any]] = Field(default_factory=dict)


def _reply(code: int, msg: str, http: int = 200, **data: Any) -> JSONResponse:
    return JSONResponse({"code": code, "msg": msg, "data": data}, status_code=http)


@router.post("/gateway", summary="Adapter for gate clients speaking the {organ, ipctype, access_token, value} envelope")
def gateway(env: Envelope, ctx: Ctx, request: Request) -> JSONResponse:
    if env.ipctype == "getAccessToken":
        v = env.value if isinstance(env.value, dict) else {}
        tok = _login(ctx, request, str(v.get("username", ""))[:64], str(v.get("password", ""))[:256])
        return _reply(0, "ok", access_token=tok.access_token, expires_in=tok.expires_in)
    session = resolve_token(ctx.store, env.access_token or "", kind="api")
    if session is None:
        return _reply(401, "missing, invalid or expired access_token; call getAccessToken", 401)
    user = session.user
    if user.role not in ("device", "enterprise"):
        return _reply(403, "only gate (device) and enterprise accounts push through the gateway", 403)
    if env.organ is not None and env.organ.strip().upper() != user.enterprise_id:
        return _reply(403, f"organ {env.organ!r} is not this account's enterprise", 403)
    values = env.value if isinstance(env.value, list) else [env.value]
    if env.ipctype == "shareDrivingRecord":
        if len(values) > ctx.settings.max_batch:
            return _reply(413, f"at most {ctx.settings.max_batch} records per message", 413)
        res = _push.push_passages(ctx.committer, user, [envelope_record(v) for v in values], client_of(request))
        code = 0 if not res["rejected"] else 1
        return _reply(code, "ok" if code == 0 else "some records rejected", **res)
    if env.ipctype == "gateStatusReport":
        v = values[0] if values else {}
        gate = str(v.get("gateNo", v.get("gate", v.get("gateCode", "")))).strip()
        if not gate or len(gate) > 32 or not gate.replace("-", "").replace("_", "").isalnum():
            return _reply(400, "gateStatusReport needs gateNo (1-32 letters, digits, _ -)", 400)
        at = _push.heartbeat(ctx.store, user, gate, str(v.get("status", "")) or None)
        return _reply(0, "ok", gate=gate, received_at=at.isoformat(timespec="seconds"))
    if env.ipctype == "shareGoodsRecord":
        if len(values) > ctx.settings.max_batch:
            return _reply(413, f"at most {ctx.settings.max_batch} records per message", 413)
        res = _push.push_cargo(ctx.committer, user, [envelope_record(v) for v in values], client_of(request))
        code = 0 if not res["rejected"] else 1
        return _reply(code, "ok" if code == 0 else "some records rejected", **res)
    return _reply(400, f"unknown ipctype {env.ipctype!r}", 400)
