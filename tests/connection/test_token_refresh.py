"""Refreshing access tokens: the margin, rotation, permanent vs transient failures, the lease."""
from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from qbo.connection.disconnect_notices import REFRESH_REFUSED, disconnect_notice
from qbo.connection.state import StoredState
from qbo.connection.store import get_connection, stored_tokens
from qbo.connection.token_refresh import fresh_access_token
from qbo.intuit.errors import ConnectionUnusable, GrantRevoked, IntuitUnavailable, RefreshRejected
from qbo.storage.db import immediate
from qbo.storage.timeutil import to_db, utcnow
from tests.support.store_fixtures import connected_db, new_cipher

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
EXPIRY = T0 + timedelta(hours=1)


class FakeTokenEndpoint:
    """Strict rotation: each refresh token works once."""

    def __init__(self, current: str = "RT-0"):
        self.current = current
        self.calls = 0
        self.fail_with: Exception | None = None

    def __call__(self, refresh_token: str) -> dict:
        self.calls += 1
        if self.fail_with:
            raise self.fail_with
        if refresh_token != self.current:
            raise RefreshRejected("superseded refresh token")
        self.current = f"RT-{self.calls}"
        return {"access_token": f"AT-{self.calls}", "refresh_token": self.current, "expires_in": 3600,
                "x_refresh_token_expires_in": 8726400}


@pytest.fixture
def store(tmp_path):
    cipher = new_cipher()
    db, company_id = connected_db(str(tmp_path / "r.sqlite3"), cipher, T0)
    yield db, cipher, company_id
    db.close()


def get_token(store, endpoint, **kwargs):
    db, cipher, company_id = store
    return fresh_access_token(db, cipher, company_id, endpoint, utcnow, "worker-1", lease_seconds=5,
                              wait_seconds=0.3, **kwargs)


@pytest.mark.parametrize(
    "at, refreshes",
    [
        (EXPIRY - timedelta(minutes=5, seconds=1), 0),
        (EXPIRY - timedelta(minutes=5), 1),
        (EXPIRY, 1),
        (EXPIRY + timedelta(seconds=1), 1),
    ],
)
def test_refresh_happens_only_inside_the_margin(store, at, refreshes):
    endpoint = FakeTokenEndpoint()
    with freeze_time(at):
        token, _ = get_token(store, endpoint)
    assert endpoint.calls == refreshes
    assert token == ("AT-1" if refreshes else "AT-0")


def test_rotated_refresh_token_is_stored_encrypted(store):
    db, cipher, company_id = store
    endpoint = FakeTokenEndpoint()
    with freeze_time(EXPIRY):
        get_token(store, endpoint)
        second_expiry = utcnow() + timedelta(hours=1)
    with freeze_time(second_expiry):
        token, version = get_token(store, endpoint)
    assert (token, endpoint.calls) == ("AT-2", 2)
    assert stored_tokens(db, cipher, company_id).refresh_token == endpoint.current == "RT-2"
    assert get_connection(db, company_id).access_expires_at == second_expiry + timedelta(hours=1)
    raw = db.execute("SELECT refresh_token_enc FROM connections").fetchone()[0]
    assert "RT-2" not in raw


def test_invalid_grant_after_the_recorded_expiry_marks_expired_and_keeps_tokens(store):
    db, cipher, company_id = store
    endpoint = FakeTokenEndpoint(current="something-else")
    before = db.execute("SELECT refresh_token_enc FROM connections").fetchone()[0]
    ran_out = get_connection(db, company_id).refresh_expires_at + timedelta(minutes=1)
    with freeze_time(ran_out), pytest.raises(RefreshRejected) as refusal:
        get_token(store, endpoint)
    assert not isinstance(refusal.value, GrantRevoked)
    connection = get_connection(db, company_id)
    assert connection.state is StoredState.EXPIRED
    assert db.execute("SELECT refresh_token_enc, lease_owner FROM connections").fetchone() == (before, None)
    with freeze_time(ran_out), pytest.raises(ConnectionUnusable):
        get_token(store, endpoint)
    assert endpoint.calls == 1  # never loops on refresh


def test_invalid_grant_with_time_left_is_a_disconnect_inside_quickbooks(store):
    db, cipher, company_id = store
    endpoint = FakeTokenEndpoint(current="something-else")  # Intuit revoked the grant
    with freeze_time(EXPIRY), pytest.raises(GrantRevoked):
        get_token(store, endpoint)
    connection = get_connection(db, company_id)
    assert connection.state is StoredState.DISCONNECTED
    assert db.execute("SELECT access_token_enc, refresh_token_enc, lease_owner FROM connections").fetchone() == (
        None, None, None)
    assert disconnect_notice(db, company_id, connection).learned_from == REFRESH_REFUSED
    with freeze_time(EXPIRY), pytest.raises(ConnectionUnusable):
        get_token(store, endpoint)
    assert endpoint.calls == 1


