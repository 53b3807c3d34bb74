"""Row 9: tokens at rest are AEAD ciphertexts; the raw SQLite files hold no plaintext; tampering fails closed;
a missing or placeholder secret stops the app at startup."""
from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from app import create_app
from qbo.accounts import store as accounts
from qbo.connection.store import get_connection, stored_tokens
from qbo.storage.db import get_db
from tests.conftest import ALEX, REALM_1, app_config
from tests.reliability.support_mp import (
    emulator_issued_secrets,
    expire_locally,
    find_leaks,
    label_for,
)

PAGE = "/settings/integrations/"
CHECK = "/settings/integrations/qbo/check"
DISCONNECT = "/settings/integrations/qbo/disconnect"
CARD_STATE = re.compile(r'id="qbo-card"[^>]*data-state="([a-z_]+)"')


def card_state_of(html: str) -> str:
    return CARD_STATE.search(html).group(1)


def acme_id(app) -> int:
    with app.app_context():
        return accounts.find_company_by_name(get_db(), "Acme Construction").id


def all_issued(emulator, intuit) -> dict[str, str]:
    secrets = emulator_issued_secrets(emulator)
    for grant in intuit.grants():
        if grant["latest_refresh_token"]:
            secrets[label_for("refresh_token", grant["latest_refresh_token"])] = grant["latest_refresh_token"]
    return secrets


def test_leak_scanner_finds_raw_urlencoded_and_embedded_base64_forms():
    secret = "RT1-42-H0-1790000000abcdefghijklmnopqrstuvwx"
    for shift in range(3):
        blob = base64.b64encode(b"x" * shift + b'{"refresh_token": "' + secret.encode() + b'"}')
        assert find_leaks(b"..." + blob + b"...", {"rt": secret}) == ["rt"]
    assert find_leaks("next=RT1-42-H0%2Fabcdefghijklmnop", {"x": "RT1-42-H0/abcdefghijklmnop"}) == ["x"]
    assert find_leaks(b"nothing here", {"rt": secret}) == []


def test_sqlite_file_wal_and_shm_hold_no_plaintext_token(app, admin, intuit, emulator):
    company_id = acme_id(app)
    db_path = app.config["DATABASE"]
    holder = sqlite3.connect(db_path)  # an open connection keeps the -wal and -shm files from being removed
    try:
        holder.execute("SELECT count(*) FROM companies").fetchone()
        assert admin.connect(ALEX, REALM_1).status_code == 302
        intuit.expire_access_token(REALM_1)  # Intuit answers 401: one forced refresh
        assert card_state_of(admin.post(CHECK, {"force": "1"}, htmx=True).get_data(as_text=True)) == "connected"
        expire_locally(app, company_id)  # a proactive refresh
        assert card_state_of(admin.post(CHECK, {"force": "1"}, htmx=True).get_data(as_text=True)) == "connected"
        assert admin.post(DISCONNECT, htmx=True).status_code == 200
        assert admin.connect(ALEX, REALM_1, intent="reconnect").status_code == 302

        secrets = all_issued(emulator, intuit)
        kinds = [label.split(":")[0] for label in secrets]
        assert kinds.count("refresh_token") >= 4 and kinds.count("access_token") >= 4
        files = {suffix: Path(db_path + suffix).read_bytes() for suffix in ("", "-wal", "-shm")
                 if os.path.exists(db_path + suffix)}
        assert set(files) == {"", "-wal", "-shm"}, "WAL mode: all three files exist while a connection is open"
        assert b"k1:gAAAAA" in files[""] + files["-wal"], "the tokens are in these files, as Fernet ciphertexts"
        for suffix, data in files.items():
            assert find_leaks(data, secrets) == [], f"plaintext token in inbuild.sqlite3{suffix}"
    finally:
        holder.close()
    # After the last connection closed (and checkpointed the WAL into the main file).
    assert find_leaks(Path(db_path).read_bytes(), secrets) == []


def _flip(ciphertext: str) -> str:
    key_id, _, token = ciphertext.partition(":")
    middle = len(token) // 2
    replacement = "B" if token[middle] != "B" else "C"
    return f"{key_id}:{token[:middle]}{replacement}{token[middle + 1:]}"


