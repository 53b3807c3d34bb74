"""Incidents: a connection that turned expired or error or was disconnected inside QuickBooks, once per spell, and
its recovery. The only code naming `connection_incidents`. Two queries a pass, whatever the number of companies.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.storage.db import immediate
from qbo.storage.timeutil import to_db

OPENED, CLOSED = "opened", "closed"
DISCONNECTED = "disconnected"  # an incident's end when the admin disconnected: no notice
DISCONNECTED_IN_QUICKBOOKS = "disconnected_in_quickbooks"  # an incident's kind


@dataclass(frozen=True)
class Notice:
    company_id: int
    change: str  # OPENED or CLOSED
    kind: str  # "expired", "error" or DISCONNECTED_IN_QUICKBOOKS
    reason: str


def reconcile_incidents(db: Database, now: datetime) -> list[Notice]:
    """Close the incidents of connections that recovered (or changed kind, or were disconnected), then open one
    for each connection expired, failing or disconnected inside QuickBooks without an open incident. A disconnect
    by the admin closes quietly."""
    with immediate(db):
        closed = [Notice(r["company_id"], CLOSED, r["kind"], "") for r in _recovered(db)]
        db.execute("UPDATE connection_incidents SET closed_at = ? WHERE closed_at IS NULL AND company_id IN "
                   f"({', '.join('?' for _ in closed)})", [to_db(now), *(n.company_id for n in closed)])
        opened = [Notice(r["company_id"], OPENED, r["kind"], r["reason"] or "") for r in _broken(db)]
        for notice in opened:
            db.execute("INSERT INTO connection_incidents (company_id, kind, reason, opened_at) VALUES (?, ?, ?, ?)",
                       [notice.company_id, notice.kind, notice.reason[:300], to_db(now)])
    return [n for n in closed if n.kind != DISCONNECTED] + opened


# The state an incident of each kind stands for; the rest are named after their state.
STATE_OF_KIND = f"CASE i.kind WHEN '{DISCONNECTED_IN_QUICKBOOKS}' THEN 'disconnected' ELSE i.kind END"


def _recovered(db: Database):
    """Open incidents whose connection is no longer in that state; kind "disconnected" when the admin removed it."""
    return list(db.query(
        f"SELECT i.company_id, CASE WHEN c.state IS NULL OR (c.state = 'disconnected' AND i.kind != "
        f"'{DISCONNECTED_IN_QUICKBOOKS}') THEN '{DISCONNECTED}' ELSE i.kind END AS kind FROM connection_incidents i "
        "LEFT JOIN connections c ON c.company_id = i.company_id AND c.provider = 'qbo' WHERE i.closed_at IS NULL "
        f"AND (c.state IS NULL OR c.state != {STATE_OF_KIND})"))


def _broken(db: Database):
    """Connections expired or failing, or disconnected inside QuickBooks since they last connected (the notice
    `disconnect_notices` keeps), with no open incident."""
    return list(db.query(
        "SELECT c.company_id, c.state AS kind, c.last_error AS reason FROM connections c WHERE c.provider = 'qbo' "
        "AND c.state IN ('expired', 'error') AND NOT EXISTS (SELECT 1 FROM connection_incidents i "
        "WHERE i.company_id = c.company_id AND i.closed_at IS NULL) "
        f"UNION ALL SELECT c.company_id, '{DISCONNECTED_IN_QUICKBOOKS}', n.learned_from FROM connections c "
        "JOIN qbo_disconnect_notices n ON n.company_id = c.company_id WHERE c.provider = 'qbo' "
        "AND c.state = 'disconnected' AND (c.connected_at IS NULL OR c.connected_at <= n.noticed_at) "
        "AND NOT EXISTS (SELECT 1 FROM connection_incidents i WHERE i.company_id = c.company_id "
        "AND i.closed_at IS NULL)"))
