"""Row 5 / 21: every id_token Intuit hands back is validated in full; a bad one stores nothing and is revoked."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from qbo.accounts import store as accounts
from qbo.connection.store import get_connection
from qbo.storage.db import get_db
from tests.conftest import ALEX, REALM_1

PAGE = "/settings/integrations/"
ACCEPTED = "iat_future_90s"  # skewed, but inside the 2-minute leeway
REJECTED = (
    "wrong_iss", "wrong_aud", "aud_string", "expired", "iat_future_10m", "wrong_nonce", "no_nonce",
    "alg_none", "hs256", "other_key", "wrong_realmid",
)


def tamper(intuit, mutation: str, **extra) -> None:
    intuit.post("id-token-tamper", {"mutation": mutation, "count": 1, **extra})


def acme_connection(app):
    with app.app_context():
        db = get_db()
        return get_connection(db, accounts.find_company_by_name(db, "Acme Construction").id)


def page_after(admin, response) -> str:
    """The page the admin ends up on after the callback (the 400 page, or the redirect target)."""
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        return response.get_data(as_text=True)
    assert urlsplit(response.headers["Location"]).path == PAGE
    return admin.client.get(PAGE).get_data(as_text=True)


def assert_refused_and_revoked(app, admin, intuit, response) -> None:
    html = page_after(admin, response)
    assert "Connection Failed." in html
    assert acme_connection(app) is None
    grants = intuit.grants(REALM_1)
    assert len(grants) == 1 and grants[0]["revoked"], grants
    assert [c["status"] for c in intuit.calls("revoke")] == [200]
    assert intuit.calls("userinfo") == [] and intuit.calls("api") == []  # nothing used the unvalidated tokens


@pytest.mark.parametrize("mutation", REJECTED)
def test_tampered_id_token_is_refused_and_its_grant_revoked(app, admin, intuit, mutation):
    tamper(intuit, mutation)
    assert_refused_and_revoked(app, admin, intuit, admin.connect(ALEX, REALM_1))


def test_id_token_for_another_audience_is_refused_even_with_our_azp(app, admin, intuit):
    tamper(intuit, "wrong_aud_with_azp")
    assert_refused_and_revoked(app, admin, intuit, admin.connect(ALEX, REALM_1))


def test_iat_90_seconds_ahead_is_within_leeway(app, admin, intuit):
    tamper(intuit, ACCEPTED)
    response = admin.connect(ALEX, REALM_1)
    assert response.status_code == 302 and response.headers["Location"].startswith("/settings/integrations/qbo/")
    assert acme_connection(app).realm_id == REALM_1
    assert not intuit.grants(REALM_1)[0]["revoked"]


def lookalike_issuers(url: str) -> list[str]:
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port
    return [
        f"{url}/op/v1/",                                  # trailing slash
        f"{url}/OP/v1",                                   # case
        f"https://{host}:{port}/op/v1",                   # other scheme
        f"http://{host}:{port + 1}/op/v1",                # other port
        f"http://localhost:{port}/op/v1",                 # same machine, other name
        f"http://{host}.evil.example:{port}/op/v1",       # look-alike suffix domain
        "https://oauth.platform.intuit.com/op/v1",        # real Intuit, but not this environment
    ]


@pytest.mark.parametrize("index", range(7))
def test_issuer_must_equal_the_discovery_issuer_exactly(app, admin, intuit, index):
    assert requests.get(intuit.url + "/.well-known/openid_configuration", timeout=5).json()["issuer"] == (
        intuit.url + "/op/v1")
    tamper(intuit, "wrong_iss", value=lookalike_issuers(intuit.url)[index])
    assert_refused_and_revoked(app, admin, intuit, admin.connect(ALEX, REALM_1))


def test_issuer_is_taken_from_discovery_not_from_the_token(app, admin, intuit):
    """A genuine, correctly signed token is refused once the discovery issuer the app pinned differs."""
    with app.app_context():
        client = app.extensions["qbo_oauth"].create_client("qbo")
        client.load_server_metadata()
        pinned = client.server_metadata["issuer"]
        client.server_metadata["issuer"] = pinned + ".example"
    try:
        assert_refused_and_revoked(app, admin, intuit, admin.connect(ALEX, REALM_1))
    finally:
        client.server_metadata["issuer"] = pinned
