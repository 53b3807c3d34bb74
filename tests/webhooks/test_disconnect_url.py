"""Intuit's Disconnect URL: the landing page, the OpenID-only sign-in through the emulator, the card afterwards."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from qbo.connection.disconnect_notices import DISCONNECTED_IN_QUICKBOOKS
from qbo.storage.db import get_db
from tests.conftest import ALEX, CSRF_INPUT, REALM_1, REALM_2, SAM
from tests.support.intuit_signin import path_and_query, sign_in_at_intuit
from tests.webhooks.conftest import company_id

LANDING = "/intuit/disconnected/"
CARD = "/settings/integrations/qbo/card"


def start_sign_in(app, realm_id: str | None = None):
    """An anonymous browser lands on the Disconnect URL and presses "Sign in with Intuit"."""
    client = app.test_client()
    page = client.get(LANDING + (f"?realmId={realm_id}" if realm_id else ""))
    assert page.status_code == 200
    hidden_realm = re.search(r'name="realm_id" value="([^"]*)"', page.text).group(1)
    response = client.post(f"{LANDING}sign-in", data={"csrf_token": CSRF_INPUT.search(page.text).group(1),
                                                      "realm_id": hidden_realm})
    assert response.status_code == 302, response.text[:300]
    return client, response.headers["Location"]


def land_after_disconnect(app, email: str = ALEX, realm_id: str | None = None, action: str = "authorize"):
    client, authorize = start_sign_in(app, realm_id)
    back = sign_in_at_intuit(authorize, email, "", action=action)
    return client, client.get(path_and_query(back)), back


def snapshot(app) -> dict:
    with app.app_context():
        db = get_db()
        return {table: [tuple(row) for row in db.execute(f"SELECT * FROM [{table}] ORDER BY 1").fetchall()]
                for table in ("connections", "qbo_disconnect_notices", "audit_events", "pending_revocations")}


def connection_state(app) -> str:
    with app.app_context():
        return get_db().execute("SELECT state FROM connections WHERE company_id = ?",
                                [company_id(app)]).fetchone()[0]


def test_the_sign_in_asks_intuit_only_who_the_user_is(app):
    _, authorize = start_sign_in(app)
    query = parse_qs(urlsplit(authorize).query)
    assert query["scope"] == ["openid email"] and query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [app.config["INTUIT_DISCONNECT_REDIRECT_URI"]] and query["nonce"]


def test_a_disconnect_inside_quickbooks_is_confirmed_with_intuit_marked_and_shown_on_the_card(app, acme_on_keystone,
                                                                                                intuit):
    intuit.disconnect_realm(REALM_1)
    _, outcome, _ = land_after_disconnect(app)
    assert outcome.status_code == 200 and 'data-verdict="gone"' in outcome.text
    assert connection_state(app) == "disconnected"
    with app.app_context():
        actions = [row[0] for row in get_db().execute("SELECT action FROM audit_events ORDER BY id")]
    assert actions[-1] == DISCONNECTED_IN_QUICKBOOKS and actions.count(DISCONNECTED_IN_QUICKBOOKS) == 1
    assert not [g for g in intuit.grants() if g["realm_id"] is None and not g["revoked"]]  # the OpenID grant went back
    card = acme_on_keystone.client.get(CARD).text
    assert 'data-testid="qbo-disconnected-in-quickbooks"' in card and "Keystone" in card
    assert 'name="intent" value="reconnect"' in card and ALEX in card
    assert "was disconnected from inside QuickBooks" in card  # the landing said who: not "stopped accepting"
    acme_on_keystone.connect(ALEX, REALM_1, intent="reconnect")  # Reconnect: back to connected, the notice gone
    card = acme_on_keystone.client.get(CARD).text
    assert 'data-state="connected"' in card and "qbo-disconnected-in-quickbooks" not in card


def test_a_connection_quickbooks_still_accepts_is_left_alone(app, acme_on_keystone):
    before = snapshot(app)
    _, outcome, _ = land_after_disconnect(app)
    assert outcome.status_code == 200 and 'data-verdict="working"' in outcome.text
    assert connection_state(app) == "connected" and snapshot(app)["qbo_disconnect_notices"] == []
    assert snapshot(app)["audit_events"] == before["audit_events"]


def test_another_intuit_user_or_another_realm_changes_nothing(app, acme_on_keystone, intuit):
    intuit.disconnect_realm(REALM_1)
    before = snapshot(app)
    _, outcome, _ = land_after_disconnect(app, email=SAM)
    assert "no active QuickBooks Online connection" in outcome.text
    _, outcome, _ = land_after_disconnect(app, realm_id=REALM_2)  # Intuit named another company
    assert "no active QuickBooks Online connection" in outcome.text
    assert snapshot(app) == before


def test_a_cancelled_sign_in_changes_nothing(app, acme_on_keystone, intuit):
    intuit.disconnect_realm(REALM_1)
    before = snapshot(app)
    _, outcome, _ = land_after_disconnect(app, action="cancel")
    assert outcome.status_code == 200 and "cancelled" in outcome.text and snapshot(app) == before


@pytest.mark.parametrize("query", ["", "?state=unknown&code=abc", "?code=abc", "?state=a&state=b&code=abc"])
def test_a_callback_without_a_live_state_of_this_flow_is_400(app, acme_on_keystone, intuit, query):
    intuit.disconnect_realm(REALM_1)
    before = snapshot(app)
    response = app.test_client().get(f"{LANDING}callback{query}")
    assert response.status_code == 400 and "expired" in response.text and snapshot(app) == before


def test_a_callback_works_once_and_only_in_the_browser_that_started_it(app, acme_on_keystone, intuit):
    intuit.disconnect_realm(REALM_1)
    client, authorize = start_sign_in(app)
    back = path_and_query(sign_in_at_intuit(authorize, ALEX, ""))
    before = snapshot(app)
    assert app.test_client().get(back).status_code == 400 and snapshot(app) == before  # another browser
    assert client.get(back).status_code == 200 and connection_state(app) == "disconnected"
    assert client.get(back).status_code == 400  # replayed


def test_a_connect_flows_state_cannot_finish_here(app, acme_on_keystone, intuit):
    intuit.disconnect_realm(REALM_1)
    state = parse_qs(urlsplit(acme_on_keystone.start_connect("reconnect")).query)["state"][0]
    before = snapshot(app)
    response = acme_on_keystone.client.get(f"{LANDING}callback?state={state}&code=abc")
    assert response.status_code == 400 and snapshot(app) == before
