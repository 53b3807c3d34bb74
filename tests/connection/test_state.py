"""The card's state machine and the expiry rules, with `now` passed in."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from qbo.connection.state import (
    Connection,
    ConnectionState,
    StoredState,
    access_token_needs_refresh,
    card_state,
    check_due,
    hard_expiry_warning_due,
    transient_cooldown,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def make_connection(**changes) -> Connection:
    base = Connection(
        id=1, company_id=1, provider="qbo", state=StoredState.CONNECTED, realm_id="1", environment="emulator",
        company_name="Keystone", qbo_user_email="a@example.com", qbo_user_name="A B",
        access_expires_at=NOW + timedelta(hours=1), refresh_expires_at=NOW + timedelta(days=100),
        refresh_hard_expires_at=NOW + timedelta(days=5 * 365), token_version=1, refresh_failures=0,
        refresh_cooldown_until=None, last_error=None, last_checked_at=NOW, last_sync_at=None, connected_at=NOW,
    )
    return replace(base, **changes)


@pytest.mark.parametrize(
    "connection, expected",
    [
        (None, ConnectionState.NOT_CONNECTED),
        (make_connection(state=StoredState.DISCONNECTED), ConnectionState.NOT_CONNECTED),
        (make_connection(), ConnectionState.CONNECTED),
        (make_connection(state=StoredState.EXPIRED), ConnectionState.EXPIRED),
        (make_connection(state=StoredState.ERROR), ConnectionState.ERROR),
        (make_connection(refresh_expires_at=NOW), ConnectionState.EXPIRED),
        (make_connection(refresh_hard_expires_at=NOW - timedelta(seconds=1)), ConnectionState.EXPIRED),
        (make_connection(state=StoredState.ERROR, refresh_expires_at=NOW), ConnectionState.EXPIRED),
        # An expired *access* token is routine: it is refreshed, the card stays connected.
        (make_connection(access_expires_at=NOW - timedelta(hours=2)), ConnectionState.CONNECTED),
    ],
)
def test_card_state(connection, expected):
    assert card_state(connection, NOW) is expected


def test_refresh_token_expiry_boundary():
    connection = make_connection(refresh_expires_at=NOW + timedelta(seconds=1))
    assert card_state(connection, NOW) is ConnectionState.CONNECTED
    assert card_state(connection, NOW + timedelta(seconds=1)) is ConnectionState.EXPIRED


@pytest.mark.parametrize(
    "offset, refresh",
    [
        (-timedelta(minutes=5, seconds=1), False),  # expiry - margin - 1 s
        (-timedelta(minutes=5), True),  # expiry - margin
        (timedelta(0), True),  # expiry
        (timedelta(seconds=1), True),  # expiry + 1 s
    ],
)
def test_access_token_refresh_margin(offset, refresh):
    expiry = NOW + timedelta(hours=1)
    connection = make_connection(access_expires_at=expiry)
    assert access_token_needs_refresh(connection, expiry + offset) is refresh


def test_missing_access_expiry_means_refresh():
    assert access_token_needs_refresh(make_connection(access_expires_at=None), NOW)


def test_check_due_at_most_once_a_minute():
    connection = make_connection(last_checked_at=NOW)
    assert not check_due(connection, NOW + timedelta(seconds=59))
    assert check_due(connection, NOW + timedelta(seconds=60))
    assert check_due(make_connection(last_checked_at=None), NOW)
    assert not check_due(None, NOW)
    assert not check_due(make_connection(state=StoredState.EXPIRED, last_checked_at=None), NOW)
    assert not check_due(make_connection(state=StoredState.DISCONNECTED, last_checked_at=None), NOW)
    assert check_due(make_connection(state=StoredState.ERROR, last_checked_at=NOW - timedelta(minutes=2)), NOW)


def test_hard_expiry_warning_starts_thirty_days_before():
    end = NOW + timedelta(days=30)
    connection = make_connection(refresh_hard_expires_at=end)
    assert hard_expiry_warning_due(connection, NOW)
    assert not hard_expiry_warning_due(connection, NOW - timedelta(seconds=1))
    assert not hard_expiry_warning_due(connection, end)
    assert not hard_expiry_warning_due(make_connection(refresh_hard_expires_at=None), NOW)


def test_transient_cooldown_grows_and_caps():
    assert transient_cooldown(1) == timedelta(seconds=30)
    assert transient_cooldown(2) == timedelta(seconds=60)
    assert transient_cooldown(3) == timedelta(seconds=120)
    assert transient_cooldown(50) == timedelta(minutes=15)
