"""Row 17: at most one refresh per connection across real OS processes sharing one SQLite file.

K spawned processes each build the app and, every round, ask for a usable access token right after the
parent expired it. The emulator (a real server) rotates strictly and answers the token endpoint slowly.
"""
from __future__ import annotations

import multiprocessing
from collections import defaultdict
from datetime import timedelta

import pytest

from qbo.accounts import store as accounts
from qbo.connection.store import get_connection, stored_tokens
from qbo.storage.db import connect, get_db, immediate
from qbo.storage.timeutil import to_db, utcnow
from tests.conftest import ALEX, REALM_1, app_config
from tests.reliability.support_mp import (
    collect,
    refresh_race_worker,
)

PROCESSES = 4
ROUNDS = 50


def refresh_calls(intuit) -> list[dict]:
    return [c for c in intuit.calls("token") if c["grant_type"] == "refresh_token"]


@pytest.mark.slow
def test_one_refresh_per_expiry_across_processes(tmp_path, app, admin, intuit, reliability_figure):
    assert admin.connect(ALEX, REALM_1).status_code == 302
    with app.app_context():
        company_id = accounts.find_company_by_name(get_db(), "Acme Construction").id
    intuit.post("settings", {"rotation": "strict", "latency_ms": [50, 200]})
    # Same database and keys as the parent's app; the lease outlives the token call's timeout.
    config = {**app_config(tmp_path, intuit.url, INTUIT_HTTP_TIMEOUT=5),
              "TOKEN_ENCRYPTION_KEYS": app.config["TOKEN_ENCRYPTION_KEYS"]}
    assert config["DATABASE"] == app.config["DATABASE"]

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES + 1), ctx.Queue()
    workers = [ctx.Process(target=refresh_race_worker, args=(config, company_id, ROUNDS, barrier, results, n))
               for n in range(PROCESSES)]
    for worker in workers:
        worker.start()
    db = connect(config["DATABASE"])
    per_round = []
    try:
        for _ in range(ROUNDS):
            with immediate(db):
                db.execute("UPDATE connections SET access_expires_at = ? WHERE company_id = ?",
                           [to_db(utcnow() - timedelta(seconds=1)), company_id])
            before = len(refresh_calls(intuit))
            barrier.wait(timeout=120)  # go
            barrier.wait(timeout=120)  # every worker has its token
            per_round.append(len(refresh_calls(intuit)) - before)
        gathered = collect(results, PROCESSES)
    finally:
        db.close()
        for worker in workers:
            worker.join(timeout=30)
        results.close()
        results.join_thread()

    outcomes = [o for worker_outcomes in gathered.values() for o in worker_outcomes]
    failures = [o for o in outcomes if o[1] != "ok"]
    token_calls = intuit.calls("token")
    refreshes = refresh_calls(intuit)
    invalid_grant = [c for c in refreshes if c["status"] == 400]
    waits = sorted(o[4] for o in outcomes)
    print(f"\nrefresh race: K={PROCESSES} processes x N={ROUNDS} forced expiries = {len(outcomes)} calls; "
          f"{len(refreshes)} token-endpoint refreshes ({per_round.count(1)}/{ROUNDS} rounds with exactly 1), "
          f"{len(invalid_grant)} invalid_grant, {len(failures)} failed calls; "
          f"median wait {waits[len(waits) // 2] * 1000:.0f} ms, max {waits[-1] * 1000:.0f} ms")
    assert failures == []
    assert len(outcomes) == PROCESSES * ROUNDS
    assert per_round == [1] * ROUNDS, "exactly one refresh per expiry window"
    assert invalid_grant == [] and all(c["status"] == 200 for c in refreshes)
    assert len(token_calls) == 1 + ROUNDS  # the sign-in's code exchange, then one refresh per round
    tokens_by_round = defaultdict(set)
    for round_no, _ok, token_digest, version, _wait in outcomes:
        tokens_by_round[round_no].add((token_digest, version))
    assert all(len(seen) == 1 for seen in tokens_by_round.values()), "every process got the same fresh token"
    assert len({next(iter(seen)) for seen in tokens_by_round.values()}) == ROUNDS, "a new token every round"

    with app.app_context():
        db = get_db()
        stored = stored_tokens(db, app.extensions["token_cipher"], company_id)
        connection = get_connection(db, company_id)
        lease = db.execute("SELECT lease_owner, lease_until FROM connections").fetchone()
    grant = intuit.grants(REALM_1)[0]
    reliability_figure("concurrent refreshes across processes", processes=PROCESSES, token_requests=len(outcomes),
                       refreshes_at_intuit=len(refreshes), invalid_grant=len(invalid_grant),
                       lost_refresh_tokens=int(stored.refresh_token != grant["latest_refresh_token"]))
    assert stored.refresh_token == grant["latest_refresh_token"], "the stored RT is the last one Intuit issued"
    assert grant["refresh_tokens_issued"] == 1 + ROUNDS and not grant["revoked"]
    assert connection.state.value == "connected" and connection.refresh_failures == 0
    assert tuple(lease) == (None, None)
