"""Rows 10 and 11: no token, authorization code, PKCE verifier, client secret or key ever shows up in a log
record, a page, an htmx fragment, a header (flash cookie, HX-Trigger, Location), an error payload or CLI output.

Every value the emulator issued during the test is a canary; each is searched raw, URL-encoded and base64.
"""
from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from freezegun import freeze_time

from qbo.accounts import store as accounts
from qbo.connection.store import StoredTokens
from qbo.connection.tokens import token_set_from_response
from qbo.storage.db import get_db, immediate
from qbo.storage.timeutil import to_db, utcnow
from tests.conftest import ALEX, CLIENT_SECRET, REALM_1
from tests.reliability.support_mp import (
    emulator_issued_secrets,
    find_leaks,
    flask_cli,
    label_for,
)
from tests.support.intuit_signin import path_and_query, sign_in_at_intuit

PAGE = "/settings/integrations/"
CHECK = "/settings/integrations/qbo/check"
DISCONNECT = "/settings/integrations/qbo/disconnect"
CARD_STATE = re.compile(r'id="qbo-card"[^>]*data-state="([a-z_]+)"')


class Recorder:
    """Keeps every response (body, headers, and the decoded session cookie) a test client receives."""

    def __init__(self, app, client):
        self.app, self.client = app, client
        self.items: list[tuple[str, bytes]] = []
        self._open = client.open
        client.open = self.open
        self._serializer = app.session_interface.get_signing_serializer(app)

    def open(self, *args, **kwargs):
        response = self._open(*args, **kwargs)
        where = f"{response.request.method} {response.request.path} -> {response.status_code}"
        self.items.append((f"{where} body", response.get_data()))
        self.items.append((f"{where} headers", str(response.headers).encode()))
        cookie = self.client.get_cookie(self.app.config["SESSION_COOKIE_NAME"])
        if cookie is not None:
            session = self._serializer.loads(cookie.value)
            self.items.append((f"{where} session cookie", json.dumps(session, default=str).encode()))
        return response


def card_state(response) -> str:
    return CARD_STATE.search(response.get_data(as_text=True)).group(1)


def pending_verifiers(app) -> list[str]:
    with app.app_context():
        rows = get_db().query("SELECT value FROM oauth_state_cache WHERE key LIKE '_state_qbo_%'")
        return [json.loads(r["value"])["data"]["code_verifier"] for r in rows]


