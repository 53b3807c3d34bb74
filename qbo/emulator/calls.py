"""The call log: one row per wire call, never holding token values."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .clock import utc_iso


@dataclass(frozen=True)
class Call:
    endpoint: str
    method: str
    grant_type: str | None
    status: int
    realm_id: str | None
    fault: str | None
    intuit_tid: str
    at: float


def record_call(conn: sqlite3.Connection, call: Call) -> None:
    """Append a call to the log."""
    conn.execute(
        "INSERT INTO calls (endpoint, method, grant_type, status, realm_id, fault, intuit_tid, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (call.endpoint, call.method, call.grant_type, call.status, call.realm_id, call.fault,
         call.intuit_tid, call.at),
    )


def list_calls(conn: sqlite3.Connection, limit: int | None = None) -> list[dict]:
    """Logged calls, oldest first (the most recent `limit` when given)."""
    query = "SELECT * FROM calls ORDER BY id DESC"
    rows = conn.execute(query + (" LIMIT ?" if limit else ""), (limit,) if limit else ()).fetchall()
    return [_call_json(row) for row in reversed(rows)]


def _call_json(row: sqlite3.Row) -> dict:
    return {
        "id": row["id"], "endpoint": row["endpoint"], "method": row["method"],
        "grant_type": row["grant_type"], "status": row["status"], "realm_id": row["realm_id"],
        "fault": row["fault"], "intuit_tid": row["intuit_tid"],
        "at": utc_iso(row["at"], "milliseconds"),
    }


def clear_calls(conn: sqlite3.Connection) -> int:
    """Empty the call log; returns how many rows went."""
    return conn.execute("DELETE FROM calls").rowcount
