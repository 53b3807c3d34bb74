"""Sync throughput against the emulator with Intuit's limits enforced, reported as ratios measured in one run.

Run by hand from the repository root: .venv/bin/python -m benchmarks.bench_sync [--scale 4] [--divide 10]

Intuit allows 500 requests and 120 batch requests a minute per realm, so the batch ceiling is 3,600 records a
minute (120 x 30) and a one-request-per-record sync manages at best 500. Python on two cores cannot push 3,600
bills through an emulator in a scaled second, so both sides keep Intuit's limits divided by --divide (every
ratio between them is unchanged) on a minute shortened --scale times. The emulator runs in its own process and
enforces the same limits; the engine paces itself. Throughput is "sustained": records / (elapsed + one window),
which charges the first window's burst, so a run long enough to be paced converges on the real per-minute rate.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from qbo.accounts import store as accounts  # noqa: E402
from qbo.connection.access_tokens import qbo_client  # noqa: E402
from qbo.records import catalog_writes, document_writes  # noqa: E402
from qbo.records.documents import NewLine  # noqa: E402
from qbo.storage.db import get_db  # noqa: E402
from qbo.sync.bodies import marker  # noqa: E402
from qbo.sync.engine import Worker, run_sync  # noqa: E402
from qbo.sync.pacing import BATCHES_PER_MINUTE, REQUESTS_PER_MINUTE, Pacer  # noqa: E402
from qbo.sync.push import BATCH_LIMIT  # noqa: E402
from tests.conftest import ALEX, REALM_1, Browserless, app_config  # noqa: E402
from tests.sync.conftest import map_everything  # noqa: E402

NOW = datetime(2026, 11, 20, tzinfo=timezone.utc)
BENCH_USER = "bench.user@example.com"  # the emulator's user of its --extra-companies realms
SCALING = (1, 5, 20)


def bench_realm(n: int) -> str:
    return f"91303500001{n:05d}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_emulator(folder: str, extra_companies: int = 0) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "qbo.emulator", "--port", str(port), "--no-webhooks",
                                "--extra-companies", str(extra_companies),
                                "--database", os.path.join(folder, "emulator.sqlite3")], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(url + "/.well-known/openid_configuration", timeout=1)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("the emulator did not start")


def control(url: str, path: str, body: dict) -> None:
    requests.post(f"{url}/_emulator/api/{path}", json=body, timeout=10).raise_for_status()


def make_app(folder: str, url: str):
    redirect = "http://127.0.0.1:5999/settings/integrations/qbo/callback"
    control(url, "clients", {"client_id": "inbuild-test-client", "client_secret": "inbuild-test-secret",
                             "redirect_uris": [redirect]})
    return create_app(app_config(Path(folder), url, redirect_uri=redirect, INTUIT_HTTP_TIMEOUT=30))


def connected_company(app, name: str, email: str, intuit_user: str, realm_id: str) -> int:
    with app.app_context():
        db = get_db()
        company = accounts.create_company(db, name, True)
        user = accounts.create_user(db, email, "correct-horse-9", name)
        accounts.set_membership(db, company.id, user.id, accounts.COMPANY_ADMIN)
    session = Browserless(app, app.test_client())
    session.login(email)
    session.connect(intuit_user, realm_id)
    with app.app_context():
        db = get_db()
        catalog_writes.insert_project(db, company.id, f"B-{company.id}", f"Bench Tower {company.id}")
        catalog_writes.insert_vendor(db, company.id, f"Bench Steel {company.id}", "supplier")
        catalog_writes.insert_cost_code(db, company.id, "05-100", "Structural steel")
        catalog_writes.insert_cost_type(db, company.id, "M", "Material")
        map_everything(db, company.id, realm_id)
    return company.id


def add_bills(app, company_id: int, count: int, first: int) -> None:
    """`count` approved one-line bills numbered from `first`, on the company's one project, vendor and code."""
    with app.app_context():
        db = get_db()
        ids = {table: db.execute(f"SELECT id FROM {table} WHERE company_id = ?", [company_id]).fetchone()[0]
               for table in ("projects", "vendors", "cost_codes", "cost_types")}
        for n in range(first, first + count):
            document_writes.insert_bill(db, company_id, f"BB-{company_id}-{n:05d}", ids["vendors"], ids["projects"],
                                        date(2026, 6, 1), None, "approved",
                                        [NewLine(1, ids["cost_codes"], ids["cost_types"], "Steel", 1000_00)])


