"""The health pass's cost with 10,000 connected companies: time and SQL queries per pass, per company.

Run by hand from the repository root: .venv/bin/python -m benchmarks.bench_health [--companies 10000]

Companies are stored with encrypted tokens as a sign-in would store them. Two passes are measured in one run:
one where no connection needs anything (the usual case), and one where 1% of the access tokens end before the
next pass and are refreshed against the emulator (a real server in its own process), which answers
invalid_grant for these made-up refresh tokens, so each of them takes the whole path: lease, call, expired.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from benchmarks.bench_sync import control, start_emulator  # noqa: E402
from qbo.accounts import store as accounts  # noqa: E402
from qbo.connection.health import health_pass  # noqa: E402
from qbo.connection.sign_in_store import QboIdentity, save_qbo_connection  # noqa: E402
from qbo.connection.tokens import TokenSet  # noqa: E402
from qbo.storage.db import get_db, immediate  # noqa: E402
from qbo.storage.timeutil import utcnow  # noqa: E402
from tests.conftest import app_config  # noqa: E402

HORIZON = timedelta(minutes=10)


def store_companies(app, count: int, due_every: int) -> None:
    now = utcnow()
    cipher = app.extensions["token_cipher"]
    with app.app_context():
        db = get_db()
        with immediate(db):
            for n in range(count):
                company = accounts.create_company(db, f"Company {n:05d}", True)
                access_ends = now + (timedelta(minutes=5) if n % due_every == 0 else timedelta(minutes=50))
                tokens = TokenSet(f"access-{n}", f"refresh-{n}", access_ends, now + timedelta(days=90),
                                  now + timedelta(days=1500))
                identity = QboIdentity(f"99{n:014d}", "emulator", f"sub-{n}", None, None, None)
                save_qbo_connection(db, company.id, identity, tokens, cipher, now)


def measure(app) -> tuple[float, int, object]:
    with app.app_context():
        db = get_db()
        queries: list[str] = []
        db.conn.set_trace_callback(lambda sql: queries.append(sql) if sql.lstrip().upper().startswith(
            ("SELECT", "INSERT", "UPDATE", "DELETE")) else None)
        started = time.perf_counter()
        report = health_pass(db, utcnow(), HORIZON)
        elapsed = time.perf_counter() - started
        db.conn.set_trace_callback(None)
    return elapsed, len(queries), report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        emulator, url = start_emulator(folder)
        try:
            control(url, "throttle", {"enabled": False})
            control(url, "clients", {"client_id": "inbuild-test-client", "client_secret": "inbuild-test-secret",
                                     "redirect_uris": ["http://127.0.0.1:5999/settings/integrations/qbo/callback"]})
            app = create_app(app_config(Path(folder), url))
            store_companies(app, args.companies, due_every=100)
            busy = measure(app)   # 1% due: refreshed (and refused) now
            quiet = measure(app)  # nothing due any more: the usual pass
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)
    for name, (elapsed, queries, report) in (("quiet pass (nothing due)", quiet), ("busy pass (1% due)", busy)):
        print(f"{name:26}: {elapsed * 1000:8.1f} ms, {queries:6d} queries = {queries / args.companies:.4f} per "
              f"company; {report.looked_at} looked after, {report.expired} expired")
    print(f"busy / quiet time: {busy[0] / quiet[0]:.0f}x for {busy[2].looked_at} connections needing care")


if __name__ == "__main__":
    main()
