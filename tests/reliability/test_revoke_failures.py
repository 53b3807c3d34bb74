"""Row 22: disconnect always succeeds locally, even when Intuit's revoke endpoint fails; the revoke is queued
and a later `flask retry-revocations` delivers it."""
from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from freezegun import freeze_time

from qbo.accounts import store as accounts
from qbo.connection.store import get_connection, stored_tokens
from qbo.storage.db import get_db
from qbo.storage.timeutil import from_db, utcnow
from tests.conftest import ALEX, REALM_1
from tests.reliability.support_mp import (
    find_leaks,
    flask_cli,
)

DISCONNECT = "/settings/integrations/qbo/disconnect"


def queue(app) -> list[dict]:
    with app.app_context():
        return [dict(r) for r in get_db().query("SELECT * FROM pending_revocations")]


@pytest.mark.parametrize("fault, seconds, htmx", [
    ("500", None, True), ("500", None, False), ("503", None, True), ("timeout", 1.5, True),
    ("drop_after_commit", 1.5, True),
], ids=["500-htmx", "500-form", "503-htmx", "timeout-htmx", "drop_after_commit-htmx"])
def test_disconnect_succeeds_when_revoke_fails_and_retry_delivers(app, admin, intuit, caplog, fault, seconds, htmx):
    assert admin.connect(ALEX, REALM_1).status_code == 302
    refresh_token = intuit.grants(REALM_1)[0]["latest_refresh_token"]
    with app.app_context():
        company_id = accounts.find_company_by_name(get_db(), "Acme Construction").id
    intuit.fail_next(fault, "revoke", seconds=seconds)

    response = admin.post(DISCONNECT, htmx=htmx, follow_redirects=not htmx)
    assert response.status_code == 200
    if htmx:
        assert json.loads(response.headers["HX-Trigger"])["toast"]["message"] == "Integration disconnected successfully."
        assert 'data-state="not_connected"' in response.get_data(as_text=True)
    else:
        assert "Integration disconnected successfully." in response.get_data(as_text=True)
    with app.app_context():
        db = get_db()
        connection = get_connection(db, company_id)
        row = db.execute("SELECT access_token_enc, refresh_token_enc FROM connections").fetchone()
        assert stored_tokens(db, app.extensions["token_cipher"], company_id) is None
        actions = [r["action"] for r in db.query("SELECT action FROM audit_events ORDER BY id")]
    assert connection.state.value == "disconnected" and tuple(row) == (None, None)
    assert actions == ["connected", "disconnected", "revoke_failed"]
    pending = queue(app)
    assert len(pending) == 1 and pending[0]["attempts"] == 1
    assert from_db(pending[0]["next_attempt_at"]) > utcnow(), "retried later, with back-off"
    with app.app_context():
        assert app.extensions["token_cipher"].decrypt(pending[0]["token_enc"]) == refresh_token

    not_yet = flask_cli(app, "retry-revocations")
    assert "delivered: 0; still pending: 1" in not_yet.output
    with freeze_time(utcnow() + timedelta(minutes=3), tick=True):
        later = flask_cli(app, "retry-revocations")
    assert later.exit_code == 0 and "delivered: 1; still pending: 0" in later.output
    assert queue(app) == []
    assert intuit.grants(REALM_1)[0]["revoked"]
    statuses = [c["status"] for c in intuit.calls("revoke")]
    # drop_after_commit: Intuit revoked on the first call, so the retry finds nothing left (400 = done).
    assert statuses[-1] == (400 if fault == "drop_after_commit" else 200) and len(statuses) == 2
    logged = " ".join(r.getMessage() for r in caplog.records) + not_yet.output + later.output
    assert find_leaks(logged, {"refresh token": refresh_token}) == []


def test_repeated_revoke_failures_back_off_and_give_up(app, admin, intuit):
    assert admin.connect(ALEX, REALM_1).status_code == 302
    intuit.fail_next("500", "revoke", count=20)
    admin.post(DISCONNECT, htmx=True)
    waits, now = [], utcnow()
    for _ in range(12):
        pending = queue(app)
        if not pending:
            break
        due = from_db(pending[0]["next_attempt_at"])
        waits.append(due - now)
        now = due + timedelta(seconds=1)
        with freeze_time(now, tick=True):
            flask_cli(app, "retry-revocations")
    assert queue(app) == [], "the queue does not grow without bound"
    assert waits == sorted(waits) and waits[-1] <= timedelta(hours=12)
    assert len(intuit.calls("revoke")) == 9  # the first try plus eight retries


def test_abandoned_revocation_leaves_a_trail(app, admin, intuit, caplog):
    assert admin.connect(ALEX, REALM_1).status_code == 302
    intuit.fail_next("500", "revoke", count=20)
    admin.post(DISCONNECT, htmx=True)
    for _ in range(12):
        pending = queue(app)
        if not pending:
            break
        with freeze_time(from_db(pending[0]["next_attempt_at"]) + timedelta(seconds=1), tick=True):
            flask_cli(app, "retry-revocations")
    assert queue(app) == []
    with app.app_context():
        actions = [r["action"] for r in get_db().query("SELECT action FROM audit_events ORDER BY id")]
    trail = [a for a in actions if a not in ("connected", "disconnected", "revoke_failed")]
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith(("qbo", "inbuild"))]
    assert trail or warnings, "giving up on a revocation is recorded somewhere"
