"""The audit trail of connection changes: a table row and a structured log line for each event."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.storage.timeutil import from_db, to_db

log = logging.getLogger("inbuild.audit")

CONNECTED = "connected"
RECONNECTED = "reconnected"
SWITCHED = "switched"
DISCONNECTED = "disconnected"
CONNECT_FAILED = "connect_failed"
SESSION_EXPIRED = "session_expired"
REVOKE_FAILED = "revoke_failed"
REVOKE_ABANDONED = "revoke_abandoned"
REFRESH_FAILED = "refresh_failed"
ACCESS_DENIED = "access_denied"
SYNC_PAUSED = "sync_paused"
SYNC_RESUMED = "sync_resumed"
SYNC_REQUESTED = "sync_requested"
SYNC_RECORD_REMOVED = "sync_record_removed"
SIGN_IN_THROTTLED = "sign_in_throttled"
SYNCED = "synced"
AUTHORIZATION_ENDING = "authorization_ending"


@dataclass(frozen=True)
class AuditEvent:
    company_id: int
    user_id: int | None
    action: str
    provider: str | None
    realm_id: str | None
    detail: str
    created_at: datetime
    qbo_user: str | None = None


def record(
    db: Database,
    company_id: int,
    user_id: int | None,
    action: str,
    now: datetime,
    provider: str | None = "qbo",
    realm_id: str | None = None,
    detail: str = "",
    qbo_user: str | None = None,
) -> None:
    """Store the event and log it as one JSON line (JSON escapes CR/LF, so input cannot forge lines)."""
    row = {
        "company_id": company_id,
        "user_id": user_id,
        "action": action,
        "provider": provider,
        "realm_id": realm_id,
        "detail": detail[:500],
        "created_at": to_db(now),
        "qbo_user": qbo_user,
    }
    db["audit_events"].insert(row)
    log.info(json.dumps({"event": "audit", **row}))


def _event(row: dict) -> AuditEvent:
    return AuditEvent(row["company_id"], row["user_id"], row["action"], row["provider"], row["realm_id"],
                      row["detail"], from_db(row["created_at"]), row.get("qbo_user"))


def _where(company_id: int, action: str | None) -> tuple[str, list]:
    if action:
        return "WHERE company_id = ? AND action = ?", [company_id, action]
    return "WHERE company_id = ?", [company_id]


def recent_events(db: Database, company_id: int, limit: int = 20, offset: int = 0,
                  action: str | None = None) -> list[AuditEvent]:
    """Newest first, optionally only one kind of action."""
    where, params = _where(company_id, action)
    rows = db.query(f"SELECT * FROM audit_events {where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                    [*params, limit, offset])
    return [_event(row) for row in rows]


def count_events(db: Database, company_id: int, action: str | None = None) -> int:
    where, params = _where(company_id, action)
    return next(db.query(f"SELECT COUNT(*) AS n FROM audit_events {where}", params))["n"]


def actions_recorded(db: Database, company_id: int) -> list[str]:
    """The kinds of action the company's trail holds, for the filter."""
    rows = db.query("SELECT DISTINCT action FROM audit_events WHERE company_id = ? ORDER BY action", [company_id])
    return [row["action"] for row in rows]
