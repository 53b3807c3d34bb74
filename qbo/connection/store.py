"""Store for accounting connections and their encrypted tokens. The only code naming `connections`."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from qbo.connection.crypto import TokenCipher
from qbo.connection.revocations import enqueue_revocation
from qbo.connection.state import KEEP_ALIVE_BEFORE, REFRESH_MARGIN, Connection, StoredState
from qbo.connection.tokens import TokenSet
from qbo.storage.db import immediate
from qbo.storage.timeutil import from_db, to_db

QBO = "qbo"
QBD = "qbd"
PROVIDER_NAMES = {QBO: "QuickBooks Online", QBD: "QuickBooks Desktop"}


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


@dataclass(frozen=True)
class CompanyConnections:
    """A company's connections rows (one per provider at most), read together for a page that shows them all."""

    by_provider: dict[str, Connection]

    def get(self, provider: str = QBO) -> Connection | None:
        return self.by_provider.get(provider)

    @property
    def active(self) -> Connection | None:
        """The one active accounting integration, as active_integration() finds it."""
        return next((c for c in self.by_provider.values() if c.is_active), None)


def company_connections(db: Database, company_id: int) -> CompanyConnections:
    rows = db.query("SELECT * FROM connections WHERE company_id = ?", [company_id])
    return CompanyConnections({row["provider"]: _connection(row) for row in rows})


def _token_columns(cipher: TokenCipher, tokens: TokenSet) -> dict:
    return {
        "access_token_enc": cipher.encrypt(tokens.access_token),
        "refresh_token_enc": cipher.encrypt(tokens.refresh_token),
        "access_expires_at": to_db(tokens.access_expires_at),
        "refresh_expires_at": to_db(tokens.refresh_expires_at),
        "refresh_hard_expires_at": to_db(tokens.refresh_hard_expires_at),
    }


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


def set_last_sync(db: Database, company_id: int, now: datetime) -> None:
    db.execute("UPDATE connections SET last_sync_at = ? WHERE company_id = ? AND provider = ?",
               [to_db(now), company_id, QBO])


def connected_company_ids(db: Database) -> list[int]:
    """Companies whose QuickBooks Online connection is not disconnected (the scheduler's candidates)."""
    rows = db.query("SELECT company_id FROM connections WHERE provider = ? AND state != 'disconnected' "
                    "AND realm_id IS NOT NULL ORDER BY company_id", [QBO])
    return [row["company_id"] for row in rows]


def connections_needing_care(db: Database, now: datetime, horizon: timedelta) -> list[Connection]:
    """One query for the whole health pass: active connections in error, or whose tokens end soon."""
    soon = to_db(now + horizon + REFRESH_MARGIN)
    keep_alive = to_db(now + KEEP_ALIVE_BEFORE)
    rows = db.query(
        "SELECT * FROM connections WHERE provider = ? AND state IN ('connected', 'error') AND ("
        "state = 'error' OR access_expires_at IS NULL OR access_expires_at <= ? OR refresh_expires_at <= ?)",
        [QBO, soon, keep_alive])
    return [_connection(row) for row in rows]


def hard_expiry_ahead(db: Database, now: datetime, within: timedelta) -> list[Connection]:
    """Active connections whose 5-year authorization ends within `within`."""
    rows = db.query("SELECT * FROM connections WHERE provider = ? AND state != 'disconnected' "
                    "AND refresh_hard_expires_at IS NOT NULL AND refresh_hard_expires_at <= ? "
                    "AND refresh_hard_expires_at > ?", [QBO, to_db(now + within), to_db(now)])
    return [_connection(row) for row in rows]