@pytest.mark.parametrize("earlier", ["stale lease", "unanswered refresh"])
def test_a_refusal_after_an_earlier_refresh_of_unknown_outcome_is_only_an_expiry(store, earlier):
    """The earlier refresh may have rotated the token at Intuit without our hearing of it: no proof of a revoke."""
    db, cipher, company_id = store
    endpoint = FakeTokenEndpoint(current="something-else")
    column = ("lease_owner = 'dead-worker', lease_until = ?" if earlier == "stale lease"
              else "refresh_failures = 1, refresh_cooldown_until = NULL, lease_until = ?")
    db.execute(f"UPDATE connections SET {column}", [to_db(EXPIRY - timedelta(minutes=1))])
    with freeze_time(EXPIRY), pytest.raises(RefreshRejected) as refusal:
        get_token(store, endpoint)
    assert not isinstance(refusal.value, GrantRevoked)
    assert get_connection(db, company_id).state is StoredState.EXPIRED


def test_transient_failure_counts_and_cools_down(store):
    db, cipher, company_id = store
    endpoint = FakeTokenEndpoint()
    endpoint.fail_with = IntuitUnavailable("HTTP 503")
    before = db.execute("SELECT refresh_token_enc FROM connections").fetchone()[0]
    with freeze_time(EXPIRY):
        with pytest.raises(IntuitUnavailable):
            get_token(store, endpoint)
        with pytest.raises(IntuitUnavailable, match="cooling down"):
            get_token(store, endpoint)
    assert endpoint.calls == 1
    connection = get_connection(db, company_id)
    assert connection.refresh_failures == 1
    assert connection.state is StoredState.CONNECTED
    assert db.execute("SELECT refresh_token_enc FROM connections").fetchone()[0] == before
    endpoint.fail_with = None
    with freeze_time(EXPIRY + timedelta(seconds=31)):
        token, _ = get_token(store, endpoint)
    assert token == "AT-2"
    assert get_connection(db, company_id).refresh_failures == 0


def test_unexpected_exception_is_transient(store):
    endpoint = FakeTokenEndpoint()
    endpoint.fail_with = ValueError("garbled JSON")
    with freeze_time(EXPIRY), pytest.raises(IntuitUnavailable):
        get_token(store, endpoint)


def test_a_rejected_access_token_forces_one_refresh(store):
    endpoint = FakeTokenEndpoint()
    with freeze_time(T0):
        token, version = get_token(store, endpoint)
        assert endpoint.calls == 0
        fresh, new_version = get_token(store, endpoint, rejected_version=version)
        assert (fresh, endpoint.calls) == ("AT-1", 1)
        # A second worker that saw the same rejected version uses the new token instead of refreshing again.
        again, _ = get_token(store, endpoint, rejected_version=version)
        assert (again, endpoint.calls) == ("AT-1", 1)
        assert new_version == version + 1


def test_waits_for_a_live_lease_and_gives_up(store):
    db, cipher, company_id = store
    with freeze_time(EXPIRY):
        with immediate(db):
            db.execute("UPDATE connections SET lease_owner = 'other', lease_until = ?",
                       [to_db(utcnow() + timedelta(seconds=30))])
        endpoint = FakeTokenEndpoint()
        with pytest.raises(IntuitUnavailable, match="still refreshing"):
            get_token(store, endpoint)
    assert endpoint.calls == 0


def test_an_abandoned_lease_is_taken_over(store):
    db, cipher, company_id = store
    with freeze_time(EXPIRY):
        db.execute("UPDATE connections SET lease_owner = 'crashed', lease_until = ?",
                   [to_db(utcnow() - timedelta(seconds=1))])
        token, _ = get_token(store, FakeTokenEndpoint())
    assert token == "AT-1"
    assert db.execute("SELECT lease_owner FROM connections").fetchone()[0] is None


def test_disconnect_during_refresh_discards_the_result(store):
    db, cipher, company_id = store
    from qbo.connection.store import disconnect_qbo

    def refresh_then_disconnect(refresh_token):
        disconnect_qbo(db, company_id, utcnow())
        return FakeTokenEndpoint()(refresh_token)

    with freeze_time(EXPIRY), pytest.raises(ConnectionUnusable):
        get_token(store, refresh_then_disconnect)
    row = db.execute("SELECT state, access_token_enc, refresh_token_enc FROM connections").fetchone()
    assert row == ("disconnected", None, None)
