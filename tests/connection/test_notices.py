"""Notices when a connection breaks and when it works again: one per incident, by e-mail to the admins (a
local SMTP server the test starts), and a banner on every page for the company's admins."""
from __future__ import annotations

import email
import email.policy
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from qbo.accounts import store as accounts
from qbo.connection.checks import check_connection
from qbo.connection.state import StoredState
from qbo.connection.store import get_connection, set_state
from qbo.jobs.health_tasks import announce_incidents
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from tests.conftest import ALEX, REALM_1
from tests.support.session_lapse import lapse_refresh_token


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, f"Subject: {message['Subject']}\n{message.get_content()}"))
        return "250 OK"


@pytest.fixture
def inbox(app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="inbuild@acme.test")
    yield handler
    controller.stop()


@pytest.fixture
def connected(app, admin):
    admin.connect(ALEX, REALM_1)
    with app.app_context():
        yield accounts.find_company_by_name(get_db(), "Acme Construction").id


def test_an_expiry_is_announced_once_to_the_admins_and_its_end_once(app, connected, inbox, intuit):
    db = get_db()
    lapse_refresh_token(app, intuit, connected, REALM_1)
    check_connection(db, connected, force=True)
    assert get_connection(db, connected).state is StoredState.EXPIRED
    assert announce_incidents() == 1
    assert announce_incidents() == 0  # still the same incident: no second message
    set_state(db, connected, StoredState.CONNECTED, utcnow())
    assert announce_incidents() == 1
    (to_first, first), (to_second, second) = inbox.messages
    assert to_first == ["admin@acme.test"] and "Subject: QuickBooks Online needs you to reconnect" in first
    assert "Reconnect" in first and "staff@acme.test" not in to_first
    assert "Subject: QuickBooks Online works again" in second
    assert "token" not in first.lower()


def test_without_mail_settings_nothing_is_sent_and_the_incident_is_still_kept(connected, app, intuit):
    db = get_db()
    set_state(db, connected, StoredState.ERROR, utcnow(), error="QuickBooks is unavailable (HTTP 503).")
    assert announce_incidents() == 0
    rows = list(db.query("SELECT kind, reason, closed_at FROM connection_incidents"))
    assert rows == [{"kind": "error", "reason": "QuickBooks is unavailable (HTTP 503).", "closed_at": None}]


def test_a_disconnect_inside_quickbooks_is_announced_once_and_the_reconnect_too(connected, admin, inbox, intuit):
    db = get_db()
    intuit.disconnect_realm(REALM_1)
    intuit.expire_access_token(REALM_1)
    check_connection(db, connected, force=True)  # the refused refresh finds out
    assert get_connection(db, connected).state is StoredState.DISCONNECTED
    assert announce_incidents() == 1
    assert announce_incidents() == 0
    admin.connect(ALEX, REALM_1, intent="reconnect")
    assert announce_incidents() == 1
    (to_first, first), (_, second) = inbox.messages
    assert to_first == ["admin@acme.test"]
    assert "Subject: QuickBooks Online was disconnected inside QuickBooks" in first and "Reconnect" in first
    assert "Subject: QuickBooks Online works again" in second
    admin.post("/settings/integrations/qbo/disconnect", htmx=True)  # the admin's own disconnect: no notice
    assert announce_incidents() == 0 and len(inbox.messages) == 2


def test_a_disconnect_by_the_admin_closes_the_incident_quietly(connected, inbox, intuit):
    from qbo.connection.lifecycle import disconnect

    db = get_db()
    set_state(db, connected, StoredState.ERROR, utcnow(), error="down")
    announce_incidents()
    disconnect(db, connected, user_id=1)
    assert announce_incidents() == 0 and len(inbox.messages) == 1


def test_admins_see_a_banner_on_other_pages_while_the_session_is_expired(app, admin, intuit):
    admin.connect(ALEX, REALM_1)
    with app.app_context():
        company_id = accounts.find_company_by_name(get_db(), "Acme Construction").id
        set_state(get_db(), company_id, StoredState.EXPIRED, utcnow() - timedelta(seconds=1))
    records = admin.client.get("/records/bills").get_data(as_text=True)
    assert 'data-testid="qbo-attention"' in records and "session has expired" in records
    assert 'data-testid="qbo-attention"' not in admin.client.get("/settings/integrations/").get_data(as_text=True)
