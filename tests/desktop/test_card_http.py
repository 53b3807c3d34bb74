"""The QuickBooks Desktop card through the Flask test client: connect, the .qwc, new password, disconnect, and one
active integration at a time, both ways, refused server-side and in the database."""
from __future__ import annotations

import json
import re

import pytest
from defusedxml import ElementTree

from qbo.connection.sign_in_store import QboIdentity, save_qbo_connection
from qbo.connection.store import active_integration
from qbo.connection.tokens import token_set_from_response
from qbo.desktop import service
from qbo.desktop.credentials import normalized_password, secret_hash
from qbo.desktop.link_store import OtherIntegrationActive, get_link, issue_link
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from tests.desktop.conftest import company_id

PAGE, QBD = "/settings/integrations/", "/settings/integrations/qbd"
QBD_STATE = re.compile(r'id="qbd-card"[^>]*data-state="([a-z_]+)"')
QBO_STATE = re.compile(r'id="qbo-card"[^>]*data-state="([a-z_]+)"')
PASSWORD = re.compile(r'data-testid="qbd-password">([A-Z0-9-]+)<')
GUID = re.compile(r"^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$")


def connect(admin, htmx=True):
    return admin.post(f"{QBD}/connect", {"run_every_minutes": "15"}, htmx=htmx)


def authenticate(app, username, password):
    with app.app_context():
        return service.authenticate(get_db(), {"strUserName": username, "strPassword": password}, utcnow())


def connect_qbo_directly(app):
    with app.app_context():
        db = get_db()
        tokens = token_set_from_response({"access_token": "AT", "refresh_token": "RT", "expires_in": 3600,
                                          "x_refresh_token_expires_in": 8726400}, utcnow())
        identity = QboIdentity("9130350000000001", "emulator", "sub", "alex@example.com", "Alex Morgan", "Keystone")
        save_qbo_connection(db, company_id(app), identity, tokens, app.extensions["token_cipher"], utcnow())


def test_connect_shows_the_password_once_and_stores_only_its_hash(app, admin):
    html = admin.client.get(PAGE).get_data(as_text=True)
    assert QBD_STATE.search(html).group(1) == "not_connected" and 'name="run_every_minutes"' in html
    response = connect(admin)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="qbd-slot"')
    assert QBD_STATE.search(body).group(1) == "waiting" and "Update Selected" in body
    password = PASSWORD.search(body).group(1)
    assert QBO_STATE.search(body).group(1) == "not_connected"  # for hx-select-oob: its Connect is gone
    assert "QuickBooks Desktop is connected. Disconnect it before connecting QuickBooks Online." in body
    with app.app_context():
        link = get_link(get_db(), company_id(app))
        dump = json.dumps([list(r) for t in ("qbd_links", "audit_events", "connections")
                           for r in get_db().execute(f"SELECT * FROM {t}").fetchall()])
    assert link.password_hash == secret_hash(normalized_password(password)) and password not in dump
    page = admin.client.get(PAGE).get_data(as_text=True)
    assert QBD_STATE.search(page).group(1) == "waiting" and not PASSWORD.search(page)


def test_connect_without_javascript_renders_the_page_with_the_password(admin):
    response = connect(admin, htmx=False)
    assert response.status_code == 200 and PASSWORD.search(response.get_data(as_text=True))


def test_the_qwc_file(app, admin):
    connect(admin)
    response = admin.client.get(f"{QBD}/inbuild.qwc")
    assert response.status_code == 200 and response.mimetype == "application/x-qwc"
    assert response.headers["Content-Disposition"] == 'attachment; filename="inbuild-acme-construction.qwc"'
    root = ElementTree.fromstring(response.data)
    values = {child.tag: (child.text or "") for child in root}
    assert root.tag == "QBWCXML" and values["AppURL"] == "http://localhost/qbwc/"
    assert values["AppSupport"].startswith("http://localhost/qbwc/") and values["QBType"] == "QBFS"
    with app.app_context():
        link = get_link(get_db(), company_id(app))
    assert values["UserName"] == link.username and values["AppName"] == "inBuild - Acme Construction"
    assert GUID.match(values["OwnerID"]) and GUID.match(values["FileID"]) and values["OwnerID"] != values["FileID"]
    assert root.find("Scheduler/RunEveryNMinutes").text == "15"
    assert b"Password" not in response.data


def test_qwc_before_connect_goes_back_to_the_page(admin):
    response = admin.client.get(f"{QBD}/inbuild.qwc")
    assert response.status_code == 303 and response.headers["Location"].endswith(PAGE)


def test_new_password_stops_the_old_one_and_its_tickets_at_once(app, admin):
    old = PASSWORD.search(connect(admin).get_data(as_text=True)).group(1)
    with app.app_context():
        username = get_link(get_db(), company_id(app)).username
    ticket = authenticate(app, username, old)[0]
    new = PASSWORD.search(admin.post(f"{QBD}/password", htmx=True).get_data(as_text=True)).group(1)
    assert new != old
    assert authenticate(app, username, old) == ["", "nvu"]
    assert authenticate(app, username, new)[0]
    with app.app_context():
        assert service.receive_response_xml(get_db(), {"ticket": ticket, "response": "", "hresult": "",
                                                       "message": ""}, utcnow()) == -1


