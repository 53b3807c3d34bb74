"""Row 30 (bounded): several processes writing to one SQLite file through the app's connection set-up
(WAL, busy_timeout) and BEGIN IMMEDIATE transactions: no `database is locked`, no lost update."""
from __future__ import annotations

import multiprocessing
from datetime import datetime, timezone

import pytest

from qbo.storage.db import connect
from tests.reliability.support_mp import (
    collect,
    sqlite_load_worker,
)
from tests.support.store_fixtures import connected_db, new_cipher

PROCESSES = 4
WRITES = 200


@pytest.mark.slow
def test_concurrent_immediate_writers_never_see_database_is_locked(tmp_path):
    path = str(tmp_path / "load.sqlite3")
    db, company_id = connected_db(path, new_cipher(), datetime.now(timezone.utc))
    db.close()

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    workers = [ctx.Process(target=sqlite_load_worker, args=(path, company_id, WRITES, barrier, results, n))
               for n in range(PROCESSES)]
    for worker in workers:
        worker.start()
    try:
        gathered = collect(results, PROCESSES)
    finally:
        for worker in workers:
            worker.join(timeout=30)
        results.close()
        results.join_thread()

    ok = sum(g["ok"] for g in gathered.values())
    locked = sum(g["locked"] for g in gathered.values())
    other = [e for g in gathered.values() for e in g["other"]]
    latencies = sorted(t for g in gathered.values() for t in g["latencies"])
    elapsed = max(g["ended"] for g in gathered.values()) - min(g["started"] for g in gathered.values())
    db = connect(path)
    try:
        rows = db.execute("SELECT count(*) FROM audit_events WHERE action = 'load_test'").fetchone()[0]
        counter = db.execute("SELECT refresh_failures FROM connections WHERE company_id = ?", [company_id]).fetchone()[0]
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    print(f"\nsqlite load: {PROCESSES} processes x {WRITES} write transactions: {ok} committed in {elapsed:.2f}s "
          f"= {ok / elapsed:.0f} writes/s; {locked} 'database is locked'; p50 "
          f"{latencies[len(latencies) // 2] * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
    assert (locked, other) == (0, [])
    assert ok == PROCESSES * WRITES
    assert rows == ok, "every committed write is there"
    assert counter == ok, "no lost update on the read-modify-write counter"
    assert integrity == "ok"
