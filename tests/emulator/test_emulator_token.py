"""The token endpoint: code exchange, PKCE, client auth, refresh rotation and expiry."""
from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from tests.emulator.emulator_helpers import CLIENT_ID, KEYSTONE, REDIRECT_URI, pkce_pair

INVALID_GRANT = {"error_description": "Token invalid", "error": "invalid_grant"}


def test_code_exchange_returns_intuit_shaped_tokens(emulator):
    callback = emulator.authorize()
    response = emulator.exchange(callback["code"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["intuit_tid"]
    body = response.json()
    assert body["access_token"].startswith("eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..")
    assert body["refresh_token"].startswith("RT1-")
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["x_refresh_token_expires_in"] == 8726400
    assert "id_token" in body and "x_refresh_token_hard_expires_in" not in body
    assert "realmId" not in body


def test_hard_expiry_is_sent_only_when_asked_for(emulator):
    code = emulator.authorize()["code"]
    body = emulator.token(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        headers={"x-include-refresh-token-hard-expires-in": "true"}).json()
    assert body["x_refresh_token_hard_expires_in"] == 5 * 365 * 86400


def test_no_id_token_without_openid_scope(emulator):
    tokens = emulator.connect(scope="com.intuit.quickbooks.accounting")
    assert "id_token" not in tokens


@pytest.mark.parametrize("auth", [None, (CLIENT_ID, "wrong-secret"), ("unknown", "x")])
def test_client_must_authenticate_with_basic(emulator, auth):
    code = emulator.authorize()["code"]
    response = emulator.token({"grant_type": "authorization_code", "code": code,
                               "redirect_uri": REDIRECT_URI}, auth=auth)
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client"}


def test_credentials_in_the_body_are_not_accepted(emulator):
    code = emulator.authorize()["code"]
    response = emulator.token({"grant_type": "authorization_code", "code": code,
                               "redirect_uri": REDIRECT_URI, "client_id": CLIENT_ID,
                               "client_secret": "inbuild-demo-secret"}, auth=None)
    assert response.status_code == 401


def test_code_is_single_use_and_replay_revokes_the_grant(emulator):
    code = emulator.authorize()["code"]
    first = emulator.exchange(code).json()
    replay = emulator.exchange(code)
    assert replay.status_code == 400
    assert replay.headers["Content-Type"] == "application/json;charset=utf-8"
    assert replay.json() == INVALID_GRANT
    assert emulator.refresh(first["refresh_token"]).json() == INVALID_GRANT
    assert emulator.api(f"companyinfo/{KEYSTONE}", first["access_token"]).status_code == 401
    assert emulator.grants()[0]["revoked_reason"] == "authorization code reused"


@pytest.mark.parametrize("redirect_uri", [
    None, REDIRECT_URI + "/", "http://localhost:5000/settings/integrations/qbo/callback"])
def test_redirect_uri_must_equal_the_one_used_at_authorize(emulator, redirect_uri):
    code = emulator.authorize()["code"]
    data = {"grant_type": "authorization_code", "code": code}
    if redirect_uri:
        data["redirect_uri"] = redirect_uri
    assert emulator.token(data).json() == INVALID_GRANT


def test_unknown_code_is_invalid_grant(emulator):
    assert emulator.exchange("AB11nope").json() == INVALID_GRANT


def test_code_expires_after_ten_minutes(emulator):
    with freeze_time("2026-03-02 09:00:00") as frozen:
        code = emulator.authorize()["code"]
        frozen.tick(timedelta(minutes=10, seconds=1))
        assert emulator.exchange(code).json() == INVALID_GRANT


def test_code_for_another_client_is_invalid_grant(emulator):
    emulator.control("POST", "api/clients", json={
        "client_id": "other-app", "client_secret": "other-secret", "redirect_uris": [REDIRECT_URI]})
    code = emulator.authorize()["code"]
    response = emulator.token({"grant_type": "authorization_code", "code": code,
                               "redirect_uri": REDIRECT_URI}, auth=("other-app", "other-secret"))
    assert response.json() == INVALID_GRANT


def test_pkce_s256_with_the_right_verifier_succeeds(emulator):
    verifier, challenge = pkce_pair()
    code = emulator.authorize(code_challenge=challenge, code_challenge_method="S256")["code"]
    assert emulator.exchange(code, code_verifier=verifier).status_code == 200


@pytest.mark.parametrize("verifier", ["wrong-" + "v" * 50, None])
def test_pkce_wrong_or_missing_verifier_is_invalid_grant(emulator, verifier):
    _, challenge = pkce_pair()
    code = emulator.authorize(code_challenge=challenge, code_challenge_method="S256")["code"]
    extra = {"code_verifier": verifier} if verifier else {}
    assert emulator.exchange(code, **extra).json() == INVALID_GRANT


def test_verifier_without_a_challenge_is_a_downgrade_and_refused(emulator):
    verifier, _ = pkce_pair()
    code = emulator.authorize()["code"]
    assert emulator.exchange(code, code_verifier=verifier).json() == INVALID_GRANT


def test_unknown_or_missing_grant_type(emulator):
    assert emulator.token({"grant_type": "password"}).json() == {"error": "unsupported_grant_type"}
    response = emulator.token({})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_strict_rotation_invalidates_the_old_refresh_token_at_once(emulator):
    tokens = emulator.connect()
    refreshed = emulator.refresh(tokens["refresh_token"])
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["refresh_token"] != tokens["refresh_token"]
    assert new["access_token"] != tokens["access_token"]
    assert emulator.refresh(tokens["refresh_token"]).json() == INVALID_GRANT
    assert emulator.refresh(new["refresh_token"]).status_code == 200
    assert emulator.grants()[0]["refresh_tokens_issued"] == 3


def test_daily_rotation_keeps_the_value_for_24_hours(emulator):
    emulator.control("POST", "api/settings", json={"rotation": "daily"})
    with freeze_time("2026-03-02 09:00:00") as frozen:
        tokens = emulator.connect()
        frozen.tick(timedelta(hours=23))
        same = emulator.refresh(tokens["refresh_token"]).json()
        assert same["refresh_token"] == tokens["refresh_token"]
        frozen.tick(timedelta(hours=1, seconds=1))
        rotated = emulator.refresh(tokens["refresh_token"]).json()
        assert rotated["refresh_token"] != tokens["refresh_token"]
        assert emulator.refresh(tokens["refresh_token"]).json() == INVALID_GRANT
        assert emulator.refresh(rotated["refresh_token"]).status_code == 200


def test_daily_rotation_from_config(start_emulator):
    emulator = start_emulator(EMULATOR_ROTATION="daily")
    tokens = emulator.connect()
    assert emulator.refresh(tokens["refresh_token"]).json()["refresh_token"] == tokens["refresh_token"]


def test_rolling_expiry_is_extended_on_each_use(emulator):
    with freeze_time("2026-03-02 09:00:00") as frozen:
        tokens = emulator.connect()
        frozen.tick(timedelta(days=100))
        refreshed = emulator.refresh(tokens["refresh_token"]).json()
        assert refreshed["x_refresh_token_expires_in"] == 8726400
        frozen.tick(timedelta(days=100))
        assert emulator.refresh(refreshed["refresh_token"]).status_code == 200


def test_unused_refresh_token_dies_after_101_days(emulator):
    with freeze_time("2026-03-02 09:00:00") as frozen:
        tokens = emulator.connect()
        frozen.tick(timedelta(seconds=8726400))
        assert emulator.refresh(tokens["refresh_token"]).json() == INVALID_GRANT


def test_hard_expiry_caps_the_grant_at_five_years(emulator):
    hard = {"x-include-refresh-token-hard-expires-in": "true"}
    with freeze_time("2026-03-02 09:00:00") as frozen:
        token = emulator.connect()["refresh_token"]
        for _ in range(18):  # refresh every 100 days: 1800 days
            frozen.tick(timedelta(days=100))
            body = emulator.refresh(token, headers=hard).json()
            token = body["refresh_token"]
        remaining = 5 * 365 * 86400 - 1800 * 86400
        assert body["x_refresh_token_hard_expires_in"] == remaining
        assert body["x_refresh_token_expires_in"] == remaining  # rolling expiry capped
        frozen.tick(timedelta(seconds=remaining))
        assert emulator.refresh(token).json() == INVALID_GRANT


def test_refresh_token_of_another_client_is_invalid_grant(emulator):
    emulator.control("POST", "api/clients", json={
        "client_id": "other-app", "client_secret": "other-secret", "redirect_uris": [REDIRECT_URI]})
    token = emulator.connect()["refresh_token"]
    response = emulator.refresh(token, auth=("other-app", "other-secret"))
    assert response.json() == INVALID_GRANT
