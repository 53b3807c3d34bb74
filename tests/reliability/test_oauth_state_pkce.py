"""Rows 1-3: `state` is one-time, session-, user- and company-bound and short-lived; PKCE S256 with a
server-side verifier; the redirect_uri is the configured constant whatever the request's Host says.

tests/web/test_integrations.py already covers: replay after success, expiry at 601 s, and a state from
another session of the same user. These tests add the other cases.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from freezegun import freeze_time

from qbo.accounts import store as accounts
from qbo.connection.store import get_connection
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from tests.conftest import ALEX, REALM_1, TEST_REDIRECT_URI
from tests.support.intuit_signin import path_and_query, sign_in_at_intuit

CALLBACK = "/settings/integrations/qbo/callback"
CONNECT = "/settings/integrations/qbo/connect"
URLSAFE = re.compile(r"[A-Za-z0-9_-]+")


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def company_id(app, name: str = "Acme Construction") -> int:
    with app.app_context():
        return accounts.find_company_by_name(get_db(), name).id


def connections(app) -> list[dict]:
    with app.app_context():
        return list(get_db().query("SELECT company_id, realm_id, state FROM connections"))


def state_cache(app) -> dict[str, str]:
    with app.app_context():
        return {row["key"]: row["value"] for row in get_db().query("SELECT key, value FROM oauth_state_cache")}


def assert_refused_without_exchange(app, intuit, response) -> None:
    assert response.status_code == 400
    assert "Connection Failed." in response.get_data(as_text=True)
    assert connections(app) == []
    assert intuit.calls("token") == []


# --- Row 1: state ---------------------------------------------------------------------------------

@pytest.mark.parametrize("params", [
    {"code": "AB11xyz", "realmId": REALM_1},                                   # no state
    {"code": "AB11xyz", "realmId": REALM_1, "state": ""},                      # empty state
    {"code": "AB11xyz", "realmId": REALM_1, "state": "A" * 30},               # unknown state
    {"code": "AB11xyz", "realmId": REALM_1, "state": "x" * 201},              # oversized state
], ids=["missing", "empty", "unknown", "oversized"])
def test_callback_without_a_valid_state_is_refused_before_any_exchange(app, admin, intuit, params):
    admin.start_connect()  # an attempt is in progress, so a bug in matching could find something
    assert_refused_without_exchange(app, intuit, admin.client.get(CALLBACK, query_string=params))


def test_state_is_bound_to_the_user_not_just_the_cookie_jar(app, admin, make_client, intuit):
    """A state started by admin@acme, completed by the admin of another company: refused, and burned."""
    back = sign_in_at_intuit(admin.start_connect(), ALEX, REALM_1)
    cedar = make_client("admin@cedar.test")
    assert_refused_without_exchange(app, intuit, cedar.client.get(path_and_query(back)))
    assert_refused_without_exchange(app, intuit, admin.client.get(path_and_query(back)))


def test_state_is_bound_to_the_company_the_flow_started_in(app, admin, intuit):
    with app.app_context():
        db = get_db()
        user = accounts.find_user_by_email(db, "admin@acme.test")
        accounts.set_membership(db, company_id(app, "Cedar Homes"), user.id, accounts.COMPANY_ADMIN)
    back = sign_in_at_intuit(admin.start_connect(), ALEX, REALM_1)
    assert admin.post("/company", {"company_id": company_id(app, "Cedar Homes")}).status_code == 302
    assert_refused_without_exchange(app, intuit, admin.client.get(path_and_query(back)))


@pytest.mark.parametrize("first", [
    {"error": "access_denied"},
    {"realmId": "not-digits"},
    {"code": ""},
], ids=["intuit-error", "bad-realm", "no-code"])
def test_a_failed_callback_burns_its_state(app, admin, intuit, first):
    """State is single use whatever the outcome: the genuine redirect cannot follow a failed one."""
    back = sign_in_at_intuit(admin.start_connect(), ALEX, REALM_1)
    genuine = query(back)
    failed = admin.client.get(CALLBACK, query_string={**genuine, **first})
    assert failed.status_code in (302, 400)
    assert not any(genuine["state"] in key for key in state_cache(app))
    assert_refused_without_exchange(app, intuit, admin.client.get(path_and_query(back)))


def test_state_lives_ten_minutes_and_not_a_second_more(app, admin, intuit):
    with freeze_time(utcnow()) as clock:
        early = sign_in_at_intuit(admin.start_connect(), ALEX, REALM_1)
        clock.tick(599)
        assert admin.client.get(path_and_query(early)).status_code == 302
        assert len(connections(app)) == 1
        admin.post("/settings/integrations/qbo/disconnect")
        late = sign_in_at_intuit(admin.start_connect(), ALEX, REALM_1)
        token_calls = len(intuit.calls("token"))
        clock.tick(601)
        response = admin.client.get(path_and_query(late))
    assert response.status_code == 400
    assert len(intuit.calls("token")) == token_calls
    assert [row["state"] for row in connections(app)] == ["disconnected"]


def test_state_has_at_least_128_bits_and_never_repeats(admin):
    states = [query(admin.start_connect())["state"] for _ in range(20)]
    assert len(set(states)) == len(states)
    # >= 22 URL-safe characters carry >= 128 bits.
    assert all(URLSAFE.fullmatch(s) and len(s) >= 22 for s in states)


# --- Row 2: PKCE ----------------------------------------------------------------------------------

def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def test_every_authorize_url_uses_s256_with_a_fresh_server_side_verifier(app, admin):
    urls = [admin.start_connect() for _ in range(3)]
    challenges = set()
    for url in urls:
        params = query(url)
        assert params["code_challenge_method"] == "S256"
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", params["code_challenge"])
        stored = json.loads(state_cache(app)[f"_state_qbo_{params['state']}"])["data"]
        verifier = stored["code_verifier"]
        assert 43 <= len(verifier) <= 128 and s256(verifier) == params["code_challenge"]
        assert stored["nonce"] == params["nonce"]
        challenges.add(params["code_challenge"])
    assert len(challenges) == 3


def test_verifier_and_nonce_never_reach_the_browser(app, admin):
    response = admin.post(CONNECT, {"intent": "connect"})
    params = query(response.headers["Location"])
    secrets_ = json.loads(state_cache(app)[f"_state_qbo_{params['state']}"])["data"]
    set_cookies = " ".join(response.headers.getlist("Set-Cookie"))
    cookie = admin.client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    session = app.session_interface.get_signing_serializer(app).loads(cookie)
    flat = json.dumps(session)
    assert "code_verifier" not in flat and "nonce" not in flat
    for secret in (secrets_["code_verifier"], secrets_["nonce"]):
        assert secret not in flat and secret not in set_cookies and secret not in cookie


def test_a_mismatching_verifier_fails_cleanly(app, admin, intuit):
    back = sign_in_at_intuit(admin.start_connect(), ALEX, REALM_1)
    key = f"_state_qbo_{query(back)['state']}"
    with app.app_context():
        db = get_db()
        value = json.loads(db.execute("SELECT value FROM oauth_state_cache WHERE key = ?", [key]).fetchone()[0])
        value["data"]["code_verifier"] = "A" * 64
        db.execute("UPDATE oauth_state_cache SET value = ? WHERE key = ?", [json.dumps(value), key])
    response = admin.client.get(path_and_query(back))
    assert response.status_code == 302
    assert "Connection Failed." in admin.client.get(response.headers["Location"]).get_data(as_text=True)
    assert connections(app) == []
    assert [c["status"] for c in intuit.calls("token")] == [400]  # Intuit refused the verifier
    assert intuit.grants(REALM_1) == []


# --- Row 3: redirect_uri --------------------------------------------------------------------------

HOSTILE = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
           "X-Forwarded-Port": "8443", "Forwarded": "host=evil.example;proto=https"}


def test_redirect_uri_ignores_host_and_forwarded_headers(app, admin, intuit):
    name = app.config["SESSION_COOKIE_NAME"]
    admin.client.set_cookie(name, admin.client.get_cookie(name).value, domain="evil.example")
    response = admin.client.post(CONNECT, data={"csrf_token": admin.csrf, "intent": "connect"}, headers=HOSTILE)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    authorize = response.headers["Location"]
    assert query(authorize)["redirect_uri"] == TEST_REDIRECT_URI == app.config["INTUIT_REDIRECT_URI"]
    # The emulator matches redirect_uri byte for byte at authorize and at the token endpoint.
    back = sign_in_at_intuit(authorize, ALEX, REALM_1)
    assert back.startswith(TEST_REDIRECT_URI + "?")
    assert admin.client.get(path_and_query(back), headers=HOSTILE).status_code == 302
    assert [c["status"] for c in intuit.calls("token")] == [200]
    with app.app_context():
        assert get_connection(get_db(), company_id(app)).realm_id == REALM_1
