"""Discovery document and JWKS."""
from __future__ import annotations

import pytest
import requests

from qbo.emulator import create_emulator_app
from tests.support.live_server import serve


@pytest.mark.parametrize("path", [
    "/.well-known/openid_configuration", "/.well-known/openid_configuration/",
    "/.well-known/openid_sandbox_configuration", "/.well-known/openid_sandbox_configuration/",
])
def test_discovery_points_every_endpoint_at_the_emulator(emulator, path):
    response = requests.get(emulator.url + path, headers={"Accept": "application/json"})
    assert response.status_code == 200
    doc = response.json()
    base = emulator.url
    assert doc["issuer"] == f"{base}/op/v1"
    assert doc["authorization_endpoint"] == f"{base}/connect/oauth2"
    assert doc["token_endpoint"] == f"{base}/oauth2/v1/tokens/bearer"
    assert doc["userinfo_endpoint"] == f"{base}/v1/openid_connect/userinfo"
    assert doc["revocation_endpoint"] == f"{base}/v2/oauth2/tokens/revoke"
    assert doc["jwks_uri"] == f"{base}/op/v1/jwks"


def test_discovery_advertises_intuit_capabilities(emulator):
    doc = requests.get(emulator.url + "/.well-known/openid_configuration").json()
    assert doc["response_types_supported"] == ["code"]
    assert doc["subject_types_supported"] == ["public"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["token_endpoint_auth_methods_supported"] == ["client_secret_basic"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert {"openid", "email", "profile", "phone", "address", "com.intuit.quickbooks.accounting",
            "com.intuit.quickbooks.payment"} <= set(doc["scopes_supported"])
    assert {"sub", "aud", "iss", "realmid"} <= set(doc["claims_supported"])


def test_configured_base_url_wins_over_request_host(start_emulator):
    emulator = start_emulator(EMULATOR_BASE_URL="http://intuit.test:9999/")
    doc = requests.get(emulator.url + "/.well-known/openid_configuration").json()
    assert doc["issuer"] == "http://intuit.test:9999/op/v1"
    assert doc["token_endpoint"] == "http://intuit.test:9999/oauth2/v1/tokens/bearer"


def test_jwks_publishes_one_rs256_signing_key(emulator):
    keys = requests.get(emulator.url + "/op/v1/jwks").json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert key["kid"] and key["n"] and key["e"] == "AQAB"
    assert "d" not in key  # never the private part


def test_signing_key_survives_a_restart(tmp_path):
    config = {"EMULATOR_DATABASE": str(tmp_path / "state.sqlite3")}
    kids = []
    for _ in range(2):
        server = serve(create_emulator_app(config))
        try:
            kids.append(requests.get(server.url + "/op/v1/jwks").json()["keys"][0]["kid"])
        finally:
            server.stop()
    assert kids[0] == kids[1]


def test_memory_database_serves_threaded_requests(start_emulator):
    emulator = start_emulator(EMULATOR_DATABASE=":memory:")
    tokens = emulator.connect()
    assert emulator.refresh(tokens["refresh_token"]).status_code == 200


def test_responses_carry_intuit_tid(emulator):
    response = requests.get(emulator.url + "/.well-known/openid_configuration")
    assert response.headers["intuit_tid"].startswith("1-")
