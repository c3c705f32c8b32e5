"""Taking pushed passages and heartbeats: serial checks, enterprise scope, durable commit, audit."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cleanfreight.server import _ledger
from cleanfreight.server._store import Store
from cleanfreight.server.accounts import User

logger = logging.getLogger(__name__)

_SERIAL_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_GATE_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_ENT_KEYS = ("enterprise_id", "企业编号", "企业代码", "enterprise")


def _text(value: object) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def push_passages(store: Store, user: User, records: Sequence[Mapping[str, Any]], client: str) -> dict[str, Any]:
    """Import pushed passage records; the answer is given after the ledger has committed them.

    A serial already acknowledged (now or in an earlier push) is a duplicate and is not imported
    again. The lock on the store is held from the serial check to the serial insert, so two pushes
    of the same serial at the same moment count it once.
    """
    rejected: list[tuple[int, dict[str, str]]] = []  # (position in the input, answer)
    duplicates = 0
    batch_seen: set[str] = set()
    todo: list[tuple[int, str, str | None, dict[str, Any]]] = []
    for pos, rec in enumerate(records):
        serial = _text(rec.get("serial"))
        if serial is None or not _SERIAL_RE.fullmatch(serial):
            rejected.append((pos, {"serial": "" if serial is None else serial[:64],
                                   "reason": "missing or invalid serial (1-64 letters, digits, _ -)"}))
            continue
        if serial in batch_seen:
            duplicates += 1
            continue
        batch_seen.add(serial)
        gate = _text(rec.get("gate"))
        if gate is not None and not _GATE_RE.fullmatch(gate):
            rejected.append((pos, {"serial": serial, "reason": "invalid gate (1-32 letters, digits, _ -)"}))
            continue
        row = {k: v for k, v in rec.items() if k not in ("serial", "gate")}
        claimed = next((_text(row[k]) for k in _ENT_KEYS if k in row and _text(row[k])), None)
        if user.role == "bureau":
            if claimed is None:
                rejected.append((pos, {"serial": serial,
                                       "reason": "no enterprise_id (a bureau account pushes for any enterprise)"}))
                continue
        elif claimed is not None and claimed.upper() != user.enterprise_id:
            rejected.append((pos, {"serial": serial, "reason": "record of another enterprise; "
                                   f"this account pushes for {user.enterprise_id} only"}))
            continue
        todo.append((pos, serial, gate, row))
    accepted = 0
    now = datetime.now()
    if todo:
        with store.use() as con:
            serials = [s for _, s, _, _ in todo]
            known = {
                str(r[0])
                for r in con.execute(
                    f"SELECT serial FROM srv_passages WHERE serial IN ({', '.join('?' for _ in serials)})", serials
                ).fetchall()
            }
            fresh = [t for t in todo if t[1] not in known]
            duplicates += len(todo) - len(fresh)
            if fresh:
                ent = user.enterprise_id
                source = f"push_{ent or 'bureau'}_{user.name}_{now:%Y%m%dT%H%M%S}_{secrets.token_hex(3)}"
                res = _ledger.import_rows(
                    con, [r for _, _, _, r in fresh], source=source, enterprise=ent, only_enterprise=ent
                )
                bad: dict[int, list[str]] = {}
                for rj in res.rejects:
                    bad.setdefault(rj.index, []).append(
                        rj.reason if rj.column is None else f"{rj.column}: {rj.reason}"
                    )
                ok_rows = []
                for i, (pos, serial, gate, row) in enumerate(fresh):
                    if i in bad:
                        rejected.append((pos, {"serial": serial, "reason": "; ".join(bad[i])}))
                    else:
                        rec_ent = ent or str(next(_text(row[k]) for k in _ENT_KEYS if k in row and _text(row[k]))).upper()
                        ok_rows.append([serial, rec_ent, gate, now, user.name, res.import_id])
                accepted = res.accepted
                duplicates += res.duplicates
                if ok_rows:
                    con.execute("BEGIN TRANSACTION")
                    try:
                        con.executemany(
                            "INSERT INTO srv_passages (serial, enterprise_id, gate, received_at, username, import_id) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            ok_rows,
                        )
                        con.execute("COMMIT")
                    except BaseException:
                        con.execute("ROLLBACK")
                        raise
    if todo or rejected:
        store.audit(user.name, "passages.push", user.enterprise_id,
                    f"accepted={accepted} rejected={len(rejected)} duplicates={duplicates}", client)
    return {"accepted": accepted, "rejected": [r for _, r in sorted(rejected, key=lambda x: x[0])],
            "duplicates": duplicates}


def heartbeat(store: Store, user: User, gate: str, status: str | None, enterprise_id: str | None = None) -> datetime:
    """Record that ``gate`` of the caller's enterprise is alive; returns the time recorded."""
    ent = user.enterprise_id or enterprise_id
    now = datetime.now()
    with store.use() as con:
        con.execute(
            "INSERT INTO srv_heartbeats (enterprise_id, gate, last_seen, status, username) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (enterprise_id, gate) DO UPDATE SET last_seen = excluded.last_seen, "
            "status = excluded.status, username = excluded.username",
            [ent, gate, now, status, user.name],
        )
    return now


def gate_status(store: Store, offline_after_s: int, enterprise_id: str | None = None) -> list[dict[str, Any]]:
    """Every gate known from heartbeats or passages, with its last heartbeat and whether it is online."""
    where, params = ("", []) if enterprise_id is None else (" WHERE enterprise_id = ?", [enterprise_id])
    rows = store.query(
        "SELECT g.enterprise_id, g.gate, h.last_seen, h.status, p.last_passage, coalesce(p.n, 0) FROM ("
        "SELECT enterprise_id, gate FROM srv_heartbeats UNION "
        "SELECT enterprise_id, coalesce(gate, '-') FROM srv_passages) g "
        "LEFT JOIN srv_heartbeats h ON h.enterprise_id = g.enterprise_id AND h.gate = g.gate "
        "LEFT JOIN (SELECT enterprise_id, coalesce(gate, '-') AS gate, max(received_at) AS last_passage, "
        "count(*) AS n FROM srv_passages GROUP BY ALL) p ON p.enterprise_id = g.enterprise_id AND p.gate = g.gate"
        f"{where.replace('enterprise_id', 'g.enterprise_id')} ORDER BY g.enterprise_id, g.gate",
        params,
    )
    now = datetime.now()
    out = []
    for ent, gate, seen, st, last_p, n in rows:
        online = seen is not None and (now - seen).total_seconds() <= offline_after_s
        out.append({
            "enterprise_id": ent,
            "gate": gate,
            "last_heartbeat": None if seen is None else seen.isoformat(sep=" ", timespec="seconds"),
            "status": st,
            "online": online,
            "last_passage": None if last_p is None else last_p.isoformat(sep=" ", timespec="seconds"),
            "passages": int(n),
        })
    return out
