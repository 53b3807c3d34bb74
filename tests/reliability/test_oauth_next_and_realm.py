"""Row 4: `next` is never an open redirect. Row 6: the callback's realmId is validated and single-tenant."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from qbo.storage.db import get_db
from tests.conftest import ALEX, PASSWORD, REALM_1, REALM_2
from tests.support.intuit_signin import path_and_query, sign_in_at_intuit

CALLBACK = "/settings/integrations/qbo/callback"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
ALREADY_LINKED = "This QuickBooks company is already connected to another inBuild company."


# --- Row 4: next ----------------------------------------------------------------------------------

HOSTILE_NEXT = {
    "protocol-relative": "//evil.com",
    "backslash": "/\\evil.com",
    "scheme-no-slashes": "https:evil.com",
    "encoded-slashes": "%2F%2Fevil.com",
    "javascript": "javascript:alert(1)",
    "crlf": "/settings/\r\nLocation: https://evil.com",
    "fullwidth-slashes": "\uff0f\uff0fevil.com",
    "10kB": "//evil.com/" + "a" * 10_240,
    "tab": "/\t/evil.com",
    "leading-space": " //evil.com",
    "absolute": "https://evil.com/settings/",
    "userinfo": "https://localhost@evil.com/",
    "triple-slash": "///evil.com",
    "html": '"><script>alert(1)</script>',
}


def assert_same_origin(location: str) -> None:
    """A Location a browser resolves to this origin, with nothing a browser would 'repair' into another."""
    assert not any(c in location for c in "\\\r\n\t"), location
    assert location.isascii()
    parts = urlsplit(location)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location
    assert parts.path.startswith("/") and not parts.path.startswith("//"), location


@pytest.mark.parametrize("value", HOSTILE_NEXT.values(), ids=HOSTILE_NEXT.keys())
def test_login_next_never_leaves_our_origin(app, value):
    client = app.test_client()
    page = client.get("/login", query_string={"next": value})
    html = page.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    token = CSRF_INPUT.search(html).group(1)
    response = client.post("/login", data={"email": "admin@acme.test", "password": PASSWORD, "next": value,
                                           "csrf_token": token})
    assert response.status_code == 302
    assert_same_origin(response.headers["Location"])
    assert urlsplit(response.headers["Location"]).path == "/settings/"


def test_a_same_origin_next_is_honoured(app):
    client = app.test_client()
    token = CSRF_INPUT.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": "admin@acme.test", "password": PASSWORD, "csrf_token": token,
                                           "next": "/settings/integrations/?tab=qbo"})
    assert response.headers["Location"] == "/settings/integrations/?tab=qbo"


def test_the_login_redirect_carries_only_our_own_path(app):
    response = app.test_client().get("/settings/integrations/?x=1")
    location = response.headers["Location"]
    assert_same_origin(location)
    assert parse_qs(urlsplit(location).query)["next"] == ["/settings/integrations/?x=1"]


# --- Row 6: realmId -------------------------------------------------------------------------------

def rows(app, sql: str, params=()) -> list[dict]:
    with app.app_context():
        return list(get_db().query(sql, params))


def test_a_realm_held_by_another_company_is_refused(app, admin, make_client, intuit):
    assert admin.connect(ALEX, REALM_1).status_code == 302
    cedar = make_client("admin@cedar.test")
    response = cedar.connect(ALEX, REALM_1)
    assert response.status_code == 302
    page = cedar.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Connection Failed." in page and ALREADY_LINKED in page
    cedar_rows = rows(app, "SELECT c.* FROM connections c JOIN companies co ON co.id = c.company_id "
                           "WHERE co.name = 'Cedar Homes'")
    assert cedar_rows == []
    acme = rows(app, "SELECT realm_id, state FROM connections")
    assert acme == [{"realm_id": REALM_1, "state": "connected"}]
    newest, oldest = intuit.grants(REALM_1)  # newest first
    assert newest["revoked"] and not oldest["revoked"]  # Cedar's grant handed back, Acme's untouched


def test_realm_in_the_callback_must_match_the_one_intuit_signed(app, admin, intuit):
    """An attacker swaps realmId in the redirect: the id_token's realmid says otherwise."""
    back = sign_in_at_intuit(admin.start_connect(), ALEX, REALM_1)
    forged = path_and_query(back).replace(f"realmId={REALM_1}", f"realmId={REALM_2}")
    response = admin.client.get(forged)
    assert response.status_code == 302
    assert "Connection Failed." in admin.client.get(response.headers["Location"]).get_data(as_text=True)
    assert rows(app, "SELECT * FROM connections") == []
    assert all(g["revoked"] for g in intuit.grants(REALM_1))


@pytest.mark.parametrize("realm", ["abc", "1" * 33, "12 34", "-1", "9130350000000001x", "\uff11\uff12",
                                   "1e5", "", "9130350000000001\x00"],
                         ids=["letters", "33-digits", "space", "negative", "suffix", "fullwidth", "exp",
                              "empty", "nul"])
def test_malformed_realm_id_is_a_400_before_any_exchange(app, admin, intuit, realm):
    back = sign_in_at_intuit(admin.start_connect(), ALEX, REALM_1)
    params = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
    response = admin.client.get(CALLBACK, query_string={**params, "realmId": realm})
    assert response.status_code == 400
    assert "Connection Failed." in response.get_data(as_text=True)
    assert intuit.calls("token") == []
    assert rows(app, "SELECT * FROM connections") == []
