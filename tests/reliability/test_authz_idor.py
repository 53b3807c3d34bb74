"""Row 15: an authorization matrix over actors x integration routes x (plain, htmx), with a DB diff.
Row 16: a role downgrade or the feature flag switched off takes effect on the very next request."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from qbo.accounts import store as accounts
from qbo.storage.db import get_db
from qbo.web.access import FEATURE_OFF, NOT_ADMIN, NOT_MEMBER
from tests.conftest import ALEX, REALM_1

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
GUARDED_TABLES = ("companies", "users", "memberships", "connections", "realm_settings", "pending_revocations")
ACME_SECRETS = (ALEX, "Alex Morgan", REALM_1, "Keystone Builders")  # Acme's connection, as shown to Acme
# Public by design: sign-in; /healthz (it says only "ok" or "failing" for the database and the job queue);
# Intuit's webhooks (signed with the verifier token, tests/webhooks) and the Disconnect URL's landing and OpenID
# sign-in (it disconnects only what QuickBooks confirms is gone, tests/webhooks/test_intuit_disconnect.py).
SKIP_ENDPOINTS = {"static", "home", "auth.login", "auth.logout", "auth.switch_company", "health", "webhooks.receive",
                  "intuit_disconnect.landing", "intuit_disconnect.start_sign_in", "intuit_disconnect.callback"}
REFUSED = {"staff@acme.test": NOT_ADMIN, "admin@birch.test": FEATURE_OFF}


def snapshot(app) -> dict[str, list[tuple]]:
    with app.app_context():
        db = get_db()
        return {t: sorted(map(tuple, db.execute(f"SELECT * FROM [{t}]").fetchall()), key=repr) for t in GUARDED_TABLES}


def company_id(app, name: str) -> int:
    with app.app_context():
        return accounts.find_company_by_name(get_db(), name).id


def url_of(rule) -> str:
    """The rule's URL, with a placeholder for any argument (authorization runs before the view)."""
    dummies = {name: 1 if type(rule._converters[name]).__name__ == "IntegerConverter" else "x"
               for name in rule.arguments}
    return rule.build(dummies, append_unknown=False)[1]


def cells(app) -> list[tuple[str, str, str]]:
    """(endpoint, url, method) for every settings/integrations/wizard route."""
    # Records (read-only inBuild data) are open to every member; their company scoping is in test_records_http.py.
    return sorted((rule.endpoint, url_of(rule), method) for rule in app.url_map.iter_rules()
                  if rule.endpoint not in SKIP_ENDPOINTS and not rule.endpoint.startswith("records.")
                  for method in rule.methods & {"GET", "POST"})


def polluted(app) -> dict:
    """Ids of another tenant smuggled into every request; the server must take the company from the session."""
    return {"company_id": str(company_id(app, "Acme Construction")), "realm_id": REALM_1, "realmId": REALM_1,
            "sync_bills": "1", "sync_start_date": "2025-01-01", "enabled": "0", "force": "1", "intent": "connect"}


def call(client, csrf, url, method, fragment, extra):
    headers = {"HX-Request": "true"} if fragment else {}
    if method == "GET":
        return client.get(url, query_string=extra, headers=headers)
    return client.post(url, data={**extra, "csrf_token": csrf}, headers=headers)


def anonymous(app):
    client = app.test_client()
    return client, CSRF_INPUT.search(client.get("/login").get_data(as_text=True)).group(1)


@pytest.fixture
def connected_acme(app, admin, intuit):
    admin.connect(ALEX, REALM_1)
    return admin


