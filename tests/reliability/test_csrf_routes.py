"""Row 12: every state-changing route needs a CSRF token (form field or htmx header); nothing is exempt;
GET never changes state."""
from __future__ import annotations

from app import csrf
from qbo.accounts import store as accounts
from qbo.storage.db import get_db
from tests.conftest import ALEX, PASSWORD, REALM_1

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
GET_WRITES_BY_DESIGN = {"integrations.callback", "static"}  # the callback is protected by `state`
SIGNED_NOT_TOKENED = {"webhooks.receive"}  # answers 401 without Intuit's signature, before any CSRF question


def snapshot(app, ignore=("oauth_state_cache",)) -> dict[str, list[tuple]]:
    with app.app_context():
        db = get_db()
        return {t: sorted(map(tuple, db.execute(f"SELECT * FROM [{t}]").fetchall()), key=repr)
                for t in db.table_names() if t not in ignore}


def url_of(rule) -> str:
    """The rule's URL, with a placeholder for any argument (authorization and CSRF run before the view)."""
    dummies = {name: 1 if type(rule._converters[name]).__name__ == "IntegerConverter" else "x"
               for name in rule.arguments}
    return rule.build(dummies, append_unknown=False)[1]


def unsafe_rules(app) -> list[tuple[str, str, str]]:
    return sorted((rule.endpoint, url_of(rule), method)
                  for rule in app.url_map.iter_rules() for method in rule.methods & UNSAFE)


def plausible_form(app, endpoint: str) -> dict:
    """A body that would change something if the token check let it through."""
    with app.app_context():
        cedar = accounts.find_company_by_name(get_db(), "Cedar Homes").id
    return {
        "auth.login": {"email": "admin@acme.test", "password": PASSWORD},
        "auth.switch_company": {"company_id": str(cedar)},
        "integrations.check": {"force": "1"},
        "integrations.connect": {"intent": "connect"},
        "qbo_settings.toggle_sync": {"enabled": "0"},
    }.get(endpoint, {"sync_bills": "1", "sync_start_date": "2025-02-01", "kind": "vendor", "local_id": "1"})


def test_only_the_signed_webhook_is_exempt_and_the_callback_is_get_only(app):
    # Intuit's webhook carries no session or form; its intuit-signature HMAC is checked first (tests/webhooks).
    assert csrf._exempt_views == {"qbo.web.webhooks.receive"} and csrf._exempt_blueprints == set()
    assert app.config.get("WTF_CSRF_ENABLED", True) and app.config.get("WTF_CSRF_CHECK_DEFAULT", True)
    assert set(app.config.get("WTF_CSRF_METHODS", UNSAFE)) >= UNSAFE
    callback = next(r for r in app.url_map.iter_rules() if r.endpoint == "integrations.callback")
    assert callback.methods <= {"GET", "HEAD", "OPTIONS"}
    assert len(unsafe_rules(app)) >= 8


def test_every_state_changing_route_rejects_requests_without_a_valid_token(app, admin, make_client, intuit):
    with app.app_context():  # admin@acme also belongs to Cedar, so switching company would succeed
        db = get_db()
        user = accounts.find_user_by_email(db, "admin@acme.test")
        accounts.set_membership(db, accounts.find_company_by_name(db, "Cedar Homes").id, user.id, accounts.STANDARD)
    admin.connect(ALEX, REALM_1)
    foreign_token = make_client("admin@cedar.test").csrf
    before, intuit_calls = snapshot(app), len(intuit.calls())
    variants = {
        "no token": ({}, {}),
        "garbage token": ({"csrf_token": "garbage"}, {}),
        "other session's token": ({"csrf_token": foreign_token}, {}),
        "htmx without header": ({}, {"HX-Request": "true"}),
        "htmx, other session's header": ({}, {"HX-Request": "true", "X-CSRFToken": foreign_token}),
        "token in a query string": ({}, {}),
    }
    routes = [rule for rule in unsafe_rules(app) if rule[0] not in SIGNED_NOT_TOKENED]
    rejected = 0
    for endpoint, url, method in routes:
        for name, (extra, headers) in variants.items():
            target = f"{url}?csrf_token={admin.csrf}" if name == "token in a query string" else url
            response = admin.client.open(target, method=method, headers=headers,
                                         data={**plausible_form(app, endpoint), **extra})
            assert response.status_code == 400, (endpoint, method, name, response.status_code)
            assert snapshot(app) == before, (endpoint, method, name)
        rejected += 1
    assert len(intuit.calls()) == intuit_calls  # no revoke, no check, no discovery-driven redirect
    assert admin.client.get("/settings/").status_code == 200  # the un-tokened logout did not sign out
    print(f"\nCSRF: {rejected} of {len(routes)} state-changing routes reject {len(variants)} token-less variants")
    # Positive control: the same htmx request with the page's header token goes through.
    ok = admin.client.post("/settings/integrations/qbo/disconnect",
                           headers={"HX-Request": "true", "X-CSRFToken": admin.csrf})
    assert ok.status_code == 200 and snapshot(app) != before


def test_get_requests_change_nothing(app, admin, intuit):
    admin.connect(ALEX, REALM_1)
    before = snapshot(app, ignore=("oauth_state_cache", "audit_events"))
    audit_before = snapshot(app, ignore=())["audit_events"]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in GET_WRITES_BY_DESIGN:
            continue
        for headers in ({}, {"HX-Request": "true"}):
            response = admin.client.get(url_of(rule), headers=headers)
            assert response.status_code < 500, rule.endpoint
            assert snapshot(app, ignore=("oauth_state_cache", "audit_events")) == before, rule.endpoint
    assert snapshot(app, ignore=())["audit_events"] == audit_before
