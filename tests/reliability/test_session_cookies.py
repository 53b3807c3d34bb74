"""Row 13: the session cookie's attributes. Row 14: login issues a fresh session; logout and disabling a
user end it server-side, so a replayed copy of the signed cookie is worthless."""
from __future__ import annotations

import re
from http.cookies import SimpleCookie

import pytest

from app import create_app
from qbo.accounts import store as accounts
from qbo.connection.store import get_connection
from qbo.storage.db import get_db
from tests.conftest import ALEX, PASSWORD, REALM_1, app_config, seed_accounts

HTTPS = "https://localhost"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
NAME = "__Host-inbuild_session"


@pytest.fixture
def secure_app(tmp_path, intuit):
    """The production cookie settings (Secure, __Host-), served over https as in production."""
    app = create_app(app_config(tmp_path, intuit.url, SESSION_COOKIE_SECURE=True))
    with app.app_context():
        seed_accounts(get_db())
    return app


def https_login(client, email: str = "admin@acme.test", referer: bool = True):
    page = client.get("/login", base_url=HTTPS)
    token = CSRF_INPUT.search(page.get_data(as_text=True)).group(1)
    headers = {"Referer": HTTPS + "/login"} if referer else {}
    return client.post("/login", base_url=HTTPS, headers=headers,
                       data={"email": email, "password": PASSWORD, "csrf_token": token})


def set_cookies(response) -> list[tuple[str, str]]:
    """(name, raw header) for every Set-Cookie of a response."""
    return [(header.split("=", 1)[0], header) for header in response.headers.getlist("Set-Cookie")]


def cookie_value(client, app) -> str | None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


def replayed(app, value: str):
    """A new browser holding only a copied session cookie."""
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return client


# --- Row 13 ---------------------------------------------------------------------------------------

def test_session_cookie_attributes_after_login(secure_app):
    client = secure_app.test_client()
    response = https_login(client)
    assert response.status_code == 302 and response.headers["Location"] == "/settings/"
    cookies = set_cookies(response)
    assert [name for name, _ in cookies] == [NAME]  # and no remember-me cookie
    header = cookies[0][1]
    parsed = SimpleCookie()
    parsed.load(header)
    morsel = parsed[NAME]
    assert NAME.startswith("__Host-")
    assert morsel["secure"] and morsel["httponly"]
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == "/" and not morsel["domain"]
    assert "remember" not in " ".join(response.headers.getlist("Set-Cookie")).lower()
    assert secure_app.config["REMEMBER_COOKIE_DURATION"] == 0


def test_sign_in_over_https_works_with_our_referrer_policy(secure_app):
    """Referrer-Policy: same-origin lets the browser send the Referer Flask-WTF's HTTPS check needs."""
    client = secure_app.test_client()
    assert client.get("/login", base_url=HTTPS).headers["Referrer-Policy"] == "same-origin"
    assert https_login(client, referer=True).status_code == 302
    assert https_login(secure_app.test_client(), referer=False).status_code == 400  # cross-site: no Referer


# --- Row 14 ---------------------------------------------------------------------------------------

def test_login_issues_a_fresh_session(app):
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted_by_attacker"] = "fixation"
    before = cookie_value(client, app)
    token = CSRF_INPUT.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": "admin@acme.test", "password": PASSWORD, "csrf_token": token})
    after = cookie_value(client, app)
    assert after and after != before
    with client.session_transaction() as session:
        assert "planted_by_attacker" not in session and session.get("_user_id")
    # The pre-login cookie (the one an attacker could have planted) is not signed in.
    response = replayed(app, before).get("/settings/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_copied_before_logout_is_dead_after_it(app, admin, intuit):
    admin.connect(ALEX, REALM_1)
    stolen, stolen_csrf = cookie_value(admin.client, app), admin.csrf
    assert replayed(app, stolen).get("/settings/").status_code == 200  # the copy works while signed in
    assert admin.post("/logout").status_code == 302
    thief = replayed(app, stolen)
    page = thief.get("/settings/integrations/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    # The copy even carries a valid CSRF pair; the closed login session is what stops it.
    fragment = thief.post("/settings/integrations/qbo/disconnect", data={"csrf_token": stolen_csrf},
                          headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.headers["HX-Redirect"].startswith("/login")
    with app.app_context():
        db = get_db()
        assert db.execute("SELECT count(*) FROM login_sessions").fetchone()[0] == 0
        company = accounts.find_company_by_name(db, "Acme Construction")
        assert get_connection(db, company.id).state.value == "connected"


def test_disabling_a_user_ends_their_open_sessions_at_once(app, admin, intuit):
    admin.connect(ALEX, REALM_1)
    assert admin.client.get("/settings/integrations/").status_code == 200
    with app.app_context():
        db = get_db()
        accounts.set_user_active(db, accounts.find_user_by_email(db, "admin@acme.test").id, False)
    page = admin.client.get("/settings/integrations/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    htmx = admin.post("/settings/integrations/qbo/disconnect", htmx=True)
    assert htmx.status_code == 200 and htmx.headers.get("HX-Redirect", "").startswith("/login")
    with app.app_context():
        db = get_db()
        company = accounts.find_company_by_name(db, "Acme Construction")
        assert get_connection(db, company.id).state.value == "connected"
    assert intuit.calls("revoke") == []


def test_a_disabled_user_cannot_sign_back_in(app):
    with app.app_context():
        db = get_db()
        accounts.set_user_active(db, accounts.find_user_by_email(db, "admin@acme.test").id, False)
    client = app.test_client()
    token = CSRF_INPUT.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": "admin@acme.test", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 401
    assert client.get("/settings/").status_code == 302
