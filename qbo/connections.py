"""Store for accounting connections and their encrypted tokens. The only code naming `connections`."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from qbo.connection_state import Connection, StoredState
from qbo.crypto import TokenCipher, TokenDecryptError
from qbo.db import immediate
from qbo.revocations import enqueue_revocation
from qbo.timeutil import from_db, to_db
from qbo.tokens import TokenSet

QBO = "qbo"
QBD = "qbd"
PROVIDER_NAMES = {QBO: "QuickBooks Online", QBD: "QuickBooks Desktop"}


class IntegrationConflict(Exception):
    """Another accounting integration is active for this company."""

    def __init__(self, active_provider: str):
        super().__init__(active_provider)
        self.active_provider = active_provider


class RealmLinkedElsewhere(Exception):
    """This QuickBooks company is already connected to another inBuild company."""


@dataclass(frozen=True)
class QboIdentity:
    realm_id: str
    environment: str
    user_sub: str | None
    user_email: str | None
    user_name: str | None
    company_name: str | None


@dataclass(frozen=True)
class StoredTokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    version: int


def _connection(row: dict) -> Connection:
    return Connection(
        id=row["id"],
        company_id=row["company_id"],
        provider=row["provider"],
        state=StoredState(row["state"]),
        realm_id=row["realm_id"],
        environment=row["environment"],
        company_name=row["company_name"],
        qbo_user_email=row["qbo_user_email"],
        qbo_user_name=row["qbo_user_name"],
        access_expires_at=from_db(row["access_expires_at"]),
        refresh_expires_at=from_db(row["refresh_expires_at"]),
        refresh_hard_expires_at=from_db(row["refresh_hard_expires_at"]),
        token_version=row["token_version"],
        refresh_failures=row["refresh_failures"],
        refresh_cooldown_until=from_db(row["refresh_cooldown_until"]),
        last_error=row["last_error"],
        last_checked_at=from_db(row["last_checked_at"]),
        last_sync_at=from_db(row["last_sync_at"]),
        connected_at=from_db(row["connected_at"]),
    )


def get_connection(db: Database, company_id: int, provider: str = QBO) -> Connection | None:
    rows = list(db.query("SELECT * FROM connections WHERE company_id = ? AND provider = ?", [company_id, provider]))
    return _connection(rows[0]) if rows else None


def connection_by_id(db: Database, connection_id: int) -> Connection | None:
    rows = list(db.query("SELECT * FROM connections WHERE id = ?", [connection_id]))
    return _connection(rows[0]) if rows else None


def active_integration(db: Database, company_id: int) -> Connection | None:
    """The company's one active accounting integration, of either provider."""
    rows = list(db.query("SELECT * FROM connections WHERE company_id = ? AND state != 'disconnected'", [company_id]))
    return _connection(rows[0]) if rows else None


def _token_columns(cipher: TokenCipher, tokens: TokenSet) -> dict:
    return {
        "access_token_enc": cipher.encrypt(tokens.access_token),
        "refresh_token_enc": cipher.encrypt(tokens.refresh_token),
        "access_expires_at": to_db(tokens.access_expires_at),
        "refresh_expires_at": to_db(tokens.refresh_expires_at),
        "refresh_hard_expires_at": to_db(tokens.refresh_hard_expires_at),
    }


@dataclass(frozen=True)
class SavedConnection:
    previous: Connection | None
    current: Connection
    revocation_id: int | None  # the replaced grant, queued for revocation


def save_qbo_connection(
    db: Database, company_id: int, identity: QboIdentity, tokens: TokenSet, cipher: TokenCipher, now: datetime
) -> SavedConnection:
    """Store a fresh sign-in, queueing the grant it replaces for revocation in the same transaction."""
    with immediate(db):
        _refuse_conflicts(db, company_id, identity.realm_id)
        previous = get_connection(db, company_id)
        revocation_id = _queue_replaced_grant(db, cipher, company_id, tokens.refresh_token, now)
        values = {
            "state": StoredState.CONNECTED.value,
            "realm_id": identity.realm_id,
            "environment": identity.environment,
            "company_name": identity.company_name,
            "qbo_user_sub": identity.user_sub,
            "qbo_user_email": identity.user_email,
            "qbo_user_name": identity.user_name,
            **_token_columns(cipher, tokens),
            "lease_owner": None,
            "lease_until": None,
            "refresh_failures": 0,
            "refresh_cooldown_until": None,
            "last_error": None,
            "last_checked_at": to_db(now),
            "connected_at": to_db(now),
            "disconnected_at": None,
            "updated_at": to_db(now),
        }
        _upsert(db, company_id, values)
        return SavedConnection(previous, get_connection(db, company_id), revocation_id)