def paced(scale: float, divide: int) -> Pacer:
    return Pacer(time.monotonic, time.sleep, time_scale=scale, requests_per_minute=REQUESTS_PER_MINUTE // divide,
                 batches_per_minute=BATCHES_PER_MINUTE // divide)


def sync_all(app, company_ids: list[int], scale: float, divide: int) -> float:
    """Every company's run at once, one thread each (as several consumers would); the wall time."""
    import threading

    def run(company_id: int) -> None:
        with app.app_context():
            worker = Worker(f"bench-{company_id}", qbo_client, paced(scale, divide))
            attempt = run_sync(get_db(), company_id, "manual", worker)
            assert attempt.reason == "", attempt.reason

    threads = [threading.Thread(target=run, args=(company_id,)) for company_id in company_ids]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def baseline(app, company_id: int, count: int, scale: float, divide: int) -> float:
    """One create request per record, paced at the request limit: the wall time."""
    with app.app_context():
        client, pacer = qbo_client(get_db(), company_id), paced(scale, divide)
        vendor = client.query_all("Vendor")[0]["Id"]
        account = next(a for a in client.query_all("Account") if a.get("AccountType") == "Expense")["Id"]
        body = {"VendorRef": {"value": vendor}, "Line": [{
            "Amount": 1.0, "DetailType": "AccountBasedExpenseLineDetail",
            "AccountBasedExpenseLineDetail": {"AccountRef": {"value": account}}}]}
        time.sleep(60.0 / scale)  # an empty window, so the baseline does not inherit the engine's requests
        started = time.perf_counter()
        for n in range(count):
            pacer.before_request()
            client.create("Bill", {**body, "DocNumber": f"BASE-{n}", "PrivateNote": marker("bill", 0, n)})
        return time.perf_counter() - started


def per_minute(records: int, seconds: float, scale: float, divide: int) -> float:
    """Sustained records per (scaled) minute, in Intuit's units (the divided limits multiplied back)."""
    window = 60.0 / scale
    return records / ((seconds + window) / window) * divide


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=4.0, help="how many times shorter the minute is")
    parser.add_argument("--divide", type=int, default=10, help="Intuit's limits divided by this, on both sides")
    parser.add_argument("--minutes", type=int, default=6, help="scaled minutes of batch work for one company")
    parser.add_argument("--scaling-minutes", type=int, default=2, help="scaled minutes of work per company when "
                                                                       "several sync at once")
    args = parser.parse_args()
    ceiling = BATCHES_PER_MINUTE * BATCH_LIMIT
    per_minute_bills = BATCHES_PER_MINUTE // args.divide * BATCH_LIMIT
    with tempfile.TemporaryDirectory() as folder:
        emulator, url = start_emulator(folder, extra_companies=max(SCALING))
        try:
            control(url, "throttle", {"enabled": True, "time_scale": args.scale,
                                      "requests_per_minute": REQUESTS_PER_MINUTE // args.divide,
                                      "batch_per_minute": BATCHES_PER_MINUTE // args.divide})
            app = make_app(folder, url)
            first = connected_company(app, "Bench Keystone", "keystone@bench.test", ALEX, REALM_1)
            add_bills(app, first, per_minute_bills * args.minutes, 0)
            one = per_minute(per_minute_bills * args.minutes, sync_all(app, [first], args.scale, args.divide),
                             args.scale, args.divide)
            base_count = REQUESTS_PER_MINUTE // args.divide * 2
            base = per_minute(base_count, baseline(app, first, base_count, args.scale, args.divide), args.scale,
                              args.divide)
            ids = [connected_company(app, f"Bench {n}", f"bench{n}@bench.test", BENCH_USER, bench_realm(n))
                   for n in range(max(SCALING))]
            scaling, used = {}, 0
            for count in SCALING:
                group = ids[used:used + count]
                used += count
                bills = per_minute_bills * args.scaling_minutes
                for company_id in group:
                    add_bills(app, company_id, bills, 0)
                elapsed = sync_all(app, group, args.scale, args.divide)
                scaling[count] = per_minute(bills * count, elapsed, args.scale, args.divide)
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)
    print(f"scale {args.scale:g}x clock, limits / {args.divide}; one company: {per_minute_bills * args.minutes} bills")
    print(f"engine, 1 company : {one:7.0f} records/min = {one / ceiling:.2f} of the batch ceiling ({ceiling}/min)")
    print(f"baseline          : {base:7.0f} records/min = {base / REQUESTS_PER_MINUTE:.2f} of its ceiling "
          f"({REQUESTS_PER_MINUTE}/min)")
    print(f"engine / baseline : {one / base:.1f}x")
    for count, rate in scaling.items():
        print(f"{count:2d} companies at once ({per_minute_bills * args.scaling_minutes} bills each): {rate:7.0f} "
              f"records/min in all = {rate / scaling[1]:.2f}x one company, {rate / count / ceiling:.2f} of each "
              f"realm's ceiling")


if __name__ == "__main__":
    main()
