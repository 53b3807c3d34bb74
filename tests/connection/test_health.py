"""The health pass: refresh ahead of expiry, keep refresh tokens alive, expire or flag failures, warn at 5 years."""
from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from qbo.accounts import store as accounts
from qbo.connection import audit
from qbo.connection.disconnect_notices import DISCONNECTED_IN_QUICKBOOKS, REFRESH_REFUSED, disconnect_notice
from qbo.connection.health import health_pass
from qbo.connection.state import StoredState
from qbo.connection.store import get_connection
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from tests.conftest import ALEX, REALM_1

HORIZON = timedelta(minutes=10)


@pytest.fixture
def connected(app, admin):
    admin.connect(ALEX, REALM_1)
    with app.app_context():
        yield accounts.find_company_by_name(get_db(), "Acme Construction").id


def count_queries(db) -> list[str]:
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    return statements


def test_a_fresh_connection_costs_one_query_and_no_call(connected, intuit):
    db = get_db()
    statements = count_queries(db)
    before = len(intuit.calls("token"))
    report = health_pass(db, utcnow(), HORIZON)
    db.conn.set_trace_callback(None)
    queries = [s for s in statements if s.startswith("SELECT")]
    assert report.looked_at == 0 and len(queries) == 2  # the care query and the hard-expiry query
    assert len(intuit.calls("token")) == before


def test_an_access_token_ending_before_the_next_pass_is_refreshed_now(connected, intuit):
    db = get_db()
    connection = get_connection(db, connected)
    with freeze_time(connection.access_expires_at - timedelta(minutes=12)):
        report = health_pass(db, utcnow(), HORIZON)
    assert report.refreshed == 1
    assert get_connection(db, connected).token_version == connection.token_version + 1


def test_a_refresh_token_is_kept_alive_a_month_before_it_would_lapse(connected, intuit):
    db = get_db()
    connection = get_connection(db, connected)
    with freeze_time(connection.refresh_expires_at - timedelta(days=29)):
        report = health_pass(db, utcnow(), HORIZON)
        renewed = get_connection(db, connected)
    assert report.refreshed == 1 and renewed.token_version == connection.token_version + 1
    assert renewed.refresh_expires_at > connection.refresh_expires_at


def test_a_grant_revoked_inside_quickbooks_is_recorded_as_a_disconnect_there(connected, intuit):
    db = get_db()
    intuit.disconnect_realm(REALM_1)  # the user never lands on the Disconnect URL: the next refresh finds out
    connection = get_connection(db, connected)
    with freeze_time(connection.access_expires_at - timedelta(minutes=12)):
        report = health_pass(db, utcnow(), HORIZON)
        again = health_pass(db, utcnow(), HORIZON)
    assert (report.disconnected, report.expired, again.looked_at) == (1, 0, 0)
    after = get_connection(db, connected)
    assert after.state is StoredState.DISCONNECTED and after.realm_id == REALM_1
    notice = disconnect_notice(db, connected, after)
    assert notice.learned_from == REFRESH_REFUSED and not notice.user_confirmed
    assert audit.count_events(db, connected, DISCONNECTED_IN_QUICKBOOKS) == 1
    assert audit.count_events(db, connected, audit.SESSION_EXPIRED) == 0
    assert [c["status"] for c in intuit.calls("token") if c["grant_type"] == "refresh_token"] == [400]


def test_a_refresh_token_that_ran_out_moves_the_connection_to_expired_with_the_reason(connected, intuit):
    db = get_db()
    connection = get_connection(db, connected)
    intuit.expire_refresh_token(REALM_1)
    # The health job was not running for 100 days: Intuit's answer is the same invalid_grant, but the token's
    # recorded expiry has passed, so this is an expiry (the card's "session expired"), not a disconnect.
    with freeze_time(connection.refresh_expires_at + timedelta(minutes=5)):
        report = health_pass(db, utcnow(), HORIZON)
    assert (report.expired, report.disconnected) == (1, 0)
    assert get_connection(db, connected).state is StoredState.EXPIRED
    assert audit.count_events(db, connected, audit.SESSION_EXPIRED) == 1
    assert disconnect_notice(db, connected, get_connection(db, connected)) is None


def test_a_connection_in_error_recovers_when_quickbooks_answers_again(connected, intuit):
    db = get_db()
    intuit.fail_next("500", endpoint="api")
    from qbo.connection.checks import check_connection

    check_connection(db, connected, force=True)
    assert get_connection(db, connected).state is StoredState.ERROR
    with freeze_time(utcnow() + timedelta(minutes=20)):
        report = health_pass(db, utcnow(), HORIZON)
    assert report.recovered == 1 and get_connection(db, connected).state is StoredState.CONNECTED


def test_the_five_year_end_is_announced_once(connected, intuit):
    db = get_db()
    end = get_connection(db, connected).refresh_hard_expires_at
    with freeze_time(end - timedelta(days=20)):
        first = health_pass(db, utcnow(), HORIZON)
        second = health_pass(db, utcnow(), HORIZON)
    assert (first.warned, second.warned) == (1, 0)
    assert audit.count_events(db, connected, audit.AUTHORIZATION_ENDING) == 1
