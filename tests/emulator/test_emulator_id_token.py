"""The id_token: RS256, verifiable with the JWKS, Intuit claims."""
from __future__ import annotations

import base64
import json

import jwt
import pytest
import requests

from tests.emulator.emulator_helpers import ALEX, CLIENT_ID, HARBOR, SAM


def verified_claims(emulator, id_token: str) -> dict:
    keys = jwt.PyJWKSet.from_dict(requests.get(emulator.url + "/op/v1/jwks").json())
    key = keys[jwt.get_unverified_header(id_token)["kid"]]
    return jwt.decode(id_token, key.key, algorithms=["RS256"], audience=CLIENT_ID,
                      issuer=emulator.url + "/op/v1")


def test_id_token_verifies_against_the_jwks_with_intuit_claims(emulator):
    tokens = emulator.connect(nonce="nonce-abc")
    header = jwt.get_unverified_header(tokens["id_token"])
    assert header["alg"] == "RS256" and header["kid"]
    claims = verified_claims(emulator, tokens["id_token"])
    assert claims["aud"] == [CLIENT_ID]
    assert claims["sub"] == ALEX.sub
    assert claims["realmid"] == "9130350000000001"
    assert claims["nonce"] == "nonce-abc"
    assert claims["exp"] == claims["iat"] + 3600
    assert claims["auth_time"] <= claims["iat"]


def test_sub_is_stable_per_intuit_user(emulator):
    first = verified_claims(emulator, emulator.connect(email=SAM.email, realm_id=HARBOR)["id_token"])
    second = verified_claims(emulator, emulator.connect(email=SAM.email, realm_id=HARBOR)["id_token"])
    assert first["sub"] == second["sub"] == SAM.sub


def test_no_nonce_claim_when_none_was_sent(emulator):
    claims = verified_claims(emulator, emulator.connect()["id_token"])
    assert "nonce" not in claims


def test_refresh_returns_a_new_id_token_without_nonce(emulator):
    tokens = emulator.connect(nonce="n-1")
    refreshed = emulator.refresh(tokens["refresh_token"]).json()
    claims = verified_claims(emulator, refreshed["id_token"])
    assert "nonce" not in claims and claims["sub"] == ALEX.sub


def test_tampered_id_token_fails_verification(emulator):
    header, payload, signature = emulator.connect()["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        verified_claims(emulator, ".".join([header, forged_payload, signature]))


def test_openid_only_id_token_has_no_realm(emulator):
    tokens = emulator.connect(scope="openid email", realm_id=None)
    assert "realmid" not in verified_claims(emulator, tokens["id_token"])
