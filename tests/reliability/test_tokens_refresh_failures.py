"""Row 20 (integration): through the real emulator, invalid_grant is permanent (expired, no retry, no loop);
5xx, 429 and timeouts are transient (error state, stored tokens untouched, one attempt per growing cooldown)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from qbo.accounts import store as accounts
from qbo.connection.store import get_connection, stored_tokens
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from tests.conftest import ALEX, REALM_1
from tests.support.session_lapse import lapse_refresh_token
from tests.reliability.support_mp import (
    expire_locally,
)

PAGE = "/settings/integrations/"
CHECK = "/settings/integrations/qbo/check"


@pytest.fixture
def acme(app, admin):
    assert admin.connect(ALEX, REALM_1).status_code == 302
    with app.app_context():
        return accounts.find_company_by_name(get_db(), "Acme Construction").id


def ciphertexts(app, company_id: int) -> tuple:
    with app.app_context():
        return tuple(get_db().execute(
            "SELECT access_token_enc, refresh_token_enc FROM connections WHERE company_id = ?", [company_id]).fetchone())


def connection(app, company_id: int):
    with app.app_context():
        return get_connection(get_db(), company_id)


def refreshes(intuit) -> list[dict]:
    return [c for c in intuit.calls("token") if c["grant_type"] == "refresh_token"]


def check(admin) -> str:
    html = admin.post(CHECK, {"force": "1"}, htmx=True).get_data(as_text=True)
    return html.split('data-state="', 1)[1].split('"', 1)[0]


def test_invalid_grant_is_permanent_and_never_retried(app, admin, intuit, acme):
    lapse_refresh_token(app, intuit, acme, REALM_1)  # the refresh token ran out, at Intuit and by our record
    expire_locally(app, acme)
    before = ciphertexts(app, acme)
    assert check(admin) == "expired"
    assert [c["status"] for c in refreshes(intuit)] == [400]
    api_calls = len(intuit.calls("api"))
    for _ in range(3):
        assert check(admin) == "expired"
        assert admin.client.get(PAGE).status_code == 200
    with freeze_time(utcnow() + timedelta(minutes=50), tick=True):  # (the CSRF token lives an hour)
        assert check(admin) == "expired"
    assert len(refreshes(intuit)) == 1 and len(intuit.calls("api")) == api_calls
    assert ciphertexts(app, acme) == before
    assert connection(app, acme).state.value == "expired"


@pytest.mark.parametrize("fault, seconds", [("500", None), ("503", None), ("429", None), ("timeout", 1.5)])
def test_transient_refresh_failure_keeps_tokens_and_cools_down(app, admin, intuit, acme, fault, seconds):
    expire_locally(app, acme)
    before = ciphertexts(app, acme)
    intuit.fail_next(fault, "token", seconds=seconds)
    assert check(admin) == "error"
    assert ciphertexts(app, acme) == before, "stored tokens untouched"
    failed = connection(app, acme)
    assert failed.refresh_failures == 1
    assert timedelta(seconds=25) < failed.refresh_cooldown_until - utcnow() <= timedelta(seconds=30)
    assert check(admin) == "error" and len(refreshes(intuit)) == 1, "no second attempt inside the cooldown"

    with freeze_time(utcnow() + timedelta(seconds=31), tick=True):
        assert check(admin) == "connected"
    assert len(refreshes(intuit)) == 2
    recovered = connection(app, acme)
    assert (recovered.refresh_failures, recovered.refresh_cooldown_until) == (0, None)
    with app.app_context():
        tokens = stored_tokens(get_db(), app.extensions["token_cipher"], acme)
    assert tokens.refresh_token == intuit.grants(REALM_1)[0]["latest_refresh_token"]


def test_a_revoked_grant_is_disconnected_once_and_never_retried(app, admin, intuit, acme):
    intuit.disconnect_realm(REALM_1)  # disconnected inside QuickBooks while the refresh token had time left
    expire_locally(app, acme)
    assert check(admin) == "not_connected"
    assert [c["status"] for c in refreshes(intuit)] == [400]
    api_calls = len(intuit.calls("api"))
    for _ in range(3):
        assert check(admin) == "not_connected"
        assert admin.client.get(PAGE).status_code == 200
    assert len(refreshes(intuit)) == 1 and len(intuit.calls("api")) == api_calls
    assert ciphertexts(app, acme) == (None, None)  # nothing kept that Intuit no longer honours
    assert connection(app, acme).state.value == "disconnected"


def test_repeated_transient_failures_back_off_exponentially(app, admin, intuit, acme):
    expire_locally(app, acme)
    before = ciphertexts(app, acme)
    intuit.fail_next("503", "token", count=6)
    cooldowns, now = [], utcnow()
    for attempt in range(1, 6):
        with freeze_time(now, tick=True):
            assert check(admin) == "error"
            current = connection(app, acme)
        assert current.refresh_failures == attempt
        cooldowns.append(round((current.refresh_cooldown_until - now).total_seconds() / 30) * 30)
        now = current.refresh_cooldown_until + timedelta(seconds=1)
    assert cooldowns == [30, 60, 120, 240, 480]
    assert len(refreshes(intuit)) == 5, "exactly one attempt per cooldown window"
    assert ciphertexts(app, acme) == before