TAMPERINGS = {
    "refresh token bit flip": ("refresh_token_enc", _flip, True),
    "refresh token under an unknown key id": ("refresh_token_enc", lambda c: "k9:" + c.partition(":")[2], True),
    "refresh token truncated": ("refresh_token_enc", lambda c: c[: len(c) // 2], True),
    "access token bit flip": ("access_token_enc", _flip, False),
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_tampered_ciphertext_fails_closed_as_expired(app, admin, intuit, tampering):
    column, tamper, needs_refresh = TAMPERINGS[tampering]
    company_id = acme_id(app)
    admin.connect(ALEX, REALM_1)
    with app.app_context():
        db = get_db()
        original = db.execute(f"SELECT {column} FROM connections WHERE company_id = ?", [company_id]).fetchone()[0]
        db.execute(f"UPDATE connections SET {column} = ? WHERE company_id = ?", [tamper(original), company_id])
    if needs_refresh:
        expire_locally(app, company_id)
    token_calls, api_calls = len(intuit.calls("token")), len(intuit.calls("api"))

    response = admin.post(CHECK, {"force": "1"}, htmx=True)
    assert response.status_code == 200
    assert card_state_of(response.get_data(as_text=True)) == "expired"
    page = admin.client.get(PAGE)
    assert page.status_code == 200 and card_state_of(page.get_data(as_text=True)) == "expired"
    assert "Please reconnect your account." in page.get_data(as_text=True)
    assert admin.post(CHECK, {"force": "1"}, htmx=True).status_code == 200
    # Nothing was sent to Intuit with (or instead of) the undecryptable token, and nothing loops.
    assert (len(intuit.calls("token")), len(intuit.calls("api"))) == (token_calls, api_calls)
    with app.app_context():
        events = [dict(r) for r in get_db().query("SELECT action, detail FROM audit_events WHERE action = 'session_expired'")]
    assert events == [{"action": "session_expired", "detail": "TokenDecryptError"}]

    disconnect = admin.post(DISCONNECT, htmx=True)
    assert disconnect.status_code == 200
    assert "Integration disconnected successfully." in json.loads(disconnect.headers["HX-Trigger"])["toast"]["message"]


def _config_without(tmp_path, **changes):
    config = app_config(tmp_path, "http://127.0.0.1:9")
    for key, value in changes.items():
        if value is _MISSING:
            config.pop(key)
        else:
            config[key] = value
    return config


_MISSING = object()


@pytest.mark.parametrize(
    "changes",
    [
        {"TOKEN_ENCRYPTION_KEYS": _MISSING},
        {"TOKEN_ENCRYPTION_KEYS": []},
        {"TOKEN_ENCRYPTION_KEYS": ["k1:not-a-fernet-key"]},
        {"TOKEN_ENCRYPTION_KEYS": [Fernet.generate_key().decode()]},  # no key id
        {"SECRET_KEY": _MISSING},
        {"SECRET_KEY": ""},
        {"SECRET_KEY": "change-me"},
        {"SECRET_KEY": "dev"},
        {"INTUIT_ENVIRONMENT": "production", "INTUIT_CLIENT_SECRET": "changeme"},
    ],
    ids=["keys missing", "keys empty", "key malformed", "key without id", "secret missing", "secret empty",
         "secret change-me", "secret dev", "production client secret placeholder"],
)
def test_missing_or_placeholder_secret_stops_startup(tmp_path, changes):
    config = _config_without(tmp_path, **changes)
    with pytest.raises((RuntimeError, ValueError)):
        create_app(config)
    assert not os.path.exists(config["DATABASE"]), "refused before touching the database"


def test_retired_key_still_in_use_stops_startup(app, admin, tmp_path):
    admin.connect(ALEX, REALM_1)
    with app.app_context():
        assert stored_tokens(get_db(), app.extensions["token_cipher"], acme_id(app)) is not None
    config = app_config(tmp_path, app.config["INTUIT_EMULATOR_URL"],
                        TOKEN_ENCRYPTION_KEYS=["k2:" + Fernet.generate_key().decode()])
    assert config["DATABASE"] == app.config["DATABASE"]
    with pytest.raises(RuntimeError):
        create_app(config)


def test_tokens_are_encrypted_with_a_recorded_key_id_and_fresh_nonces(app, admin):
    admin.connect(ALEX, REALM_1)
    with app.app_context():
        db = get_db()
        row = db.execute("SELECT access_token_enc, refresh_token_enc FROM connections").fetchone()
        cipher = app.extensions["token_cipher"]
        connection = get_connection(db, acme_id(app))
    assert connection is not None
    assert all(value.startswith("k1:gAAAAA") for value in row)
    ivs = {base64.urlsafe_b64decode(value.partition(":")[2] + "==")[9:25] for value in row}
    again = [cipher.encrypt("same plaintext") for _ in range(50)]
    ivs.update(base64.urlsafe_b64decode(value.partition(":")[2] + "==")[9:25] for value in again)
    assert len(ivs) == 52, "every encryption uses a fresh IV"
