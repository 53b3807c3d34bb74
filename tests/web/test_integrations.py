"""The Accounting Integrations page through the Flask test client, with the emulator as a real server."""
import json
import re

import pytest
from freezegun import freeze_time

from qbo.connection.realm_settings import get_realm_settings
from qbo.connection.state import StoredState
from qbo.connection.store import get_connection
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from tests.conftest import ALEX, PAT, REALM_1, REALM_3, SAM
from tests.support.intuit_signin import path_and_query, sign_in_at_intuit
from tests.support.session_lapse import lapse_refresh_token

PAGE = "/settings/integrations/"
CARD_STATE = re.compile(r'id="qbo-card"[^>]*data-state="([a-z_]+)"')


def card_state_of(html: str) -> str:
    return CARD_STATE.search(html).group(1)


def connection_of(app, company_name="Acme Construction"):
    from qbo.accounts import store as accounts

    with app.app_context():
        db = get_db()
        return get_connection(db, accounts.find_company_by_name(db, company_name).id)


AP_OPTION = re.compile(r'<select id="ap_account_id".*?<option value="([^"]+)"', re.S)


def finish_wizard(admin):
    """Preferences (bills only), the AP account, then Finish: the shortest complete setup."""
    wizard = "/settings/integrations/qbo/setup"
    response = admin.post(f"{wizard}/preferences", {
        "sync_bills": "1", "sync_start_date": "2026-01-01", "line_granularity": "cost_code",
        "posting_style": "account", "project_mapping": "customer"})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    accounts_page = admin.client.get(f"{wizard}/accounts").get_data(as_text=True)
    ap_account = AP_OPTION.search(accounts_page).group(1)
    assert admin.post(f"{wizard}/accounts", {"ap_account_id": ap_account}).status_code == 303
    response = admin.post(f"{wizard}/review")
    assert response.status_code == 303, response.get_data(as_text=True)[:500]


def test_not_connected_page(admin):
    html = admin.client.get(PAGE).get_data(as_text=True)
    assert card_state_of(html) == "not_connected"
    assert "No QuickBooks Online account connected" in html
    assert ">Connect</button>" in html
    assert 'id="qbd-card"' in html
    assert "Accounting Integrations</a>" in html


def test_first_connection_goes_to_wizard_then_card_shows_user(app, admin, intuit):
    response = admin.connect(ALEX, REALM_1)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/settings/integrations/qbo/setup/")
    assert admin.client.get(response.headers["Location"]).headers["Location"].endswith("/setup/preferences")
    html = admin.client.get(PAGE).get_data(as_text=True)
    assert card_state_of(html) == "connected"
    assert ALEX in html and "Alex Morgan" in html
    assert ">Settings</a>" in html and ">Disconnect</button>" in html
    assert 'id="qbd-card"' not in html
    connection = connection_of(app)
    assert (connection.realm_id, connection.company_name) == (REALM_1, "Keystone Builders LLC")


def test_reconnect_of_configured_realm_returns_to_page_with_settings(app, admin):
    admin.connect(ALEX, REALM_1)
    finish_wizard(admin)
    admin.post("/settings/integrations/qbo/disconnect")
    response = admin.connect(ALEX, REALM_1)
    assert response.headers["Location"].endswith(PAGE)
    with app.app_context():
        settings = get_realm_settings(get_db(), connection_of(app).company_id, REALM_1)
    assert settings.setup_complete and settings.sync_bills and not settings.sync_invoices
    page = admin.client.get(PAGE).get_data(as_text=True)
    assert "QuickBooks Online connected." in page


def test_cancel_shows_connection_failed_and_changes_nothing(app, admin, intuit):
    back = sign_in_at_intuit(admin.start_connect(), ALEX, REALM_1, action="cancel")
    assert "error=access_denied" in back
    response = admin.client.get(path_and_query(back))
    assert response.status_code == 302
    html = admin.client.get(PAGE).get_data(as_text=True)
    assert "Connection Failed." in html and "cancelled" in html
    assert card_state_of(html) == "not_connected"
    assert connection_of(app) is None
    assert intuit.calls("token") == []


def test_replayed_callback_is_refused_without_calling_intuit(app, admin, intuit):
    back = sign_in_at_intuit(admin.start_connect(), ALEX, REALM_1)
    assert admin.client.get(path_and_query(back)).status_code == 302
    token_calls = len(intuit.calls("token"))
    replay = admin.client.get(path_and_query(back))
    assert replay.status_code == 400
    assert "Connection Failed." in replay.get_data(as_text=True)
    assert len(intuit.calls("token")) == token_calls


def test_state_expires_after_ten_minutes(app, admin, intuit):
    with freeze_time(utcnow()) as clock:
        back = sign_in_at_intuit(admin.start_connect(), ALEX, REALM_1)
        clock.tick(601)
        response = admin.client.get(path_and_query(back))
    assert response.status_code == 400
    assert connection_of(app) is None
    assert intuit.calls("token") == []


def test_state_from_another_users_session_is_refused(app, admin, make_client, intuit):
    back = sign_in_at_intuit(admin.start_connect(), ALEX, REALM_1)
    other_admin = make_client("admin@acme.test")
    response = other_admin.client.get(path_and_query(back))
    assert response.status_code == 400
    assert connection_of(app) is None
    assert intuit.calls("token") == []


