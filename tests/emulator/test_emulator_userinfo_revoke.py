"""Userinfo by scope, and token revocation."""
from __future__ import annotations

import requests

from tests.emulator.emulator_helpers import ALEX, CLIENT_ID, CLIENT_SECRET, KEYSTONE, REDIRECT_URI

INVALID_TOKEN_CHALLENGE = 'Bearer realm="Intuit", error="invalid_token"'


def userinfo(emulator, access_token: str | None) -> requests.Response:
    headers = {"Accept": "application/json"}
    if access_token:
        headers["Authorization"] = f"Bearer {access_token}"
    return requests.get(emulator.url + "/v1/openid_connect/userinfo", headers=headers)


def revoke(emulator, token: str, as_json: bool = True, auth=(CLIENT_ID, CLIENT_SECRET)):
    url = emulator.url + "/v2/oauth2/tokens/revoke"
    if as_json:
        return requests.post(url, json={"token": token}, auth=auth)
    return requests.post(url, data={"token": token}, auth=auth)


def test_userinfo_with_email_and_profile_scopes(emulator):
    tokens = emulator.connect()
    response = userinfo(emulator, tokens["access_token"])
    assert response.status_code == 200 and response.headers["intuit_tid"]
    assert response.json() == {"sub": ALEX.sub, "email": ALEX.email, "emailVerified": True,
                               "givenName": "Alex", "familyName": "Morgan"}


def test_userinfo_returns_only_what_the_scopes_allow(emulator):
    tokens = emulator.connect(scope="openid email", realm_id=None)
    assert userinfo(emulator, tokens["access_token"]).json() == {
        "sub": ALEX.sub, "email": ALEX.email, "emailVerified": True}
    tokens = emulator.connect(scope="openid phone address", realm_id=None)
    body = userinfo(emulator, tokens["access_token"]).json()
    assert set(body) == {"sub", "phoneNumber", "phoneNumberVerified", "address"}


def test_userinfo_without_openid_scope_is_forbidden(emulator):
    tokens = emulator.connect(scope="com.intuit.quickbooks.accounting")
    response = userinfo(emulator, tokens["access_token"])
    assert response.status_code == 403 and response.json() == {"error": "insufficient_scope"}


def test_userinfo_rejects_missing_unknown_expired_and_revoked_tokens(emulator):
    tokens = emulator.connect()
    bad = [None, "not-a-token"]
    for token in bad:
        response = userinfo(emulator, token)
        assert response.status_code == 401
        assert response.json() == {"error": "invalid_token"}
        assert response.headers["WWW-Authenticate"] == INVALID_TOKEN_CHALLENGE
    emulator.control("POST", f"api/realms/{KEYSTONE}/expire-access-token")
    assert userinfo(emulator, tokens["access_token"]).status_code == 401
    fresh = emulator.connect()
    revoke(emulator, fresh["refresh_token"])
    assert userinfo(emulator, fresh["access_token"]).status_code == 401


def test_revoke_with_json_body_kills_the_whole_grant(emulator):
    tokens = emulator.connect()
    response = revoke(emulator, tokens["refresh_token"])
    assert response.status_code == 200 and response.content == b""
    assert response.headers["intuit_tid"]
    assert emulator.refresh(tokens["refresh_token"]).status_code == 400
    assert emulator.api(f"companyinfo/{KEYSTONE}", tokens["access_token"]).status_code == 401
    assert emulator.grants()[0]["revoked"] is True


def test_revoke_with_form_body_and_an_access_token(emulator):
    tokens = emulator.connect()
    assert revoke(emulator, tokens["access_token"], as_json=False).status_code == 200
    assert emulator.refresh(tokens["refresh_token"]).status_code == 400


def test_second_revoke_and_unknown_tokens_get_400_with_empty_body(emulator):
    tokens = emulator.connect()
    assert revoke(emulator, tokens["refresh_token"]).status_code == 200
    again = revoke(emulator, tokens["refresh_token"])
    assert again.status_code == 400 and again.content == b""
    unknown = revoke(emulator, "RT1-00-H0-nothing")
    assert unknown.status_code == 400 and unknown.content == b""


def test_superseded_refresh_token_cannot_revoke(emulator):
    tokens = emulator.connect()
    emulator.refresh(tokens["refresh_token"])
    assert revoke(emulator, tokens["refresh_token"]).status_code == 400
    assert emulator.grants()[0]["revoked"] is False


def test_revoke_needs_the_owning_client(emulator):
    emulator.control("POST", "api/clients", json={
        "client_id": "other-app", "client_secret": "other-secret", "redirect_uris": [REDIRECT_URI]})
    tokens = emulator.connect()
    assert revoke(emulator, tokens["refresh_token"], auth=("other-app", "other-secret")).status_code == 400
    response = revoke(emulator, tokens["refresh_token"], auth=None)
    assert response.status_code == 401 and response.json() == {"error": "invalid_client"}
    assert emulator.grants()[0]["revoked"] is False
