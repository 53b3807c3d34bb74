"""Store a finished QuickBooks Online sign-in: the connection row, its tokens, and the grant it replaces."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.connection.crypto import TokenCipher, TokenDecryptError
from qbo.connection.revocations import enqueue_revocation
from qbo.connection.state import Connection, StoredState
from qbo.connection.store import QBO, _token_columns, active_integration, get_connection
from qbo.connection.tokens import TokenSet
from qbo.storage.db import immediate
from qbo.storage.timeutil import to_db


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
