"""Taking pushed passages and heartbeats: serial checks, enterprise scope, durable commit, audit."""

from __future__ import annotations

import logging
import math
import re
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from cleanfreight.server import _ledger
from cleanfreight.server._store import Store
from cleanfreight.server.accounts import User

logger = logging.getLogger(__name__)

_SERIAL_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_GATE_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")


def _text(value: object) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


#: an item of a job: (position in the request, serial, gate, record, what to do)
#: what: "import"; "hold" (no quantity yet: wait for the cargo record); "complete" (a held passage with
#: its cargo now: import it and drop it from the waiting list)
Item = tuple[int, str, str | None, dict[str, Any], str]


@dataclass
class _Job:
    """One request's records waiting for the next group commit."""

    user: User
    items: list[Item]
    # position -> None accepted, "dup", "held", or a rejection reason
    outcome: dict[int, str | None] = field(default_factory=dict)
    done: bool = False
    error: BaseException | None = None


class GroupCommit:
    """Commits the records of every request waiting at the same moment in one ledger import.

    A request queues its job, then takes the store's lock; whoever holds the lock imports every job
    queued so far (one import, one merge transaction, then one insert of the serials), so the fixed cost
    of an import is shared when many gates push at once. A request returns once its own job is done,
    that is after the commit.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._pending: list[_Job] = []
        self._lock = threading.Lock()

    def submit(self, job: _Job) -> _Job:
        with self._lock:
            self._pending.append(job)
        with self.store.use() as led:
            if not job.done:
                with self._lock:
                    jobs, self._pending = self._pending, []
                try:
                    self._commit(led, jobs)
                except BaseException as exc:
                    for j in jobs:
                        j.error, j.done = exc, True
                    raise
        if job.error is not None:
            raise job.error
        return job

    def _commit(self, led: _ledger.Ledger, jobs: list[_Job]) -> None:
        flat: list[tuple[_Job, int, str, str | None, dict[str, Any], str]] = [
            (j, *item) for j in jobs for item in j.items
        ]
        serials = [x[2] for x in flat]
        known: set[str] = set()
        for i in range(0, len(serials), 1000):
            part = serials[i : i + 1000]
            known |= {
                str(r[0])
                for r in led.query(f"SELECT serial FROM srv_passages WHERE serial IN ({', '.join('?' for _ in part)})",
                                   part)
            }
        hold_serials = [x[2] for x in flat if x[5] == "hold"]
        held: set[str] = set()
        for i in range(0, len(hold_serials), 1000):
            part = hold_serials[i : i + 1000]
            held |= {
                str(r[0])
                for r in led.query(f"SELECT serial FROM srv_pending WHERE serial IN ({', '.join('?' for _ in part)})",
                                   part)
            }
        fresh = []
        to_hold = []
        for x in flat:
            if x[2] in known or (x[5] == "hold" and x[2] in held):
                x[0].outcome[x[1]] = "dup"
            elif x[5] == "hold":
                held.add(x[2])
                to_hold.append(x)
            else:
                known.add(x[2])  # the same serial in two requests of this group: the first one counts
                fresh.append(x)
        if to_hold:
            import json

            now = datetime.now()
            # another platform process sharing a PostgreSQL ledger may hold the same serial: it waits once
            led.executemany(
                "INSERT INTO srv_pending (serial, enterprise_id, gate, received_at, username, record) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (serial) DO NOTHING",
                [[x[2], str(x[4]["enterprise_id"]), x[3], now, x[0].user.name, json.dumps(x[4], ensure_ascii=False)]
                 for x in to_hold],
            )
            for x in to_hold:
                x[0].outcome[x[1]] = "held"
        if fresh:
            now = datetime.now()
            source = f"push_{now:%Y%m%dT%H%M%S}_{secrets.token_hex(4)}"
            res = _ledger.import_rows(led, [x[4] for x in fresh], source=source, enterprise=None)
            bad: dict[int, list[str]] = {}
            for rj in res.rejects:
                bad.setdefault(rj.index, []).append(rj.reason if rj.column is None else f"{rj.column}: {rj.reason}")
            added = set(res.accepted_indexes)
            ok_rows = []
            completed = []
            for i, (job, pos, serial, gate, row, what) in enumerate(fresh):
                if i in bad:
                    job.outcome[pos] = "; ".join(bad[i])
                    continue
                job.outcome[pos] = None if i in added else "dup"
                ok_rows.append([serial, str(row["enterprise_id"]), gate, now, job.user.name, res.import_id])
                if what == "complete":
                    completed.append([serial])
            if ok_rows:
                # ON CONFLICT: another platform process on the same PostgreSQL ledger may have noted the
                # serial meanwhile (its record was then a duplicate here, by the ledger's key)
                with led.transaction():
                    led.executemany(
                        "INSERT INTO srv_passages (serial, enterprise_id, gate, received_at, username, import_id) "
                        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (serial) DO NOTHING",
                        ok_rows,
                    )
                    if completed:
                        led.execute(f"DELETE FROM srv_pending WHERE serial IN ({', '.join('?' for _ in completed)})",
                                    [c[0] for c in completed])
        for j in jobs:
            j.done = True


def push_passages(
    committer: GroupCommit, user: User, records: Sequence[Mapping[str, Any]], client: str
) -> dict[str, Any]:
    """Import pushed passage records; the answer is given after the ledger has committed them.

    A serial already acknowledged (now or in an earlier push) is a duplicate and is not imported
    again; so is a passage the ledger already holds under another serial (same de-duplication key).
    Every record is stamped with the caller's enterprise: a record naming another enterprise (under
    any of its field names) is rejected.
    """
    rejected: list[tuple[int, dict[str, str]]] = []  # (position in the input, answer)
    duplicates = 0
    batch_seen: set[str] = set()
    items: list[Item] = []
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
        claimed = _text(row.get("enterprise_id"))
        if user.role == "bureau":
            if claimed is None:
                rejected.append((pos, {"serial": serial,
                                       "reason": "no enterprise_id (a bureau account pushes for any enterprise)"}))
                continue
            row["enterprise_id"] = claimed.upper()
        else:
            if claimed is not None and claimed.upper() != user.enterprise_id:
                rejected.append((pos, {"serial": serial, "reason": "record of another enterprise; "
                                       f"this account pushes for {user.enterprise_id} only"}))
                continue
            # the ledger rejects a record whose other enterprise field (企业编号 ...) says otherwise
            row["enterprise_id"] = user.enterprise_id
        fields = _ledger.canonical_fields(row)
        what = "import" if ("tonnes" in fields or "counter" in fields) else "hold"
        items.append((pos, serial, gate, row, what))
    return _submit(committer, user, items, rejected, duplicates, client, "passages.push")


def _submit(
    committer: GroupCommit, user: User, items: list[Item], rejected: list[tuple[int, dict[str, str]]],
    duplicates: int, client: str, action: str,
) -> dict[str, Any]:
    accepted = held = 0
    if items:
        job = committer.submit(_Job(user, items))
        for pos, serial, *_ in items:
            out = job.outcome[pos]
            if out is None:
                accepted += 1
            elif out == "dup":
                duplicates += 1
            elif out == "held":
                held += 1
            else:
                if out.startswith("enterprise_id: field enterprise_id given twice"):
                    out = "record of another enterprise; " + (
                        f"this account pushes for {user.enterprise_id} only" if user.enterprise_id
                        else "its enterprise fields disagree")
                rejected.append((pos, {"serial": serial, "reason": out}))
    if items or rejected:
        committer.store.audit(user.name, action, user.enterprise_id,
                              f"accepted={accepted} rejected={len(rejected)} duplicates={duplicates} "
                              f"waiting={held}", client)
    return {"accepted": accepted, "rejected": [r for _, r in sorted(rejected, key=lambda x: x[0])],
            "duplicates": duplicates, "waiting_for_cargo": held}


def push_cargo(
    committer: GroupCommit, user: User, records: Sequence[Mapping[str, Any]], client: str
) -> dict[str, Any]:
    """Complete passages held for their cargo (weighed later) with cargo name and quantity, tied by serial."""
    import json

    rejected: list[tuple[int, dict[str, str]]] = []
    duplicates = 0
    items: list[Item] = []
    serials = [s for s in (_text(r.get("serial")) for r in records) if s]
    waiting: dict[str, tuple[str, str | None, str]] = {}
    done: set[str] = set()
    if serials:
        marks = ", ".join("?" for _ in serials)
        waiting = {
            str(s): (str(e), g, str(rec))
            for s, e, g, rec in committer.store.query(
                f"SELECT serial, enterprise_id, gate, record FROM srv_pending WHERE serial IN ({marks})", serials
            )
        }
        done = {str(r[0]) for r in committer.store.query(
            f"SELECT serial FROM srv_passages WHERE serial IN ({marks})", serials)}
    seen: set[str] = set()
    for pos, rec in enumerate(records):
        serial = _text(rec.get("serial"))
        if serial is None or serial in seen:
            if serial is None:
                rejected.append((pos, {"serial": "", "reason": "missing serial"}))
            else:
                duplicates += 1
            continue
        seen.add(serial)
        if serial in done and serial not in waiting:
            duplicates += 1
            continue
        held = waiting.get(serial)
        if held is None or (user.role != "bureau" and held[0] != user.enterprise_id):
            rejected.append((pos, {"serial": serial, "reason": "no passage of this enterprise waits for cargo "
                                   "under this serial"}))
            continue
        row = json.loads(held[2])
        row.update({k: v for k, v in rec.items() if k not in ("serial", "gate", "enterprise_id")})
        items.append((pos, serial, held[1], row, "complete"))
    return _submit(committer, user, items, rejected, duplicates, client, "cargo.push")


def heartbeat(store: Store, user: User, gate: str, status: str | None, enterprise_id: str | None = None) -> datetime:
    """Record that ``gate`` of the caller's enterprise is alive; returns the time recorded."""
    ent = user.enterprise_id or enterprise_id
    now = datetime.now()
    with store.transaction() as led:
        led.execute(
            "INSERT INTO srv_heartbeats (enterprise_id, gate, last_seen, status, username) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (enterprise_id, gate) DO UPDATE SET last_seen = excluded.last_seen, "
            "status = excluded.status, username = excluded.username",
            [ent, gate, now, status, user.name],
        )
        led.execute("INSERT INTO srv_heartbeat_log VALUES (?, ?, ?)", [ent, gate, now])
    return now


