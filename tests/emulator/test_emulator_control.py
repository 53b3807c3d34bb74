"""The /_emulator control surface: realm actions, grants, calls, clients, settings, reset."""
from __future__ import annotations

import time

import requests

from tests.emulator.emulator_helpers import (
    CLIENT_ID, CLIENT_SECRET, HARBOR, KEYSTONE, REDIRECT_URI, SAM, parse_form,
)

INVALID_GRANT = {"error_description": "Token invalid", "error": "invalid_grant"}


def test_expire_access_token_forces_a_refresh(emulator):
    tokens = emulator.connect()
    response = emulator.control("POST", f"api/realms/{KEYSTONE}/expire-access-token")
    assert response.json() == {"realm_id": KEYSTONE, "action": "expire-access-token", "affected": 1}
    assert emulator.api(f"companyinfo/{KEYSTONE}", tokens["access_token"]).status_code == 401
    refreshed = emulator.refresh(tokens["refresh_token"]).json()
    assert emulator.api(f"companyinfo/{KEYSTONE}", refreshed["access_token"]).status_code == 200


def test_expire_refresh_token_makes_refresh_fail(emulator):
    tokens = emulator.connect()
    emulator.control("POST", f"api/realms/{KEYSTONE}/expire-refresh-token")
    assert emulator.refresh(tokens["refresh_token"]).json() == INVALID_GRANT
    assert emulator.api(f"companyinfo/{KEYSTONE}", tokens["access_token"]).status_code == 200


def test_disconnect_revokes_only_that_realm(emulator):
    keystone = emulator.connect()
    harbor = emulator.connect(email=SAM.email, realm_id=HARBOR)
    assert emulator.control("POST", f"api/realms/{KEYSTONE}/disconnect").json()["affected"] == 1
    assert emulator.api(f"companyinfo/{KEYSTONE}", keystone["access_token"]).status_code == 401
    assert emulator.refresh(keystone["refresh_token"]).json() == INVALID_GRANT
    assert emulator.api(f"companyinfo/{HARBOR}", harbor["access_token"], realm_id=HARBOR).status_code == 200
    assert emulator.grants(KEYSTONE)[0]["revoked_reason"] == "disconnected in QuickBooks"


def test_realm_actions_404_for_unknown_realms_and_actions(emulator):
    for action in ("expire-access-token", "expire-refresh-token", "disconnect"):
        response = emulator.control("POST", f"api/realms/123/{action}")
        assert response.status_code == 404 and response.json() == {"error": "unknown realm 123"}
    assert emulator.control("POST", f"api/realms/{KEYSTONE}/explode").status_code == 404


def test_grants_expose_the_latest_refresh_token_for_tests(emulator):
    tokens = emulator.connect()
    latest = emulator.refresh(tokens["refresh_token"]).json()["refresh_token"]
    emulator.connect(email=SAM.email, realm_id=HARBOR)
    grants = emulator.grants(KEYSTONE)
    assert len(grants) == 1 and len(emulator.grants()) == 2
    grant = grants[0]
    assert grant["latest_refresh_token"] == latest
    assert grant["user_email"] == "alex.morgan@example.com"
    assert grant["scopes"] == ["com.intuit.quickbooks.accounting", "openid", "email", "profile"]
    assert grant["revoked"] is False and grant["client_id"] == CLIENT_ID
    assert grant["access_tokens_issued"] == 2 and grant["refresh_tokens_issued"] == 2


def test_call_log_records_each_call_without_token_values(emulator):
    tokens = emulator.connect()
    emulator.refresh(tokens["refresh_token"])
    emulator.refresh(tokens["refresh_token"])
    emulator.api(f"companyinfo/{KEYSTONE}", tokens["access_token"])
    response = emulator.control("GET", "api/calls")
    calls = [(c["endpoint"], c["grant_type"], c["status"], c["realm_id"]) for c in response.json()]
    assert calls == [("token", "authorization_code", 200, KEYSTONE),
                     ("token", "refresh_token", 200, KEYSTONE),
                     ("token", "refresh_token", 400, None),
                     ("api", None, 200, KEYSTONE)]
    assert all(call["at"].endswith("+00:00") and call["intuit_tid"] for call in response.json())
    for value in (tokens["access_token"], tokens["refresh_token"], tokens["id_token"]):
        assert value not in response.text
    assert emulator.control("DELETE", "api/calls").json() == {"cleared": 4}
    assert emulator.calls() == []


