"""The QuickBooks Online connection's states and the time rules around them. Knows nothing of Flask."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

REFRESH_MARGIN = timedelta(minutes=5)
CHECK_INTERVAL = timedelta(minutes=1)
HARD_EXPIRY_WARNING = timedelta(days=30)
CLOCK_SKEW = timedelta(hours=1)


class ConnectionState(enum.Enum):
    """What the QuickBooks Online card shows."""

    NOT_CONNECTED = "not_connected"
    CONNECTED = "connected"
    EXPIRED = "expired"
    ERROR = "error"


class StoredState(str, enum.Enum):
    """The `connections.state` column."""

    CONNECTED = "connected"
    EXPIRED = "expired"
    ERROR = "error"
    DISCONNECTED = "disconnected"


@dataclass(frozen=True)
class Connection:
    id: int
    company_id: int
    provider: str
    state: StoredState
    realm_id: str | None
    environment: str | None
    company_name: str | None
    qbo_user_email: str | None
    qbo_user_name: str | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    refresh_hard_expires_at: datetime | None
    token_version: int
    refresh_failures: int
    refresh_cooldown_until: datetime | None
    last_error: str | None
    last_checked_at: datetime | None
    last_sync_at: datetime | None
    connected_at: datetime | None

    @property
    def is_active(self) -> bool:
        return self.state is not StoredState.DISCONNECTED


def card_state(connection: Connection | None, now: datetime) -> ConnectionState:
    """The state the card shows for this connection at `now`."""
    if connection is None or not connection.is_active:
        return ConnectionState.NOT_CONNECTED
    if connection.state is StoredState.EXPIRED or refresh_token_expired(connection, now):
        return ConnectionState.EXPIRED
    if connection.state is StoredState.ERROR:
        return ConnectionState.ERROR
    return ConnectionState.CONNECTED


def refresh_token_expired(connection: Connection, now: datetime) -> bool:
    """True once the rolling (100-day) or the hard (5-year) refresh-token expiry has passed."""
    ends = [t for t in (connection.refresh_expires_at, connection.refresh_hard_expires_at) if t]
    return any(now >= end for end in ends)


def refused_before_expiry(connection: Connection, now: datetime) -> bool:
    """Intuit refused this connection's refresh token while it still had time to run (by more than clock skew).

    Only a revoked grant does that (intuit-facts 2.10): the refresh lease means we always send the latest token.
    With no recorded expiry nothing can be told, and the refusal stays a plain expiry.
    """
    return connection.refresh_expires_at is not None and not refresh_token_expired(connection, now + CLOCK_SKEW)


def access_token_needs_refresh(connection: Connection, now: datetime, margin: timedelta = REFRESH_MARGIN) -> bool:
    """Refresh proactively once we are within `margin` of the access token's expiry."""
    if connection.access_expires_at is None:
        return True
    return now >= connection.access_expires_at - margin


def in_refresh_cooldown(connection: Connection, now: datetime) -> bool:
    return connection.refresh_cooldown_until is not None and now < connection.refresh_cooldown_until


def check_due(connection: Connection | None, now: datetime, interval: timedelta = CHECK_INTERVAL) -> bool:
    """Whether a page load should verify the connection with Intuit (at most once per interval)."""
    if connection is None or not connection.is_active or connection.state is StoredState.EXPIRED:
        return False
    if connection.last_checked_at is None:
        return True
    return now >= connection.last_checked_at + interval


def hard_expiry_warning_due(connection: Connection, now: datetime) -> bool:
    """True within 30 days of the refresh token's absolute 5-year end."""
    end = connection.refresh_hard_expires_at
    return end is not None and end - HARD_EXPIRY_WARNING <= now < end


def transient_cooldown(failures: int) -> timedelta:
    """Back-off after consecutive transient refresh failures: 30 s, 60 s, 120 s ... capped at 15 min."""
    return timedelta(seconds=min(30 * 2 ** min(max(failures - 1, 0), 10), 15 * 60))


KEEP_ALIVE_BEFORE = timedelta(days=30)  # refresh well before the rolling 100-day refresh-token expiry


def health_work(connection: Connection, now: datetime, horizon: timedelta) -> str | None:
    """What the health job should do for a connection now: "refresh", "keep_alive", "recover", or None.

    `horizon` is the time to the job's next pass: an access token that would expire before then is refreshed
    now, so a sync or a page never meets an expired one.
    """
    if not connection.is_active or connection.state is StoredState.EXPIRED or in_refresh_cooldown(connection, now):
        return None
    if connection.state is StoredState.ERROR:
        return "recover"
    if connection.refresh_expires_at is not None and now >= connection.refresh_expires_at - KEEP_ALIVE_BEFORE:
        return "keep_alive"
    if access_token_needs_refresh(connection, now, margin=horizon + REFRESH_MARGIN):
        return "refresh"
    return None