def _queue_replaced_grant(db: Database, cipher: TokenCipher, company_id: int, new_refresh: str, now: datetime) -> int | None:
    rows = list(
        db.query(
            "SELECT realm_id, refresh_token_enc FROM connections WHERE company_id = ? AND provider = ? "
            "AND refresh_token_enc IS NOT NULL",
            [company_id, QBO],
        )
    )
    if not rows:
        return None
    try:
        if cipher.decrypt(rows[0]["refresh_token_enc"]) == new_refresh:
            return None  # Intuit handed back the same grant: revoking it would undo this sign-in
    except TokenDecryptError:
        return None
    return enqueue_revocation(db, company_id, rows[0]["realm_id"], rows[0]["refresh_token_enc"], now)


def _upsert(db: Database, company_id: int, values: dict) -> None:
    columns = ["company_id", "provider", *values]
    updates = ", ".join(f"{c} = excluded.{c}" for c in values)
    try:
        db.execute(
            f"INSERT INTO connections ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
            f"ON CONFLICT (company_id, provider) DO UPDATE SET {updates}, token_version = token_version + 1",
            [company_id, QBO, *values.values()],
        )
    except sqlite3.IntegrityError as exc:
        raise RealmLinkedElsewhere() from exc


def _refuse_conflicts(db: Database, company_id: int, realm_id: str) -> None:
    other = active_integration(db, company_id)
    if other is not None and other.provider != QBO:
        raise IntegrationConflict(other.provider)
    rows = db.query(
        "SELECT 1 FROM connections WHERE provider = ? AND realm_id = ? AND company_id != ? AND state != 'disconnected'",
        [QBO, realm_id, company_id],
    )
    if list(rows):
        raise RealmLinkedElsewhere()


def stored_tokens(db: Database, cipher: TokenCipher, company_id: int) -> StoredTokens | None:
    """The current tokens in plaintext, for a call to Intuit. Raises TokenDecryptError if tampered."""
    rows = list(
        db.query(
            "SELECT access_token_enc, refresh_token_enc, token_version FROM connections "
            "WHERE company_id = ? AND provider = ? AND refresh_token_enc IS NOT NULL",
            [company_id, QBO],
        )
    )
    if not rows:
        return None
    row = rows[0]
    return StoredTokens(cipher.decrypt(row["access_token_enc"]), cipher.decrypt(row["refresh_token_enc"]), row["token_version"])


def disconnect_qbo(db: Database, company_id: int, now: datetime) -> int | None:
    """Mark the connection disconnected and move its refresh token to the revocation queue, atomically.

    Returns the queue entry's id (None when there was no token left to revoke).
    """
    with immediate(db):
        rows = list(
            db.query(
                "SELECT realm_id, refresh_token_enc FROM connections WHERE company_id = ? AND provider = ?",
                [company_id, QBO],
            )
        )
        if not rows:
            return None
        db.execute(
            "UPDATE connections SET state = 'disconnected', access_token_enc = NULL, refresh_token_enc = NULL, "
            "access_expires_at = NULL, lease_owner = NULL, lease_until = NULL, disconnected_at = ?, "
            "updated_at = ?, token_version = token_version + 1 WHERE company_id = ? AND provider = ?",
            [to_db(now), to_db(now), company_id, QBO],
        )
        token_enc = rows[0]["refresh_token_enc"]
        return enqueue_revocation(db, company_id, rows[0]["realm_id"], token_enc, now) if token_enc else None


def set_state(db: Database, company_id: int, state: StoredState, now: datetime, error: str | None = None) -> None:
    """Record the outcome of a check; a disconnected connection stays disconnected."""
    db.execute(
        "UPDATE connections SET state = ?, last_error = ?, last_checked_at = ?, updated_at = ? "
        "WHERE company_id = ? AND provider = ? AND state != 'disconnected'",
        [state.value, error, to_db(now), to_db(now), company_id, QBO],
    )


def set_company_name(db: Database, company_id: int, company_name: str) -> None:
    db.execute(
        "UPDATE connections SET company_name = ? WHERE company_id = ? AND provider = ?",
        [company_name, company_id, QBO],
    )