def completeness(
    store: Store, day: date, interval_s: int, enterprise_id: str | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Per gate, the share of ``day``'s heartbeat intervals that hold at least one heartbeat.

    Intervals count from the start of the day, or from the gate's first heartbeat ever when it was
    connected that day, to the end of the day (today: to now). A gate that never beat that day but
    did before is listed with 0 %.
    """
    start = datetime.combine(day, datetime.min.time())
    end = start + timedelta(days=1)
    now = now or datetime.now()
    where, params = ("", []) if enterprise_id is None else (" AND enterprise_id = ?", [enterprise_id])
    gates = store.query(
        "SELECT enterprise_id, gate, min(ts) AS first_seen FROM srv_heartbeat_log "
        f"WHERE ts < ?{where} GROUP BY enterprise_id, gate ORDER BY enterprise_id, gate",
        [end, *params],
    )
    # the day's intervals holding a heartbeat, counted here (interval arithmetic is spelt differently
    # by DuckDB and PostgreSQL)
    beats: dict[tuple[str, str], set[int]] = {}
    for ent, gate, ts in store.query(
        f"SELECT enterprise_id, gate, ts FROM srv_heartbeat_log WHERE ts >= ? AND ts < ?{where}", [start, end, *params]
    ):
        beats.setdefault((ent, gate), set()).add(math.floor((ts - start).total_seconds() / interval_s))
    out = []
    for ent, gate, first_seen in gates:
        slots = len(beats.get((ent, gate), ()))
        # the interval holding the first heartbeat is the first one expected
        first_slot = max(0, math.floor((first_seen - start).total_seconds() / interval_s))
        last_slot = math.ceil((min(end, now) - start).total_seconds() / interval_s)
        expected = max(0, last_slot - first_slot)
        share = None if expected == 0 else min(1.0, int(slots) / expected)
        out.append({"enterprise_id": ent, "gate": gate, "day": day.isoformat(), "intervals": expected,
                    "intervals_with_heartbeat": int(slots), "completeness": share,
                    "meets_95": share is not None and share >= 0.95})
    return out


def gate_status(store: Store, offline_after_s: int, enterprise_id: str | None = None) -> list[dict[str, Any]]:
    """Every gate known from heartbeats or passages, with its last heartbeat and whether it is online."""
    where, params = ("", []) if enterprise_id is None else (" WHERE enterprise_id = ?", [enterprise_id])
    rows = store.query(
        "SELECT g.enterprise_id, g.gate, h.last_seen, h.status, p.last_passage, coalesce(p.n, 0) FROM ("
        "SELECT enterprise_id, gate FROM srv_heartbeats UNION "
        "SELECT enterprise_id, coalesce(gate, '-') FROM srv_passages) g "
        "LEFT JOIN srv_heartbeats h ON h.enterprise_id = g.enterprise_id AND h.gate = g.gate "
        "LEFT JOIN (SELECT enterprise_id, coalesce(gate, '-') AS gate, max(received_at) AS last_passage, "
        "count(*) AS n FROM srv_passages GROUP BY enterprise_id, coalesce(gate, '-')) p ON p.enterprise_id = g.enterprise_id AND p.gate = g.gate"
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
