"""The browser sign-in and consent page at /connect/oauth2."""
from __future__ import annotations

import re

import pytest

from tests.emulator.emulator_helpers import (
    ACCOUNTING, ALEX, HARBOR, KEYSTONE, PAT, PASSWORD, REDIRECT_URI, SUMMIT, parse_form, query_of,
)

HOSTILE_STATE = '"><script>alert(1)</script>'


def test_sign_in_page_has_a_no_js_form_with_every_field(emulator):
    page = emulator.open_authorize(nonce="n-1")
    assert page.status_code == 200
    form = parse_form(page.text)
    assert {"email", "password", "realm_id", "client_id", "redirect_uri", "response_type",
            "scope", "state", "nonce"} <= set(form.fields)
    assert form.options == [KEYSTONE, HARBOR, SUMMIT]
    assert ("action", "authorize") in form.buttons and ("action", "cancel") in form.buttons
    assert 'method="post"' in page.text and "<script" not in page.text
    assert "inBuild Accounting Integrations" in page.text and ACCOUNTING in page.text
    assert "Keystone Builders LLC (9130350000000001)" in page.text


def test_hidden_params_are_escaped_and_round_trip(emulator):
    page = emulator.open_authorize(state=HOSTILE_STATE)
    assert "<script>alert(1)" not in page.text
    assert parse_form(page.text).fields["state"] == HOSTILE_STATE
    callback = query_of(emulator.submit_sign_in(page).headers["Location"])
    assert callback["state"] == HOSTILE_STATE


@pytest.mark.parametrize("overrides, line", [
    ({"client_id": "nobody"}, "client_id query parameter value is invalid"),
    ({"client_id": None}, "client_id query parameter value is invalid"),
    ({"redirect_uri": REDIRECT_URI + "/"}, "redirect_uri query parameter value is invalid"),
    ({"redirect_uri": REDIRECT_URI.upper()}, "redirect_uri query parameter value is invalid"),
    ({"redirect_uri": "https://evil.example/callback"}, "redirect_uri query parameter value is invalid"),
    ({"redirect_uri": None}, "redirect_uri query parameter value is invalid"),
])
def test_bad_client_or_redirect_uri_gets_an_error_page_not_a_redirect(emulator, overrides, line):
    response = emulator.open_authorize(**overrides)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "We're sorry! We are experiencing some problems." in response.text.replace("&#39;", "'")
    assert line in response.text.replace("&#39;", "'")


def test_forged_post_with_bad_redirect_uri_is_also_refused(emulator):
    page = emulator.open_authorize()
    form = parse_form(page.text)
    data = {**form.fields, "redirect_uri": "https://evil.example/cb", "email": ALEX.email,
            "password": PASSWORD, "action": "authorize"}
    response = emulator.http.post(emulator.url + "/connect/oauth2", data=data, allow_redirects=False)
    assert response.status_code == 400 and "Location" not in response.headers


@pytest.mark.parametrize("overrides, error", [
    ({"response_type": "token"}, "unsupported_response_type"),
    ({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, "invalid_request"),
    ({"code_challenge": "x" * 43}, "invalid_request"),
    ({"code_challenge_method": "S256"}, "invalid_request"),
    ({"code_challenge": "short", "code_challenge_method": "S256"}, "invalid_request"),
    ({"scope": "com.intuit.quickbooks.everything"}, "invalid_scope"),
])
def test_bad_oauth_params_redirect_back_with_error_and_state(emulator, overrides, error):
    response = emulator.open_authorize(**overrides)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(REDIRECT_URI + "?")
    assert query_of(response.headers["Location"]) == {"error": error, "state": "state-123"}


def test_cancel_redirects_with_access_denied(emulator):
    response = emulator.submit_sign_in(emulator.open_authorize(), password="", action="cancel")
    assert response.status_code == 302
    assert query_of(response.headers["Location"]) == {"error": "access_denied", "state": "state-123"}


def test_wrong_password_re_renders_without_issuing_a_code(emulator):
    response = emulator.submit_sign_in(emulator.open_authorize(), password="wrong")
    assert response.status_code == 200
    assert "Incorrect email or password." in response.text
    assert parse_form(response.text).fields["email"] == ALEX.email  # kept, password not
    assert parse_form(response.text).fields["password"] == ""
    assert emulator.grants() == []


def test_unknown_email_is_the_same_message(emulator):
    response = emulator.submit_sign_in(emulator.open_authorize(), email="nobody@example.com")
    assert "Incorrect email or password." in response.text


def test_user_without_access_to_the_company_is_told_so(emulator):
    response = emulator.submit_sign_in(emulator.open_authorize(), email=PAT.email, realm_id=KEYSTONE)
    assert response.status_code == 200
    assert "pat.kim@example.com is not an admin of Keystone Builders LLC" in response.text
    assert 'value="9130350000000001" selected' in response.text


def test_success_redirects_with_code_state_and_realm(emulator):
    response = emulator.submit_sign_in(emulator.open_authorize(), realm_id=HARBOR)
    location = response.headers["Location"]
    assert response.status_code == 302
    assert re.match(re.escape(REDIRECT_URI) + r"\?code=[^&]+&state=state-123&realmId=9130350000000002$",
                    location)


def test_openid_only_flow_has_no_company_choice_and_no_realm(emulator):
    page = emulator.open_authorize(scope="openid email")
    assert "realm_id" not in parse_form(page.text).fields
    callback = query_of(emulator.submit_sign_in(page).headers["Location"])
    assert set(callback) == {"code", "state"}


def test_existing_query_on_the_redirect_uri_is_kept(emulator):
    uri = "http://127.0.0.1:5000/cb?tenant=a%2Fb&x=1"
    emulator.control("POST", "api/clients", json={
        "client_id": "with-query", "client_secret": "s", "redirect_uris": [uri]})
    response = emulator.submit_sign_in(emulator.open_authorize(client_id="with-query", redirect_uri=uri))
    assert response.headers["Location"].startswith(uri + "&code=")


def test_missing_state_is_simply_not_echoed(emulator):
    callback = emulator.authorize(state=None)
    assert "state" not in callback and "code" in callback
