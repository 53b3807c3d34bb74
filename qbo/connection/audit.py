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


@dataclass(frozen=True)
class AuditEvent:
    company_id: int
    user_id: int | None
    action: str
    provider: str | None
    realm_id: str | None
    detail: str
    created_at: datetime


def record(
    db: Database,
    company_id: int,
    user_id: int | None,
    action: str,
    now: datetime,
    provider: str | None = "qbo",
    realm_id: str | None = None,
    detail: str = "",
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
    }
    db["audit_events"].insert(row)
    log.info(json.dumps({"event": "audit", **row}))


def recent_events(db: Database, company_id: int, limit: int = 20) -> list[AuditEvent]:
    rows = db.query(
        "SELECT * FROM audit_events WHERE company_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        [company_id, limit],
    )
    return [
        AuditEvent(r["company_id"], r["user_id"], r["action"], r["provider"], r["realm_id"], r["detail"], from_db(r["created_at"]))
        for r in rows
    ]
