"""Row 18: a crash (kill -9) between Intuit's token response and our commit, and a token response lost
after Intuit committed the rotation. Outcome: consistent tokens, or `expired` (needs reconnect) after
exactly one further token call; never a refresh loop; no plaintext left behind."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time

from qbo.accounts import store as accounts
from qbo.connection.store import get_connection, stored_tokens
from qbo.storage.db import get_db
from qbo.storage.faultpoints import AFTER_TOKEN_RESPONSE
from qbo.storage.timeutil import utcnow
from tests.conftest import ALEX, REALM_1, app_config
from tests.reliability.support_mp import (
    emulator_issued_secrets,
    expire_locally,
    find_leaks,
)

REPO = Path(__file__).resolve().parents[2]
PAGE = "/settings/integrations/"
CHECK = "/settings/integrations/qbo/check"


def company_id_of(app) -> int:
    with app.app_context():
        return accounts.find_company_by_name(get_db(), "Acme Construction").id


def token_columns(app, company_id: int) -> tuple:
    with app.app_context():
        return tuple(get_db().execute(
            "SELECT access_token_enc, refresh_token_enc, token_version FROM connections WHERE company_id = ?",
            [company_id]).fetchone())


def refresh_calls(intuit) -> list[dict]:
    return [c for c in intuit.calls("token") if c["grant_type"] == "refresh_token"]


def card_state(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('data-state="', 1)[1].split('"', 1)[0]


def assert_no_further_token_calls(admin, intuit, expected: int) -> None:
    """Checks, forced checks and page loads: none of them may call the token endpoint again."""
    for _ in range(3):
        assert admin.post(CHECK, {"force": "1"}, htmx=True).status_code == 200
        assert admin.post(CHECK, {"force": "1"}, follow_redirects=True).status_code == 200
        assert admin.client.get(PAGE).status_code == 200
    assert len(refresh_calls(intuit)) == expected


@pytest.mark.slow
@pytest.mark.parametrize("rotation, outcome", [("strict", "expired"), ("daily", "connected")])
def test_kill_between_token_response_and_commit(tmp_path, app, admin, intuit, emulator, rotation, outcome):
    assert admin.connect(ALEX, REALM_1).status_code == 302
    intuit.post("settings", {"rotation": rotation})
    company_id = company_id_of(app)
    expire_locally(app, company_id)
    before = token_columns(app, company_id)
    config = {**app_config(tmp_path, intuit.url, INTUIT_HTTP_TIMEOUT=1),
              "TOKEN_ENCRYPTION_KEYS": app.config["TOKEN_ENCRYPTION_KEYS"]}

    crashed = subprocess.run(
        [sys.executable, "-m", "tests.reliability.support_mp", "refresh-once", json.dumps(config), str(company_id)],
        cwd=REPO, env={**os.environ, "INBUILD_CRASH_AT": AFTER_TOKEN_RESPONSE},
        capture_output=True, text=True, timeout=60,
    )
    assert crashed.returncode == 137, crashed.stdout + crashed.stderr
    assert [c["status"] for c in refresh_calls(intuit)] == [200], "Intuit answered before the process died"
    assert token_columns(app, company_id) == before, "nothing was committed"
    secrets = emulator_issued_secrets(emulator)
    db_path = app.config["DATABASE"]
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db_path + suffix):
            assert find_leaks(Path(db_path + suffix).read_bytes(), secrets) == []
    assert find_leaks(crashed.stdout + crashed.stderr, secrets) == []

    # The next check waits out the dead process's lease, then refreshes once with the stored RT.
    response = admin.post(CHECK, {"force": "1"}, htmx=True)
    assert response.status_code == 200 and card_state(response) == outcome
    calls = refresh_calls(intuit)
    assert [c["status"] for c in calls] == [200, 400 if rotation == "strict" else 200]
    assert_no_further_token_calls(admin, intuit, expected=2)

    grant = intuit.grants(REALM_1)[0]
    with app.app_context():
        db = get_db()
        connection = get_connection(db, company_id)
        tokens = stored_tokens(db, app.extensions["token_cipher"], company_id)
        lease = tuple(db.execute("SELECT lease_owner, lease_until FROM connections").fetchone())
        expired_events = db.execute("SELECT count(*) FROM audit_events WHERE action = 'session_expired'").fetchone()[0]
    assert lease == (None, None)
    assert connection.state.value == outcome
    if rotation == "strict":
        assert "rejected" in connection.last_error and expired_events == 1
        assert token_columns(app, company_id) == before  # kept for the record; the admin must reconnect
    else:
        assert tokens.refresh_token == grant["latest_refresh_token"] and expired_events == 0


@pytest.mark.parametrize("rotation, outcome", [("strict", "expired"), ("daily", "connected")])
def test_token_response_dropped_after_intuit_committed(app, admin, intuit, rotation, outcome):
    assert admin.connect(ALEX, REALM_1).status_code == 302
    intuit.post("settings", {"rotation": rotation})
    company_id = company_id_of(app)
    expire_locally(app, company_id)
    before = token_columns(app, company_id)
    intuit.fail_next("drop_after_commit", "token", seconds=2)

    first = admin.post(CHECK, {"force": "1"}, htmx=True)
    assert first.status_code == 200 and card_state(first) == "error"  # transient: we saw a timeout
    assert [(c["status"], c["fault"]) for c in refresh_calls(intuit)] == [(200, "drop_after_commit")]
    assert token_columns(app, company_id) == before, "stored tokens untouched"
    with app.app_context():
        connection = get_connection(get_db(), company_id)
    assert connection.refresh_failures == 1 and connection.refresh_cooldown_until > utcnow()
    assert card_state(admin.post(CHECK, {"force": "1"}, htmx=True)) == "error"
    assert len(refresh_calls(intuit)) == 1, "no refresh during the cooldown"

    with freeze_time(utcnow() + timedelta(seconds=31), tick=True):
        later = admin.post(CHECK, {"force": "1"}, htmx=True)
        assert card_state(later) == outcome
        assert [c["status"] for c in refresh_calls(intuit)] == [200, 400 if rotation == "strict" else 200]
        assert_no_further_token_calls(admin, intuit, expected=2)
