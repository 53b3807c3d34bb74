"""Webhook and Disconnect URL fixtures: an app with a known verifier token, signed deliveries, the app on a port."""
from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from app import create_app
from qbo.accounts import store as accounts
from qbo.connection.webhook_store import events_of
from qbo.intuit.webhooks import sign
from qbo.storage.db import get_db
from tests.conftest import ALEX, CLIENT_ID, CLIENT_SECRET, REALM_1, TEST_REDIRECT_URI, app_config, seed_accounts
# Acme connected to Keystone with its demo records (and `acme`: every mapping in place), as the sync tests set it up.
from tests.sync.conftest import acme, acme_with_records  # noqa: F401 - fixtures
from tests.support.live_server import serve

VERIFIER = "test-verifier-token-7f3a"
DISCONNECT_URI = "http://127.0.0.1:5999/intuit/disconnected/callback"
WEBHOOK_PATH = "/intuit/webhooks"


@pytest.fixture
def app(tmp_path, intuit):
    """The test app with a verifier token of its own and the Disconnect URL's redirect URI registered at Intuit."""
    intuit.post("clients", {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                            "redirect_uris": [TEST_REDIRECT_URI, DISCONNECT_URI]})
    app = create_app(app_config(tmp_path, intuit.url, INTUIT_WEBHOOK_VERIFIER_TOKEN=VERIFIER,
                                INTUIT_DISCONNECT_REDIRECT_URI=DISCONNECT_URI))
    with app.app_context():
        seed_accounts(get_db())
    return app


@pytest.fixture
def acme_on_keystone(admin):
    """Acme's admin, signed in and connected to Keystone (realm 1)."""
    admin.connect(ALEX, REALM_1)
    return admin


def company_id(app, name: str = "Acme Construction") -> int:
    with app.app_context():
        return accounts.find_company_by_name(get_db(), name).id


def cloudevent(realm_id: str, entity: str, entity_id: str, operation: str = "deleted", event_id: str | None = None,
               **extra) -> dict:
    return {"specversion": "1.0", "id": event_id or f"evt-{realm_id}-{entity}-{entity_id}-{operation}",
            "source": "intuit.test", "type": f"qbo.{entity.lower()}.{operation}.v1",
            "datacontenttype": "application/json", "time": "2026-11-20T10:00:00.000Z",
            "intuitentityid": entity_id, "intuitaccountid": realm_id, "data": {}, **extra}


def legacy(*notifications: tuple[str, list[dict]]) -> dict:
    return {"eventNotifications": [{"realmId": realm_id, "dataChangeEvent": {"entities": entities}}
                                   for realm_id, entities in notifications]}


SIGNED = "<sign the body>"


def post_signed(client, payload: object, token: str = VERIFIER, raw: bytes | None = None,
                signature: str | None = SIGNED):
    """POST a delivery the way Intuit does: the raw JSON body and its intuit-signature (None: no header)."""
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["intuit-signature"] = sign(body, token) if signature == SIGNED else signature
    return client.post(WEBHOOK_PATH, data=body, headers=headers)


def stored_events(app, name: str = "Acme Construction") -> list[dict]:
    with app.app_context():
        return events_of(get_db(), company_id(app, name))


def table_count(app, table: str) -> int:
    with app.app_context():
        return get_db().execute(f"SELECT COUNT(*) FROM [{table}]").fetchone()[0]


def wait_until(predicate: Callable[[], object], timeout: float = 8.0) -> object:
    """Poll until predicate() is truthy (the emulator delivers from a background thread)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


@pytest.fixture
def live_app(app):
    """The app on a loopback port, so the emulator's webhook sender can reach it."""
    server = serve(app)
    yield server
    server.stop()
