"""One access-token refresh per connection across all processes: a lease row plus double-checked reads.

A worker takes the lease in a short BEGIN IMMEDIATE transaction, calls Intuit outside any
transaction, then writes the rotated tokens and clears the lease in one transaction. Others wait
for the lease and re-read, so nobody ever sends a superseded refresh token.
"""
from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from qbo.connection.crypto import TokenCipher
from qbo.connection.disconnect_notices import REFRESH_REFUSED, record_disconnect_in_quickbooks
from qbo.connection.state import (
    Connection,
    StoredState,
    access_token_needs_refresh,
    in_refresh_cooldown,
    refused_before_expiry,
    transient_cooldown,
)
from qbo.connection.store import QBO, _connection, _token_columns
from qbo.connection.tokens import token_set_from_response
from qbo.intuit.errors import ConnectionUnusable, GrantRevoked, IntuitUnavailable, RefreshRejected
from qbo.storage.db import immediate
from qbo.storage.faultpoints import AFTER_TOKEN_RESPONSE, crash_point
from qbo.storage.timeutil import after, to_db

RefreshCall = Callable[[str], dict]
LEASE_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class _Lease:
    token_version: int
    refresh_token: str = field(repr=False)
    # An earlier refresh died holding the lease or failed without an answer: Intuit may have rotated the token
    # without our hearing of it, so a refusal now proves no revocation.
    earlier_outcome_unknown: bool = False


def fresh_access_token(
    db: Database,
    cipher: TokenCipher,
    company_id: int,
    refresh: RefreshCall,
    now: Callable[[], datetime],
    owner: str,
    lease_seconds: float = 30,
    wait_seconds: float = 35,
    rejected_version: int | None = None,
) -> tuple[str, int]:
    """A usable access token and its token version, refreshing it first if it is (nearly) expired.

    `rejected_version` forces a refresh when Intuit refused that version's access token (a 401),
    unless another worker has already replaced it.
    """
    # Counted, not clocked: frozen test clocks must not turn this wait into an endless loop.
    for _ in range(max(1, math.ceil(wait_seconds / LEASE_POLL_SECONDS))):
        outcome = _take_lease_or_token(db, cipher, company_id, now(), owner, lease_seconds, rejected_version)
        if isinstance(outcome, _Lease):
            return _refresh_under_lease(db, cipher, company_id, refresh, now, owner, outcome)
        if outcome is not None:
            return outcome
        time.sleep(LEASE_POLL_SECONDS * random.uniform(0.5, 1.5))
    raise IntuitUnavailable("Another worker is still refreshing the QuickBooks token.")


def _take_lease_or_token(db, cipher, company_id, now, owner, lease_seconds, rejected_version):
    """(token, version) if no refresh is needed, a _Lease once we hold the lease, None while another holds it."""
    with immediate(db):
        row = _row(db, company_id)
        connection = _connection(row)
        _refuse_unusable(connection)
        forced = rejected_version is not None and rejected_version == connection.token_version
        if not forced and not access_token_needs_refresh(connection, now):
            return cipher.decrypt(row["access_token_enc"]), connection.token_version
        if in_refresh_cooldown(connection, now):
            raise IntuitUnavailable("QuickBooks token refresh is cooling down after a failure.")
        if row["lease_owner"] and row["lease_until"] > to_db(now):
            return None
        db.execute(
            "UPDATE connections SET lease_owner = ?, lease_until = ? WHERE id = ?",
            [owner, to_db(after(now, lease_seconds)), connection.id],
        )
        earlier_outcome_unknown = bool(row["lease_owner"]) or row["refresh_failures"] > 0  # stale lease, or a failure
        return _Lease(connection.token_version, cipher.decrypt(row["refresh_token_enc"]), earlier_outcome_unknown)


def _refuse_unusable(connection: Connection) -> None:
    if connection.state is StoredState.DISCONNECTED:
        raise ConnectionUnusable("QuickBooks Online is not connected.")
    if connection.state is StoredState.EXPIRED:
        raise ConnectionUnusable("The QuickBooks Online session has expired.")


def _refresh_under_lease(db, cipher, company_id, refresh, now, owner, lease: _Lease):
    try:
        response = refresh(lease.refresh_token)
        crash_point(AFTER_TOKEN_RESPONSE)
        tokens = token_set_from_response(response, now())
    except RefreshRejected as exc:
        provable = not lease.earlier_outcome_unknown
        if _release_lease(db, company_id, owner, now(), rejected=True, revocation_provable=provable):
            raise GrantRevoked("QuickBooks refused a refresh token that had not expired.") from exc
        raise
    except Exception as exc:
        _release_lease(db, company_id, owner, now(), rejected=False)
        raise exc if isinstance(exc, IntuitUnavailable) else IntuitUnavailable(str(exc)) from exc
    columns = _token_columns(cipher, tokens)
    with immediate(db):
        row = _row(db, company_id)
        if row["token_version"] != lease.token_version or row["state"] == StoredState.DISCONNECTED.value:
            # Disconnected or replaced meanwhile: a newer sign-in wins over this refresh.
            raise ConnectionUnusable("The QuickBooks connection changed during the token refresh.")
        assignments = ", ".join(f"{c} = ?" for c in columns)
        db.execute(
            f"UPDATE connections SET {assignments}, lease_owner = NULL, lease_until = NULL, "
            "refresh_failures = 0, refresh_cooldown_until = NULL, token_version = token_version + 1, "
            "updated_at = ? WHERE id = ?",
            [*columns.values(), to_db(now()), row["id"]],
        )
    return tokens.access_token, lease.token_version + 1


def _release_lease(db: Database, company_id: int, owner: str, now: datetime, rejected: bool,
                   revocation_provable: bool = False) -> bool:
    """Give the lease back after a failed refresh; stored tokens stay as they were.

    A refused token moves the connection to expired, or, when it still had time to run and nothing else can
    explain the refusal, to disconnected inside QuickBooks (True).
    """
    with immediate(db):
        row = _row(db, company_id)
        if row["lease_owner"] != owner:
            return False
        if rejected:
            return _refused(db, _connection(row), now, revocation_provable)
        failures = row["refresh_failures"] + 1
        db.execute(
            "UPDATE connections SET lease_owner = NULL, lease_until = NULL, refresh_failures = ?, "
            "refresh_cooldown_until = ?, updated_at = ? WHERE id = ?",
            [failures, to_db(now + transient_cooldown(failures)), to_db(now), row["id"]],
        )
        return False


def _refused(db: Database, connection: Connection, now: datetime, revocation_provable: bool) -> bool:
    if revocation_provable and refused_before_expiry(connection, now):
        record_disconnect_in_quickbooks(db, connection, now, REFRESH_REFUSED)
        return True
    db.execute(
        "UPDATE connections SET lease_owner = NULL, lease_until = NULL, state = 'expired', "
        "last_error = 'refresh token rejected', updated_at = ? WHERE id = ? AND state != 'disconnected'",
        [to_db(now), connection.id],
    )
    return False


def _row(db: Database, company_id: int) -> dict:
    rows = list(db.query("SELECT * FROM connections WHERE company_id = ? AND provider = ?", [company_id, QBO]))
    if not rows:
        raise ConnectionUnusable("QuickBooks Online is not connected.")
    return rows[0]
