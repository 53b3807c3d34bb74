"""Test-only id_token tampering: each mutation breaks exactly the rule it names, once per planned use."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time

import jwt
import pytest
import requests

from qbo.emulator.tamper import MUTATIONS, OTHER_CLIENT, WRONG_ISSUER
from tests.emulator.emulator_helpers import CLIENT_ID, CLIENT_SECRET, KEYSTONE

NONCE = "nonce-sent-by-the-app"


def plan(emulator, mutation: str, count: int = 1, **extra) -> requests.Response:
    return emulator.control("POST", "api/id-token-tamper", json={"mutation": mutation, "count": count, **extra})


def jwks_key(emulator, id_token: str):
    keys = jwt.PyJWKSet.from_dict(requests.get(emulator.url + "/op/v1/jwks", timeout=10).json())
    return keys[jwt.get_unverified_header(id_token)["kid"]].key


def signed_claims(emulator, id_token: str) -> dict:
    """Claims of a token whose RS256 signature verifies against the JWKS (claims themselves unchecked)."""
    return jwt.decode(id_token, jwks_key(emulator, id_token), algorithms=["RS256"],
                      options={"verify_aud": False, "verify_exp": False, "verify_iat": False,
                               "verify_iss": False})


def unverified(id_token: str) -> dict:
    return jwt.decode(id_token, options={"verify_signature": False})


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def check_wrong_iss(emulator, token):
    assert signed_claims(emulator, token)["iss"] == WRONG_ISSUER


def check_wrong_aud(emulator, token):
    claims = signed_claims(emulator, token)
    assert claims["aud"] == [OTHER_CLIENT] and "azp" not in claims


def check_aud_string(emulator, token):
    assert signed_claims(emulator, token)["aud"] == OTHER_CLIENT


def check_wrong_aud_with_azp(emulator, token):
    claims = signed_claims(emulator, token)
    assert claims["aud"] == [OTHER_CLIENT] and claims["azp"] == CLIENT_ID


def check_expired(emulator, token):
    claims = signed_claims(emulator, token)
    assert claims["exp"] < time.time() - 120 and claims["iat"] < claims["exp"]


def check_iat_future_90s(emulator, token):
    claims = signed_claims(emulator, token)
    assert 80 <= claims["iat"] - time.time() <= 95 and claims["exp"] == claims["iat"] + 3600


def check_iat_future_10m(emulator, token):
    claims = signed_claims(emulator, token)
    assert 590 <= claims["iat"] - time.time() <= 605


def check_wrong_nonce(emulator, token):
    nonce = signed_claims(emulator, token)["nonce"]
    assert nonce and nonce != NONCE


def check_no_nonce(emulator, token):
    assert "nonce" not in signed_claims(emulator, token)


def check_alg_none(emulator, token):
    header, _, signature = token.split(".")
    assert jwt.get_unverified_header(token)["alg"] == "none" and signature == ""
    assert unverified(token)["nonce"] == NONCE


def check_hs256(emulator, token):
    header, payload, signature = token.split(".")
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    expected = hmac.new(CLIENT_SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(_b64decode(signature), expected)


def check_other_key(emulator, token):
    published_kid = requests.get(emulator.url + "/op/v1/jwks", timeout=10).json()["keys"][0]["kid"]
    assert jwt.get_unverified_header(token)["kid"] == published_kid
    with pytest.raises(jwt.InvalidSignatureError):
        signed_claims(emulator, token)
    assert unverified(token)["aud"] == [CLIENT_ID]


def check_wrong_realmid(emulator, token):
    claims = signed_claims(emulator, token)
    assert claims["realmid"] != KEYSTONE and claims["realmid"].isdigit()


CHECKS = {name.removeprefix("check_"): check for name, check in globals().items() if name.startswith("check_")}


def test_every_mutation_has_a_check():
    assert set(CHECKS) == set(MUTATIONS)


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutation_applies_to_the_next_id_token_only(emulator, mutation):
    assert plan(emulator, mutation).status_code == 201
    tampered = emulator.connect(nonce=NONCE)
    CHECKS[mutation](emulator, tampered["id_token"])
    assert emulator.control("GET", "api/id-token-tamper").json() == []
    clean = emulator.connect(nonce=NONCE)["id_token"]
    claims = jwt.decode(clean, jwks_key(emulator, clean), algorithms=["RS256"], audience=CLIENT_ID,
                        issuer=emulator.url + "/op/v1")
    assert claims["nonce"] == NONCE and claims["realmid"] == KEYSTONE


def test_count_covers_refresh_responses_too(emulator):
    tokens = emulator.connect(nonce=NONCE)
    plan(emulator, "alg_none", count=2)
    first = emulator.refresh(tokens["refresh_token"]).json()
    second = emulator.refresh(first["refresh_token"]).json()
    third = emulator.refresh(second["refresh_token"]).json()
    algorithms = [jwt.get_unverified_header(t["id_token"])["alg"] for t in (first, second, third)]
    assert algorithms == ["none", "none", "RS256"]


def test_wrong_iss_takes_a_chosen_issuer(emulator):
    lookalike = emulator.url + "/op/v1/"
    assert plan(emulator, "wrong_iss", value=lookalike).json()["value"] == lookalike
    assert signed_claims(emulator, emulator.connect()["id_token"])["iss"] == lookalike


def test_delete_and_reset_clear_the_plan(emulator):
    plan(emulator, "hs256", count=5)
    listed = emulator.control("GET", "api/id-token-tamper").json()
    assert [(t["mutation"], t["count"]) for t in listed] == [("hs256", 5)]
    assert emulator.control("DELETE", "api/id-token-tamper").json() == {"cleared": 1}
    plan(emulator, "hs256")
    emulator.control("POST", "api/reset")
    assert jwt.get_unverified_header(emulator.connect()["id_token"])["alg"] == "RS256"


@pytest.mark.parametrize("body, message", [
    ({"mutation": "sign_with_love"}, "mutation must be one of"),
    ({"mutation": "hs256", "count": 0}, "count must be >= 1"),
    ({"mutation": "hs256", "count": "many"}, "count must be a number"),
    ({"mutation": "expired", "value": "x"}, "only applies to wrong_iss"),
])
def test_bad_plans_are_refused(emulator, body, message):
    response = emulator.control("POST", "api/id-token-tamper", json=body)
    assert response.status_code == 400 and message in response.json()["error"]
    assert emulator.control("GET", "api/id-token-tamper").json() == []