def test_no_secret_in_logs_pages_fragments_headers_or_errors(app, admin, intuit, emulator, caplog):
    caplog.set_level(logging.DEBUG)  # the root logger: every logger that does not pin its own level
    recorder = Recorder(app, admin.client)
    with app.app_context():
        company_id = accounts.find_company_by_name(get_db(), "Acme Construction").id
    verifiers, codes, cli_output = [], [], []

    def connect(intent="connect", action="authorize"):
        url = admin.start_connect(intent)
        verifiers.extend(pending_verifiers(app))
        back = sign_in_at_intuit(url, ALEX, REALM_1, action=action)
        codes.extend(parse_qs(urlsplit(back).query).get("code", []))
        admin.client.get(path_and_query(back), follow_redirects=True)
        return back

    def visit_everything():
        admin.client.get("/settings/")
        admin.client.get(PAGE)
        admin.client.get("/settings/integrations/qbo/card", headers={"HX-Request": "true"})
        admin.client.get("/settings/integrations/qbd/card", headers={"HX-Request": "true"})
        admin.client.get("/settings/integrations/qbo/settings", follow_redirects=True)
        admin.client.get("/settings/integrations/qbo/setup/", follow_redirects=True)
        admin.client.get("/no-such-page")

    def check(htmx=True):
        return admin.post(CHECK, {"force": "1"}, htmx=htmx, follow_redirects=not htmx)

    def expire_locally():
        with app.app_context():
            db = get_db()
            with immediate(db):
                db.execute("UPDATE connections SET access_expires_at = ?, refresh_cooldown_until = NULL "
                           "WHERE company_id = ?", [to_db(utcnow() - timedelta(minutes=1)), company_id])

    # Connect, set up, replay the used callback (its URL carries the spent code).
    back = connect()
    admin.post("/settings/integrations/qbo/setup/", {"sync_bills": "1", "sync_start_date": "2026-01-01"},
               follow_redirects=True)
    assert admin.client.get(path_and_query(back)).status_code == 400
    visit_everything()
    # Refresh after a 401, and a proactive refresh through the non-htmx form.
    intuit.expire_access_token(REALM_1)
    assert card_state(check()) == "connected"
    expire_locally()
    assert check(htmx=False).status_code == 200
    # 5xx from the API and from the token endpoint; a timeout; then recovery.
    intuit.fail_next("500", "api")
    assert card_state(check()) == "error"
    expire_locally()
    intuit.fail_next("500", "token")
    assert card_state(check()) == "error"
    expire_locally()  # (also ends the cooldown)
    intuit.fail_next("503", "token")
    assert card_state(check()) == "error"
    expire_locally()
    intuit.fail_next("timeout", "api", seconds=1.5)
    assert card_state(check()) == "error"
    assert card_state(check()) == "connected"
    visit_everything()
    # Disconnect; reconnect; a disconnect whose revoke fails, retried later from the CLI.
    admin.post(DISCONNECT, htmx=True)
    connect("reconnect")
    intuit.fail_next("500", "revoke")
    admin.post(DISCONNECT, follow_redirects=True)
    visit_everything()
    with freeze_time(utcnow() + timedelta(minutes=5), tick=True):
        result = flask_cli(app, "retry-revocations")
    cli_output.append(result.output)
    assert "delivered: 1" in result.output
    # Reconnect, then Intuit-side disconnect: 401, refresh refused (invalid_grant), disconnected inside QuickBooks.
    connect("reconnect")
    intuit.disconnect_realm(REALM_1)
    assert card_state(check()) == "not_connected"
    visit_everything()
    # A cancelled sign-in, and one whose code exchange fails at Intuit.
    connect("reconnect", action="cancel")
    intuit.fail_next("500", "token")
    connect("reconnect")
    visit_everything()

    secrets = emulator_issued_secrets(emulator)
    for grant in intuit.grants():
        secrets[label_for("refresh_token", grant["latest_refresh_token"])] = grant["latest_refresh_token"]
    secrets.update({label_for("code_verifier", v): v for v in verifiers})
    secrets.update({label_for("code", c): c for c in codes})
    secrets["client_secret"] = CLIENT_SECRET
    secrets["SECRET_KEY"] = app.config["SECRET_KEY"]
    secrets.update({f"encryption key {k.partition(':')[0]}": k.partition(":")[2]
                    for k in app.config["TOKEN_ENCRYPTION_KEYS"]})
    kinds = [label.split(":")[0] for label in secrets]
    assert kinds.count("access_token") >= 6 and kinds.count("refresh_token") >= 6
    assert len(verifiers) == 5 and len(codes) == 4  # four sign-ins reached the callback with a code

    leaks = []
    formatter = logging.Formatter()
    for record in caplog.records:
        text = record.getMessage() + repr(record.args)
        if record.exc_info:
            text += formatter.formatException(record.exc_info)
        text += record.stack_info or ""
        leaks += [f"log {record.name}:{record.levelname} {label}" for label in find_leaks(text, secrets)]
    for where, data in recorder.items:
        leaks += [f"{where}: {label}" for label in find_leaks(data, secrets)]
    for output in cli_output:
        leaks += [f"CLI output: {label}" for label in find_leaks(output, secrets)]
    with app.app_context():
        db = get_db()
        stored_text = json.dumps([
            [dict(r) for r in db.query("SELECT * FROM audit_events")],
            [dict(r) for r in db.query("SELECT last_error, company_name, qbo_user_name FROM connections")],
            [dict(r) for r in db.query("SELECT last_error FROM pending_revocations")],
        ])
    leaks += [f"stored error/audit text: {label}" for label in find_leaks(stored_text, secrets)]
    print(f"\ncanary: {len(secrets)} secrets x {len(caplog.records)} log records, "
          f"{len(recorder.items)} response parts, {len(cli_output)} CLI outputs: {len(leaks)} occurrences")
    assert leaks == []
    # The capture really saw debug records, the audit trail and the bodies it searched.
    assert any(r.levelno == logging.DEBUG for r in caplog.records)
    assert any(r.name == "inbuild.audit" for r in caplog.records)
    assert len(recorder.items) > 100


def test_authlib_logger_stays_above_debug_because_it_logs_the_pkce_verifier(app):
    # authlib's sync_app logs "Using code_verifier: ..." at DEBUG; the app pins authlib to INFO.
    assert logging.getLogger("authlib").getEffectiveLevel() >= logging.INFO


def test_token_holders_never_print_their_tokens():
    tokens = token_set_from_response({"access_token": "AT-canary-1234567890", "refresh_token": "RT-canary-0987654321"},
                                     utcnow())
    stored = StoredTokens("AT-canary-1234567890", "RT-canary-0987654321", 3)
    for holder in (tokens, stored):
        assert find_leaks(repr(holder) + str(holder), {"at": "AT-canary-1234567890", "rt": "RT-canary-0987654321"}) == []