def test_register_client_then_authorize_with_it(emulator):
    uri = "http://127.0.0.1:40123/settings/integrations/qbo/callback"
    response = emulator.control("POST", "api/clients", json={
        "client_id": "test-app", "client_secret": "test-secret", "redirect_uris": [uri]})
    assert response.status_code == 200
    listed = emulator.control("GET", "api/clients").json()
    assert {"client_id": "test-app", "name": "test-app", "redirect_uris": [uri]} in listed
    assert "test-secret" not in str(listed)
    code = emulator.authorize(client_id="test-app", redirect_uri=uri)["code"]
    response = emulator.token({"grant_type": "authorization_code", "code": code, "redirect_uri": uri},
                              auth=("test-app", "test-secret"))
    assert response.status_code == 200


def test_register_client_validates_input(emulator):
    response = emulator.control("POST", "api/clients", json={"client_id": "x"})
    assert response.status_code == 400 and "required" in response.json()["error"]


def test_reset_restores_seed_and_config_but_keeps_registered_clients(emulator):
    tokens = emulator.connect()
    emulator.control("POST", "api/clients", json={
        "client_id": CLIENT_ID, "client_secret": "changed", "redirect_uris": [REDIRECT_URI]})
    emulator.control("POST", "api/clients", json={
        "client_id": "kept-app", "client_secret": "s", "redirect_uris": [REDIRECT_URI]})
    emulator.control("POST", "api/settings", json={"rotation": "daily", "latency_ms": [1, 2]})
    emulator.control("POST", "api/faults", json={"kind": "500"})
    assert emulator.control("POST", "api/reset").json() == {"reset": True}
    assert emulator.grants() == [] and emulator.calls() == []
    assert emulator.control("GET", "api/faults").json() == []
    assert emulator.control("GET", "api/settings").json() == {"rotation": "strict", "latency_ms": [0, 0]}
    assert "kept-app" in {client["client_id"] for client in emulator.control("GET", "api/clients").json()}
    assert emulator.api(f"companyinfo/{KEYSTONE}", tokens["access_token"]).status_code == 401
    assert emulator.connect()["access_token"]  # demo client secret restored from config


def test_settings_validation_and_latency(emulator):
    bad = emulator.control("POST", "api/settings", json={"rotation": "hourly"})
    assert bad.status_code == 400 and "rotation" in bad.json()["error"]
    bad = emulator.control("POST", "api/settings", json={"latency_ms": [5, 1]})
    assert bad.status_code == 400
    tokens = emulator.connect()
    ok = emulator.control("POST", "api/settings", json={"latency_ms": [150, 150]})
    assert ok.json() == {"rotation": "strict", "latency_ms": [150, 150]}
    started = time.monotonic()
    emulator.refresh(tokens["refresh_token"])
    assert time.monotonic() - started >= 0.15


def test_control_page_lists_state_without_token_values(emulator):
    tokens = emulator.connect()
    emulator.control("POST", "api/faults", json={"kind": "503", "endpoint": "api", "count": 2})
    emulator.api(f"companyinfo/{KEYSTONE}", tokens["access_token"])
    page = requests.get(emulator.url + "/_emulator/")
    assert page.status_code == 200
    for text in ("Keystone Builders LLC", "Harbor Point Construction", "alex.morgan@example.com",
                 "sha256:", "503", "Reset emulator", "intuit-demo"):
        assert text in page.text
    for value in (tokens["access_token"], tokens["refresh_token"], CLIENT_SECRET):
        assert value not in page.text
    assert "<script" not in page.text


def test_control_page_forms_post_and_redirect_back(emulator):
    emulator.connect()
    session = requests.Session()
    response = session.post(emulator.url + f"/_emulator/api/realms/{KEYSTONE}/disconnect",
                            data={}, allow_redirects=False,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/_emulator/")
    page = session.get(emulator.url + "/_emulator/")
    assert f"{KEYSTONE}: 1 grants revoked (disconnected)" in page.text
    session.post(emulator.url + "/_emulator/api/faults", data={"kind": "429", "endpoint": "token",
                                                               "count": "3", "seconds": "5"})
    assert emulator.control("GET", "api/faults").json()[0]["count"] == 3
    session.post(emulator.url + "/_emulator/api/faults/clear", data={})
    assert emulator.control("GET", "api/faults").json() == []
    session.post(emulator.url + "/_emulator/api/settings",
                 data={"rotation": "daily", "latency_min": "0", "latency_max": "0"})
    assert emulator.control("GET", "api/settings").json()["rotation"] == "daily"
    session.post(emulator.url + "/_emulator/api/calls/clear", data={})
    assert emulator.calls() == []


def test_control_page_realm_buttons_exist_for_each_company(emulator):
    page = requests.get(emulator.url + "/_emulator/").text
    for realm in (KEYSTONE, HARBOR):
        assert f"/_emulator/api/realms/{realm}/disconnect" in page
    assert parse_form(page).action
