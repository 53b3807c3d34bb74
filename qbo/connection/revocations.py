"""Store for token revocations Intuit has not yet confirmed; retried until it does (or gives up)."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlite_utils import Database

from qbo.connection import audit
from qbo.connection.crypto import TokenCipher, TokenDecryptError
from qbo.intuit.errors import IntuitError
from qbo.storage.db import immediate
from qbo.storage.timeutil import to_db

MAX_ATTEMPTS = 8
log = logging.getLogger(__name__)


def enqueue_revocation(db: Database, company_id: int, realm_id: str | None, token_enc: str, now: datetime) -> int:
    """Queue an (already encrypted) token for revocation, due at once; returns the queue entry's id."""
    return db["pending_revocations"].insert(
        {
            "company_id": company_id,
            "realm_id": realm_id,
            "token_enc": token_enc,
            "attempts": 0,
            "next_attempt_at": to_db(now),
            "last_error": None,
            "created_at": to_db(now),
        }
    ).last_pk


def deliver_revocation(db: Database, cipher: TokenCipher, entry_id: int, revoke: Callable[[str], None], now: datetime) -> bool:
    """Try one queued revocation now; True once Intuit confirmed it (the entry is then gone)."""
    rows = list(db.query("SELECT * FROM pending_revocations WHERE id = ?", [entry_id]))
    return bool(rows) and _attempt(db, cipher, rows[0], revoke, now)


def pending_count(db: Database) -> int:
    return db.execute("SELECT count(*) FROM pending_revocations").fetchone()[0]


def retry_due_revocations(
    db: Database, cipher: TokenCipher, revoke: Callable[[str], None], now: datetime, company_id: int | None = None
) -> tuple[int, int]:
    """Try every due revocation (of one company, or all) once; returns (delivered, still pending)."""
    sql, params = "SELECT * FROM pending_revocations WHERE next_attempt_at <= ?", [to_db(now)]
    if company_id is not None:
        sql, params = sql + " AND company_id = ?", params + [company_id]
    due = list(db.query(sql, params))
    delivered = sum(_attempt(db, cipher, row, revoke, now) for row in due)
    return delivered, pending_count(db)


def _attempt(db: Database, cipher: TokenCipher, row: dict, revoke: Callable[[str], None], now: datetime) -> bool:
    try:
        revoke(cipher.decrypt(row["token_enc"]))
    except IntuitError as exc:
        _reschedule(db, row, str(exc), now)
        return False
    except TokenDecryptError:
        pass  # an undecryptable token can never be revoked; drop the entry
    db.execute("DELETE FROM pending_revocations WHERE id = ?", [row["id"]])
    return True


def _reschedule(db: Database, row: dict, error: str, now: datetime) -> None:
    attempts = row["attempts"] + 1
    with immediate(db):
        if attempts > MAX_ATTEMPTS:
            # Intuit keeps refusing: stop retrying, but leave a trail (the grant may still be live at Intuit).
            db.execute("DELETE FROM pending_revocations WHERE id = ?", [row["id"]])
            audit.record(db, row["company_id"], None, audit.REVOKE_ABANDONED, now, realm_id=row["realm_id"],
                         detail=f"gave up after {row['attempts']} attempts: {error}")
            log.warning("Gave up revoking a QuickBooks grant for realm %s after %s attempts.", row["realm_id"],
                        row["attempts"])
            return
        db.execute(
            "UPDATE pending_revocations SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
            [attempts, to_db(now + _backoff(attempts)), error, row["id"]],
        )


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** attempts), timedelta(hours=12))


