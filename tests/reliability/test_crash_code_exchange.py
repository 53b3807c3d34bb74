"""Row 19: the database write fails after a successful code exchange. The tokens we received are revoked
at Intuit, no half-written connection is left, and the admin is asked to try again."""
from __future__ import annotations

import sqlite3

import pytest

from qbo.accounts import store as accounts
from qbo.connection.store import get_connection
from qbo.storage.db import get_db
from tests.conftest import ALEX, REALM_1, REALM_2
from tests.support.intuit_signin import path_and_query, sign_in_at_intuit

PAGE = "/settings/integrations/"


def _locked(*_args, **_kwargs):
    raise sqlite3.OperationalError("database is locked")


def snapshot(app) -> dict:
    with app.app_context():
        db = get_db()
        return {
            "connections": [dict(r) for r in db.query("SELECT * FROM connections ORDER BY id")],
            "pending_revocations": [dict(r) for r in db.query("SELECT * FROM pending_revocations")],
            "realm_settings": [dict(r) for r in db.query("SELECT * FROM realm_settings")],
        }


def sign_in_through_failing_write(admin, monkeypatch, target: str, realm_id: str, intent: str):
    back = sign_in_at_intuit(admin.start_connect(intent), ALEX, realm_id)
    monkeypatch.setattr(target, _locked)
    try:
        return admin.client.get(path_and_query(back))
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("target", ["qbo.connection.lifecycle.save_qbo_connection", "qbo.connection.sign_in_store._upsert"])
def test_failed_write_after_exchange_revokes_and_asks_to_try_again(app, admin, intuit, monkeypatch, caplog, target):
    response = sign_in_through_failing_write(admin, monkeypatch, target, REALM_1, "connect")
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    page = admin.client.get(PAGE).get_data(as_text=True)
    assert "Connection Failed." in page and "try again" in page
    assert "could not be saved" in page

    assert [c["status"] for c in intuit.calls("token")] == [200], "the code was exchanged once"
    assert [c["status"] for c in intuit.calls("revoke")] == [200]
    grants = intuit.grants(REALM_1)
    assert len(grants) == 1 and grants[0]["revoked"] and grants[0]["revoked_reason"] == "revoked by the app"
    assert snapshot(app)["connections"] == [], "no half-written connection row"
    with app.app_context():
        failed = [dict(r) for r in get_db().query("SELECT action, realm_id FROM audit_events")]
    assert failed == [{"action": "connect_failed", "realm_id": None}]
    assert any("Storing the QuickBooks connection failed: OperationalError" in r.getMessage() for r in caplog.records)

    # Trying again works.
    assert admin.connect(ALEX, REALM_1).status_code == 302
    with app.app_context():
        company_id = accounts.find_company_by_name(get_db(), "Acme Construction").id
        assert get_connection(get_db(), company_id).state.value == "connected"


def test_failed_write_during_switch_leaves_the_old_connection_working(app, admin, intuit, monkeypatch):
    assert admin.connect(ALEX, REALM_1).status_code == 302
    before = snapshot(app)
    # The transaction that fails would also have queued REALM_1's grant for revocation: all of it rolls back.
    response = sign_in_through_failing_write(admin, monkeypatch, "qbo.connection.sign_in_store._upsert", REALM_2, "switch")
    assert response.status_code == 302
    assert "Connection Failed." in admin.client.get(PAGE).get_data(as_text=True)
    assert snapshot(app) == before
    assert not intuit.grants(REALM_1)[0]["revoked"], "the old grant is still live"
    assert intuit.grants(REALM_2)[0]["revoked"], "the new grant was handed back"
    card = admin.post("/settings/integrations/qbo/check", {"force": "1"}, htmx=True).get_data(as_text=True)
    assert 'data-state="connected"' in card


def test_failed_write_and_failed_revoke_still_leave_nothing_behind(app, admin, intuit, monkeypatch):
    intuit.fail_next("500", "revoke")
    response = sign_in_through_failing_write(admin, monkeypatch, "qbo.connection.sign_in_store._upsert", REALM_1, "connect")
    assert response.status_code == 302
    assert "try again" in admin.client.get(PAGE).get_data(as_text=True)
    assert [c["status"] for c in intuit.calls("revoke")] == [500]
    assert snapshot(app)["connections"] == []
