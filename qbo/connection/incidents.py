"""Incidents: a connection that turned expired or error, once per spell, and its recovery. The only code naming
`connection_incidents`. Two queries a pass, whatever the number of companies.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.storage.db import immediate
from qbo.storage.timeutil import to_db

OPENED, CLOSED = "opened", "closed"


@dataclass(frozen=True)
class Notice:
    company_id: int
    change: str  # OPENED or CLOSED
    kind: str  # "expired" or "error"
    reason: str


def reconcile_incidents(db: Database, now: datetime) -> list[Notice]:
    """Close the incidents of connections that recovered (or changed kind, or were disconnected), then open one
    for each connection expired or failing without an open incident. A disconnect by the admin closes quietly."""
    with immediate(db):
        closed = [Notice(r["company_id"], CLOSED, r["kind"], "") for r in _recovered(db)]
        db.execute("UPDATE connection_incidents SET closed_at = ? WHERE closed_at IS NULL AND company_id IN "
                   f"({', '.join('?' for _ in closed)})", [to_db(now), *(n.company_id for n in closed)])
        opened = [Notice(r["company_id"], OPENED, r["state"], r["last_error"] or "") for r in db.query(
            "SELECT c.company_id, c.state, c.last_error FROM connections c WHERE c.provider = 'qbo' "
            "AND c.state IN ('expired', 'error') AND NOT EXISTS (SELECT 1 FROM connection_incidents i "
            "WHERE i.company_id = c.company_id AND i.closed_at IS NULL)")]
        for notice in opened:
            db.execute("INSERT INTO connection_incidents (company_id, kind, reason, opened_at) VALUES (?, ?, ?, ?)",
                       [notice.company_id, notice.kind, notice.reason[:300], to_db(now)])
    return [n for n in closed if n.kind != "disconnected"] + opened


def _recovered(db: Database):
    """Open incidents whose connection is no longer in that state; kind "disconnected" when it was removed."""
    return list(db.query(
        "SELECT i.company_id, CASE WHEN c.state IS NULL OR c.state = 'disconnected' THEN 'disconnected' "
        "ELSE i.kind END AS kind FROM connection_incidents i LEFT JOIN connections c "
        "ON c.company_id = i.company_id AND c.provider = 'qbo' WHERE i.closed_at IS NULL "
        "AND (c.state IS NULL OR c.state != i.kind)"))