def test_disconnect_toasts_shows_both_cards_and_invalidates_the_password(app, admin):
    password = PASSWORD.search(connect(admin).get_data(as_text=True)).group(1)
    with app.app_context():
        username = get_link(get_db(), company_id(app)).username
    response = admin.post(f"{QBD}/disconnect", htmx=True)
    body = response.get_data(as_text=True)
    assert json.loads(response.headers["HX-Trigger"])["toast"]["message"] == "Integration disconnected successfully."
    assert QBD_STATE.search(body).group(1) == "not_connected" and QBO_STATE.search(body).group(1) == "not_connected"
    assert 'action="/settings/integrations/qbo/connect"' in body
    assert authenticate(app, username, password) == ["", "nvu"]
    with app.app_context():
        assert active_integration(get_db(), company_id(app)) is None


def test_disconnect_without_javascript_redirects_with_the_toast(admin):
    connect(admin)
    page = admin.post(f"{QBD}/disconnect", follow_redirects=True).get_data(as_text=True)
    assert "Integration disconnected successfully." in page
    assert QBD_STATE.search(page).group(1) == "not_connected" and QBO_STATE.search(page).group(1) == "not_connected"


def test_desktop_active_refuses_a_forged_quickbooks_online_connect(app, admin):
    connect(admin)
    response = admin.post("/settings/integrations/qbo/connect", {"intent": "connect"})
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)  # not to Intuit
    page = admin.client.get(PAGE).get_data(as_text=True)
    assert "QuickBooks Desktop is connected. Disconnect it before connecting QuickBooks Online." in page
    assert ">Connect</button>" not in page.split('id="qbo-card"')[1].split("</section>")[0]


def test_quickbooks_online_active_refuses_desktop_on_the_page_by_post_and_in_the_database(app, admin):
    connect_qbo_directly(app)
    page = admin.client.get(PAGE).get_data(as_text=True)
    assert 'id="qbd-card"' not in page and "Disconnect it before connecting QuickBooks Desktop." in page
    response = connect(admin)
    assert response.status_code == 409 and "Disconnect it before connecting" in response.get_data(as_text=True)
    assert connect(admin, htmx=False).status_code == 303
    with app.app_context():
        db = get_db()
        assert get_link(db, company_id(app)) is None
        with pytest.raises(OtherIntegrationActive):
            issue_link(db, company_id(app), {"username": "u", "password_hash": "h", "owner_id": "o", "file_id": "f"},
                       15, utcnow())
        with pytest.raises(Exception, match="UNIQUE"):  # the partial unique index itself
            db.execute("INSERT INTO connections (company_id, provider, state, updated_at) VALUES (?, 'qbd', "
                       "'connected', 'now')", [company_id(app)])


def test_connect_twice_or_without_an_interval_changes_nothing(app, admin):
    assert admin.post(f"{QBD}/connect", {}, htmx=True).status_code == 422
    connect(admin)
    with app.app_context():
        first = get_link(get_db(), company_id(app))
    assert connect(admin).status_code == 409
    with app.app_context():
        assert get_link(get_db(), company_id(app)) == first


def test_the_waiting_card_polls_until_the_web_connector_comes(app, admin):
    password = PASSWORD.search(connect(admin).get_data(as_text=True)).group(1)
    assert admin.client.get(f"{QBD}/card/changes?since=waiting", headers={"HX-Request": "true"}).status_code == 204
    with app.app_context():
        username = get_link(get_db(), company_id(app)).username
    authenticate(app, username, password)
    response = admin.client.get(f"{QBD}/card/changes?since=waiting", headers={"HX-Request": "true"})
    assert response.status_code == 200 and QBD_STATE.search(response.get_data(as_text=True)).group(1) == "connected"


def test_standard_users_cannot_touch_desktop(app, make_client):
    staff = make_client("staff@acme.test")
    for path in ("connect", "password", "disconnect"):
        assert staff.post(f"{QBD}/{path}", {"run_every_minutes": "15"}).status_code == 403
    assert staff.client.get(f"{QBD}/inbuild.qwc").status_code == 403


def test_the_error_state_says_what_happened_and_what_to_do(app, admin):
    password = PASSWORD.search(connect(admin).get_data(as_text=True)).group(1)
    with app.app_context():
        username = get_link(get_db(), company_id(app)).username
    ticket = authenticate(app, username, password)[0]
    with app.app_context():
        assert service.connection_error(get_db(), {"ticket": ticket, "hresult": "0x80040408",
                                                   "message": "Could not start QuickBooks."}, utcnow()) == "done"
    page = admin.client.get(PAGE).get_data(as_text=True)
    assert QBD_STATE.search(page).group(1) == "error"
    assert "The Web Connector could not start QuickBooks. Open QuickBooks and the company file" in page
    assert ">New password</button>" in page and ">Disconnect</button>" in page