def test_disconnect_by_htmx_swaps_card_and_revokes(app, admin, intuit):
    admin.connect(ALEX, REALM_1)
    response = admin.post("/settings/integrations/qbo/disconnect", htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="qbo-card"') and card_state_of(html) == "not_connected"
    events = json.loads(response.headers["HX-Trigger"])
    assert events["toast"]["message"] == "Integration disconnected successfully."
    assert "integrations-changed" in events
    assert [c["status"] for c in intuit.calls("revoke")] == [200]
    assert all(g["revoked"] for g in intuit.grants(REALM_1))
    qbd = admin.client.get("/settings/integrations/qbd/card", headers={"HX-Request": "true"})
    assert 'id="qbd-card"' in qbd.get_data(as_text=True)
    row = connection_of(app)
    assert row.state is StoredState.DISCONNECTED


def test_disconnect_without_javascript_redirects_with_toast(admin):
    admin.connect(ALEX, REALM_1)
    response = admin.post("/settings/integrations/qbo/disconnect", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Integration disconnected successfully." in html
    assert 'id="qbd-card"' in html and card_state_of(html) == "not_connected"


def test_switch_account_to_another_company(app, admin, intuit):
    admin.connect(ALEX, REALM_1)
    finish_wizard(admin)
    response = admin.connect(SAM, REALM_3, intent="switch")
    assert response.status_code == 302
    html = admin.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "may need to update your data mappings" in html
    connection = connection_of(app)
    assert (connection.realm_id, connection.qbo_user_email) == (REALM_3, SAM)
    assert all(g["revoked"] for g in intuit.grants(REALM_1))
    with app.app_context():
        assert get_realm_settings(get_db(), connection.company_id, REALM_3).setup_complete


def test_expired_session_then_reconnect(app, admin, intuit):
    admin.connect(ALEX, REALM_1)
    finish_wizard(admin)
    lapse_refresh_token(app, intuit, connection_of(app).company_id, REALM_1)
    card = admin.post("/settings/integrations/qbo/check", {"force": "1"}, htmx=True).get_data(as_text=True)
    assert card_state_of(card) == "expired"
    assert "Your QuickBooks Online session has expired. Please reconnect your account." in card
    assert ">Reconnect</button>" in card
    response = admin.connect(ALEX, REALM_1, intent="reconnect")
    assert response.headers["Location"].endswith(PAGE)
    assert card_state_of(admin.client.get(PAGE).get_data(as_text=True)) == "connected"


def test_a_grant_revoked_inside_quickbooks_is_a_disconnect_not_an_expiry(app, admin, intuit):
    admin.connect(ALEX, REALM_1)
    finish_wizard(admin)
    intuit.disconnect_realm(REALM_1)  # Apps > My Apps > Disconnect, and the user never lands on our Disconnect URL
    intuit.expire_access_token(REALM_1)
    card = admin.post("/settings/integrations/qbo/check", {"force": "1"}, htmx=True).get_data(as_text=True)
    assert card_state_of(card) == "not_connected"
    words = " ".join(card.split())
    assert "QuickBooks stopped accepting inBuild's connection to Keystone Builders LLC" in words
    assert "disconnected inside QuickBooks, or the user who connected it (alex.morgan@example.com) lost access" in words
    assert ">Reconnect</button>" in card and "session has expired" not in card
    assert connection_of(app).state is StoredState.DISCONNECTED
    elsewhere = admin.client.get("/settings/").get_data(as_text=True)
    assert "QuickBooks Online was disconnected inside QuickBooks" in elsewhere
    response = admin.connect(ALEX, REALM_1, intent="reconnect")
    assert response.headers["Location"].endswith(PAGE)  # the configuration was kept: no wizard again
    page = admin.client.get(PAGE).get_data(as_text=True)
    assert card_state_of(page) == "connected" and "stopped accepting" not in page


def test_connection_error_then_recovers_by_itself(app, admin, intuit):
    admin.connect(ALEX, REALM_1)
    intuit.fail_next("500", endpoint="api")
    card = admin.post("/settings/integrations/qbo/check", {"force": "1"}, htmx=True).get_data(as_text=True)
    assert card_state_of(card) == "error"
    assert "There was an error connecting to QuickBooks Online. Please try again." in card
    card = admin.post("/settings/integrations/qbo/check", {"force": "1"}, htmx=True).get_data(as_text=True)
    assert card_state_of(card) == "connected"


def test_expired_access_token_is_refreshed_transparently(app, admin, intuit):
    admin.connect(ALEX, REALM_1)
    intuit.expire_access_token(REALM_1)
    card = admin.post("/settings/integrations/qbo/check", {"force": "1"}, htmx=True).get_data(as_text=True)
    assert card_state_of(card) == "connected"
    grant = intuit.grants(REALM_1)[-1]
    with app.app_context():
        from qbo.connection.store import stored_tokens

        tokens = stored_tokens(get_db(), app.extensions["token_cipher"], connection_of(app).company_id)
    assert tokens.refresh_token == grant["latest_refresh_token"]


@pytest.mark.parametrize("email, message", [
    ("staff@acme.test", "Only admin users can access accounting integrations."),
    ("admin@birch.test", "This feature is not available yet."),
])
def test_refused_users_see_why_and_no_sidebar_entry(make_client, email, message):
    session = make_client(email)
    response = session.client.get(PAGE)
    assert response.status_code == 403
    assert message in response.get_data(as_text=True)
    assert "Accounting Integrations</a>" not in session.client.get("/settings/").get_data(as_text=True)
    assert session.post("/settings/integrations/qbo/connect").status_code == 403


def test_anonymous_is_sent_to_sign_in(app):
    response = app.test_client().get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_user_without_access_to_company_at_intuit(admin):
    back_page = admin.start_connect()
    with pytest.raises(AssertionError):
        sign_in_at_intuit(back_page, PAT, REALM_1)
