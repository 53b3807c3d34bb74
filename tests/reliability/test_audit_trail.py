"""Row 33: connection changes leave an audit row and one JSON log line each (UTC time, actor, company,
realm); CR/LF in a logged value cannot forge extra log lines."""
from __future__ import annotations

import io
import json
import logging
import re
import time
from datetime import datetime, timedelta, timezone

import pytest

from qbo.accounts import store as accounts
from qbo.connection import audit
from qbo.storage.db import get_db, immediate
from qbo.storage.timeutil import to_db, utcnow
from tests.conftest import ALEX, REALM_1, REALM_2
from tests.support.intuit_signin import path_and_query, sign_in_at_intuit

UTC_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
CHECK = "/settings/integrations/qbo/check"


def ids(app) -> tuple[int, int]:
    with app.app_context():
        db = get_db()
        company = accounts.find_company_by_name(db, "Acme Construction")
        return company.id, accounts.find_user_by_email(db, "admin@acme.test").id


def audit_rows(app) -> list[dict]:
    with app.app_context():
        return [dict(r) for r in get_db().query("SELECT * FROM audit_events ORDER BY id")]


def audit_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "inbuild.audit"]


def test_connection_lifecycle_is_audited_with_utc_time_actor_company_and_realm(app, admin, intuit, caplog):
    caplog.set_level(logging.INFO, logger="inbuild.audit")
    company_id, user_id = ids(app)
    started = datetime.now(timezone.utc) - timedelta(seconds=1)
    admin.connect(ALEX, REALM_1)
    admin.post("/settings/integrations/qbo/disconnect", htmx=True)
    admin.connect(ALEX, REALM_1, intent="reconnect")
    admin.connect(ALEX, REALM_2, intent="switch")
    back = sign_in_at_intuit(admin.start_connect("switch"), ALEX, REALM_1, action="cancel")
    admin.client.get(path_and_query(back))
    intuit.disconnect_realm(REALM_2)  # Intuit-side disconnect: the next check's refused refresh finds it
    assert 'data-state="not_connected"' in admin.post(CHECK, {"force": "1"}, htmx=True).get_data(as_text=True)
    finished = datetime.now(timezone.utc) + timedelta(seconds=1)

    rows = audit_rows(app)
    summary = [(r["action"], r["user_id"], r["company_id"], r["realm_id"]) for r in rows]
    assert summary == [
        ("connected", user_id, company_id, REALM_1),
        ("disconnected", user_id, company_id, REALM_1),
        ("reconnected", user_id, company_id, REALM_1),
        ("switched", user_id, company_id, REALM_2),
        ("connect_failed", user_id, company_id, None),  # a cancel carries no realm
        ("disconnected_in_quickbooks", None, company_id, REALM_2),  # what QuickBooks did, not this admin
    ]
    assert rows[3]["detail"] == f"from realm {REALM_1}"
    assert rows[4]["detail"] == "intuit error access_denied"
    for row in rows:
        assert UTC_STAMP.fullmatch(row["created_at"])
        stamp = datetime.strptime(row["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        assert started <= stamp <= finished
        assert row["provider"] == "qbo"
    lines = audit_lines(caplog)
    assert [{k: v for k, v in line.items() if k != "event"} for line in lines] == [
        {k: v for k, v in row.items() if k != "id"} for row in rows]


def test_audit_time_is_utc_whatever_the_local_zone(app, admin, monkeypatch):
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        assert time.localtime().tm_gmtoff != 0, "the process now runs in a zone away from UTC"
        before = datetime.now(timezone.utc) - timedelta(seconds=1)
        back = sign_in_at_intuit(admin.start_connect(), ALEX, REALM_1, action="cancel")
        admin.client.get(path_and_query(back))
        after = datetime.now(timezone.utc) + timedelta(seconds=1)
    finally:
        monkeypatch.undo()
        time.tzset()
    (row,) = audit_rows(app)
    stamp = datetime.strptime(row["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    assert before <= stamp <= after


def test_crlf_in_a_callback_parameter_yields_one_log_line(app, admin, caplog):
    caplog.set_level(logging.INFO, logger="inbuild.audit")
    url = admin.start_connect()
    state = re.search(r"[?&]state=([^&]+)", url).group(1)
    forged = "access_denied\r\n{\"event\": \"audit\", \"action\": \"connected\"}\n"
    admin.client.get("/settings/integrations/qbo/callback", query_string={"state": state, "error": forged})
    records = [r for r in caplog.records if r.name == "inbuild.audit"]
    assert len(records) == 1
    assert "\n" not in records[0].getMessage() and "\r" not in records[0].getMessage()
    assert json.loads(records[0].getMessage())["action"] == "connect_failed"


@pytest.mark.parametrize("separator", ["\r\n", "\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1e"])
def test_line_breaks_in_audited_values_are_escaped_in_the_log(app, separator):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("inbuild.audit")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    forged = f'x{separator}2026-01-01 00:00:00 INFO inbuild.audit {{"event": "audit", "action": "connected"}}'
    try:
        with app.app_context():
            db = get_db()
            company_id, user_id = ids(app)
            with immediate(db):
                audit.record(db, company_id, user_id, audit.DISCONNECTED, utcnow(), realm_id=f"1{separator}2",
                             detail=forged)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    output = stream.getvalue()
    assert output.splitlines() == [output.rstrip("\n")], "exactly one line, by every line-splitting rule"
    assert json.loads(output.split(" ", 4)[4])["detail"] == forged  # the value survives, escaped
    assert audit_rows(app)[-1]["detail"] == forged


def test_denied_authorization_is_audited(app, admin, make_client):
    admin.connect(ALEX, REALM_1)
    staff = make_client("staff@acme.test")
    assert staff.post("/settings/integrations/qbo/disconnect", htmx=True).status_code == 403
    assert "access_denied" in [r["action"] for r in audit_rows(app)]


def test_refresh_failure_is_audited(app, admin, intuit, caplog):
    caplog.set_level(logging.INFO)
    admin.connect(ALEX, REALM_1)
    company_id, _ = ids(app)
    with app.app_context():
        db = get_db()
        with immediate(db):
            db.execute("UPDATE connections SET access_expires_at = ? WHERE company_id = ?",
                       [to_db(utcnow() - timedelta(minutes=1)), company_id])
    intuit.fail_next("503", "token")
    assert 'data-state="error"' in admin.post(CHECK, {"force": "1"}, htmx=True).get_data(as_text=True)
    actions = [r["action"] for r in audit_rows(app)]
    logged = [r for r in caplog.records if r.name.startswith(("qbo", "inbuild")) and "refresh" in r.getMessage()]
    assert actions[-1] != "connected" or logged
