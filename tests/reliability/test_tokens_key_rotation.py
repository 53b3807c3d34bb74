"""Row 9(b): `flask rotate-token-key` re-encrypts every stored token k1 -> k2 while other processes keep
reading, with zero decrypt failures; afterwards k1 can be retired and an app holding only k2 works."""
from __future__ import annotations

import base64
import multiprocessing
import re
import time

import pytest
from cryptography.fernet import Fernet

from app import create_app
from qbo.accounts import store as accounts
from qbo.connection.crypto import TokenCipher
from qbo.connection.revocations import enqueue_revocation
from qbo.connection.sign_in_store import QboIdentity, save_qbo_connection
from qbo.connection.store import stored_tokens
from qbo.connection.tokens import token_set_from_response
from qbo.storage.db import connect, get_db
from qbo.storage.timeutil import utcnow
from tests.conftest import ALEX, REALM_1, Browserless, app_config
from tests.reliability.support_mp import (
    collect,
    flask_cli,
    token_reader_worker,
)

EXTRA_COMPANIES = 400
SHARED_REVOKE_TOKEN = "RT1-11-H0-revoke-me-later-identical-plaintext"
CARD_STATE = re.compile(r'id="qbo-card"[^>]*data-state="([a-z_]+)"')


def _iv(stored: str) -> bytes:
    return base64.urlsafe_b64decode(stored.partition(":")[2] + "==")[9:25]


def _seed_many_connections(app) -> int:
    """Synthetic connections and queued revocations (all under k1); returns how many ciphertexts exist."""
    cipher = app.extensions["token_cipher"]
    now = utcnow()
    with app.app_context():
        db = get_db()
        for i in range(EXTRA_COMPANIES):
            company = accounts.create_company(db, f"Load Co {i}")
            identity = QboIdentity(f"99{i:014d}", "emulator", f"sub-{i}", None, None, None)
            tokens = token_set_from_response(
                {"access_token": f"AT-{i}", "refresh_token": f"RT-{i}", "expires_in": 3600}, now)
            save_qbo_connection(db, company.id, identity, tokens, cipher, now)
            # The same plaintext queued many times: each ciphertext must still differ (fresh IV each time).
            enqueue_revocation(db, company.id, identity.realm_id, cipher.encrypt(SHARED_REVOKE_TOKEN), now)
        return db.execute(
            "SELECT (SELECT count(*) FROM connections WHERE access_token_enc IS NOT NULL) + "
            "(SELECT count(*) FROM connections WHERE refresh_token_enc IS NOT NULL) + "
            "(SELECT count(*) FROM pending_revocations)"
        ).fetchone()[0]


def _ciphertexts(path: str) -> list[str]:
    db = connect(path)
    try:
        return [row[0] for row in db.execute(
            "SELECT access_token_enc FROM connections WHERE access_token_enc IS NOT NULL "
            "UNION ALL SELECT refresh_token_enc FROM connections WHERE refresh_token_enc IS NOT NULL "
            "UNION ALL SELECT token_enc FROM pending_revocations").fetchall()]
    finally:
        db.close()


@pytest.mark.slow
def test_rotate_token_key_under_concurrent_reads(tmp_path, intuit, app, admin):
    k1 = app.config["TOKEN_ENCRYPTION_KEYS"][0]
    k2 = "k2:" + Fernet.generate_key().decode()
    assert admin.connect(ALEX, REALM_1).status_code == 302
    total = _seed_many_connections(app)
    path = app.config["DATABASE"]
    before = _ciphertexts(path)
    assert len(before) == total and all(c.startswith("k1:") for c in before)

    rotating = create_app(app_config(tmp_path, intuit.url, TOKEN_ENCRYPTION_KEYS=[k2, k1]))
    ctx = multiprocessing.get_context("spawn")
    readers = 2
    ready, stop, results = ctx.Barrier(readers + 1), ctx.Event(), ctx.Queue()
    processes = [ctx.Process(target=token_reader_worker, args=(path, [k2, k1], ready, stop, results, n))
                 for n in range(readers)]
    for process in processes:
        process.start()
    try:
        ready.wait(timeout=120)
        time.sleep(0.2)  # readers are mid-loop before the rotation starts
        started = time.perf_counter()
        outcome = flask_cli(rotating, "rotate-token-key")
        rotation_seconds = time.perf_counter() - started
        time.sleep(0.2)
        stop.set()
        gathered = collect(results, readers)
    finally:
        stop.set()
        for process in processes:
            process.join(timeout=30)
        results.close()
        results.join_thread()
    assert outcome.exit_code == 0, outcome.output
    assert f"Re-encrypted {total} stored tokens" in outcome.output
    reads = sum(g["reads"] for g in gathered.values())
    failures = [f for g in gathered.values() for f in g["failures"]]
    mixed = sum(g["mixed_passes"] for g in gathered.values())
    print(f"\nkey rotation: {total} ciphertexts re-encrypted k1->k2 in {rotation_seconds:.2f}s while "
          f"{readers} processes did {reads} decrypts ({mixed} passes saw k1 and k2 rows side by side): "
          f"{len(failures)} decrypt failures")
    assert failures == []
    assert mixed > 0, "the readers really ran while the rotation was half done"

    after = _ciphertexts(path)
    assert len(after) == total
    assert [c for c in after if not c.startswith("k2:")] == [], "no row left on k1"
    assert len({_iv(c) for c in before + after}) == 2 * total, "no IV is ever reused"
    again = flask_cli(rotating, "rotate-token-key")
    assert "Re-encrypted 0 stored tokens" in again.output

    # k1 retired: an app with only k2 opens every row, and the real connection still works at Intuit.
    retired = create_app(app_config(tmp_path, intuit.url, TOKEN_ENCRYPTION_KEYS=[k2]))
    only_k2 = TokenCipher([k2])
    assert retired.extensions["token_cipher"].primary_key_id == "k2"
    with retired.app_context():
        db = get_db()
        for (company_id,) in db.execute("SELECT company_id FROM connections").fetchall():
            assert stored_tokens(db, only_k2, company_id) is not None
        assert {only_k2.decrypt(c) for (c,) in db.execute("SELECT token_enc FROM pending_revocations")} == {
            SHARED_REVOKE_TOKEN}
    client = Browserless(retired, retired.test_client())
    client.login("admin@acme.test")
    card = client.post("/settings/integrations/qbo/check", {"force": "1"}, htmx=True).get_data(as_text=True)
    assert CARD_STATE.search(card).group(1) == "connected"
