"""Intuit's own client library and python-quickbooks work against the emulator unchanged."""
from __future__ import annotations

import pytest
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from quickbooks import QuickBooks
from quickbooks.exceptions import AuthorizationException
from quickbooks.objects.company_info import CompanyInfo

from tests.emulator.emulator_helpers import (
    ALEX, CLIENT_ID, CLIENT_SECRET, KEYSTONE, REDIRECT_URI, query_of,
)

SCOPES = [Scopes.ACCOUNTING, Scopes.OPENID, Scopes.EMAIL, Scopes.PROFILE]


def intuit_client(emulator) -> AuthClient:
    """intuitlib pointed at the emulator purely through its discovery URL."""
    return AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI,
                      environment=f"{emulator.url}/.well-known/openid_configuration")


def sign_in_like_a_browser(emulator, authorization_url: str) -> dict[str, str]:
    page = emulator.http.get(authorization_url)
    response = emulator.submit_sign_in(page, ALEX.email, ALEX.password, KEYSTONE)
    assert response.status_code == 302
    return query_of(response.headers["Location"])


@pytest.fixture
def connected(emulator) -> AuthClient:
    """An intuitlib client that has completed the whole connect flow."""
    auth_client = intuit_client(emulator)
    callback = sign_in_like_a_browser(emulator, auth_client.get_authorization_url(SCOPES))
    assert callback["state"] == auth_client.state_token
    auth_client.get_bearer_token(callback["code"], realm_id=callback["realmId"])
    return auth_client


def test_intuitlib_reads_the_discovery_document(emulator):
    auth_client = intuit_client(emulator)
    assert auth_client.auth_endpoint == f"{emulator.url}/connect/oauth2"
    assert auth_client.issuer_uri == f"{emulator.url}/op/v1"
    assert auth_client.get_authorization_url(SCOPES).startswith(f"{emulator.url}/connect/oauth2?")


def test_intuitlib_full_flow(emulator, connected):
    assert connected.realm_id == KEYSTONE
    assert connected.access_token and connected.refresh_token.startswith("RT1-")
    assert connected.expires_in == 3600 and connected.x_refresh_token_expires_in == 8726400
    # intuitlib only keeps an id_token that passed its own iss, aud[0], exp and RS256 checks.
    assert connected.id_token is not None

    user = connected.get_user_info().json()
    assert user["email"] == ALEX.email and user["givenName"] == "Alex"

    old_refresh_token = connected.refresh_token
    connected.refresh()
    assert connected.refresh_token != old_refresh_token
    assert connected.id_token is not None

    assert connected.revoke() is True
    with pytest.raises(AuthClientError) as failure:
        connected.refresh()
    assert failure.value.status_code == 400
    assert failure.value.intuit_tid


def test_intuitlib_sees_intuit_errors(emulator):
    auth_client = intuit_client(emulator)
    with pytest.raises(AuthClientError) as failure:
        auth_client.get_bearer_token("AB11-not-a-code", realm_id=KEYSTONE)
    assert failure.value.status_code == 400
    assert b'"invalid_grant"' in failure.value.content


def quickbooks_client(emulator, auth_client: AuthClient, monkeypatch) -> QuickBooks:
    """python-quickbooks with only its API base URL swapped for the emulator's."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the emulator speaks plain http
    client = QuickBooks(auth_client=auth_client, refresh_token=auth_client.refresh_token,
                        company_id=auth_client.realm_id, minorversion=75)
    client.api_url_v3 = f"{emulator.url}/v3"
    return client


def test_python_quickbooks_reads_company_info(emulator, connected, monkeypatch):
    client = quickbooks_client(emulator, connected, monkeypatch)
    info = CompanyInfo.get(KEYSTONE, qb=client)
    assert info.CompanyName == "Keystone Builders LLC"
    assert info.CompanyAddr.City == "Philadelphia"
    listed = CompanyInfo.all(qb=client)
    assert [company.Id for company in listed] == [KEYSTONE]


def test_python_quickbooks_sees_a_disconnect_as_401(emulator, connected, monkeypatch):
    client = quickbooks_client(emulator, connected, monkeypatch)
    emulator.control("POST", f"api/realms/{KEYSTONE}/disconnect")
    with pytest.raises(AuthorizationException):
        CompanyInfo.get(KEYSTONE, qb=client)