@pytest.mark.parametrize("actor", ["anonymous", "staff@acme.test", "admin@birch.test", "admin@cedar.test"])
def test_no_other_actor_reaches_acmes_integration(app, connected_acme, make_client, intuit, actor):
    before, calls_before = snapshot(app), len(intuit.calls())
    if actor == "anonymous":
        client, csrf = anonymous(app)
    else:
        session = make_client(actor)
        client, csrf = session.client, session.csrf
    unexpected, count = [], 0
    for endpoint, url, method in cells(app):
        for fragment in (False, True):
            count += 1
            response = call(client, csrf, url, method, fragment, polluted(app))
            body = response.get_data(as_text=True)
            status, location = response.status_code, response.headers.get("Location", "")
            if actor == "anonymous":
                ok = (status == 200 and response.headers.get("HX-Redirect", "").startswith("/login")) if fragment \
                    else (status == 302 and urlsplit(location).path == "/login")
            elif endpoint == "settings.index":
                ok = status == 200  # every member has a settings home
            elif actor in REFUSED:
                ok = status == 403 and REFUSED[actor] in body
            else:  # admin@cedar works in Cedar: allowed, but nothing of Acme's may show or change
                ok = status in (200, 302, 303, 400, 404, 422) and not any(s in body for s in ACME_SECRETS)
            if not ok:
                unexpected.append((endpoint, method, fragment, status, location))
            assert snapshot(app) == before, (actor, endpoint, method, fragment)
    assert unexpected == [], unexpected
    assert [c for c in intuit.calls()[calls_before:] if c["endpoint"] in ("token", "revoke", "api")] == []
    print(f"\nIDOR {actor}: {count} cells, 0 unexpected, 0 cross-tenant DB diffs")


def test_acme_admin_gets_through(app, connected_acme, intuit):
    for endpoint, url, method in cells(app):
        if endpoint in ("integrations.disconnect", "integrations.callback") or method == "POST" and \
                endpoint.startswith("wizard"):  # wizard posts are exercised by the wizard's own tests
            continue
        response = call(connected_acme.client, connected_acme.csrf, url, method, False, {"force": "1"})
        assert response.status_code in (200, 302, 303, 404, 422), (endpoint, method, response.status_code)
        if endpoint == "integrations.connect":
            assert response.headers["Location"].startswith(intuit.url + "/connect/oauth2?")
    response = connected_acme.post("/settings/integrations/qbo/disconnect", htmx=True)
    assert response.status_code == 200 and 'data-state="not_connected"' in response.get_data(as_text=True)


@pytest.mark.parametrize("email, target", [
    ("staff@acme.test", "Cedar Homes"), ("admin@cedar.test", "Acme Construction"),
    ("admin@birch.test", "Acme Construction"),
])
def test_switching_to_a_company_you_do_not_belong_to_is_403(app, make_client, email, target):
    session = make_client(email)
    before = snapshot(app)
    for company in (str(company_id(app, target)), "999999", "-1", "abc", ""):
        assert session.post("/company", {"company_id": company}).status_code == 403, company
    with app.app_context():
        rows = list(get_db().query("SELECT DISTINCT company_id FROM login_sessions s JOIN users u ON u.id = s.user_id "
                                   "WHERE u.email = ?", [email]))
    assert company_id(app, target) not in [r["company_id"] for r in rows]
    assert snapshot(app) == before


# --- Row 16 ---------------------------------------------------------------------------------------

def privileged_attempts(app, session) -> list:
    """Every integration action (POST) and page (GET), as the page already open in the browser would send it."""
    responses = []
    for endpoint, url, method in cells(app):
        if endpoint == "settings.index":
            continue
        responses.append(call(session.client, session.csrf, url, method, False, polluted(app)))
        responses.append(call(session.client, session.csrf, url, method, True, polluted(app)))
    return responses


@pytest.mark.parametrize("revocation, message", [
    ("downgrade", NOT_ADMIN), ("feature_off", FEATURE_OFF), ("membership_removed", NOT_MEMBER),
])
def test_revoked_privilege_applies_to_the_next_request(app, connected_acme, make_client, intuit, revocation, message):
    other_tab = make_client("admin@acme.test")  # a second browser, page already loaded
    assert other_tab.client.get("/settings/integrations/").status_code == 200
    with app.app_context():
        db = get_db()
        acme = accounts.find_company_by_name(db, "Acme Construction").id
        user = accounts.find_user_by_email(db, "admin@acme.test").id
        if revocation == "downgrade":
            accounts.set_membership(db, acme, user, accounts.STANDARD)
        elif revocation == "feature_off":
            accounts.set_feature(db, acme, False)
        else:
            accounts.remove_membership(db, acme, user)
    before = snapshot(app)  # taken after the revocation itself
    attempts = privileged_attempts(app, connected_acme) + privileged_attempts(app, other_tab)
    for response in attempts:
        assert response.status_code == 403 and message in response.get_data(as_text=True)
    assert snapshot(app) == before
    assert intuit.calls("revoke") == [] and not intuit.grants(REALM_1)[0]["revoked"]
    print(f"\nrole removal ({revocation}): 0 of {len(attempts)} privileged actions accepted")
