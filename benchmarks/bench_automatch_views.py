"""The vendors step of the Setup Wizard at 100, 1,000 and 5,000 vendors: server time and bytes, before and after.

Run by hand from the repository root: .venv/bin/python -m benchmarks.bench_automatch_views [--before REV]

Each measurement runs in a fresh process on a fresh database: N inBuild vendors, N QuickBooks vendors stored as
the realm's reference records (fresh, so no call leaves the machine), requests through Flask's test client
(server time only). "Before" runs this same script inside `git archive REV` (the code issue 8 started from).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BEFORE_ISSUE_8 = "ccd197a"
PASSWORD = "bench-login-1"  # a throwaway user in a throwaway database
REALM = "9130350000000001"
STEP = "/settings/integrations/qbo/setup/vendors"
TRADES = ["Concrete", "Electric", "Plumbing", "Drywall", "Roofing", "Steel", "Glass", "Paving", "Masonry", "Framing"]
PLACES = ["Summit", "Pacific", "Valley", "Bay", "North", "Delta", "Golden", "Sierra", "Redwood", "Harbor", "Granite"]


def vendor_names(n: int) -> list[str]:
    rng = random.Random(n)
    names: set[str] = set()
    while len(names) < n:
        names.add(f"{rng.choice(PLACES)} {rng.choice(PLACES)} {rng.choice(TRADES)} {len(names)}")
    return sorted(names)


def fill_database(app, n: int) -> None:
    """A company with N vendors, connected to a realm whose N vendors are already stored."""
    from datetime import date, timedelta

    from qbo.accounts import store as accounts
    from qbo.connection.realm_settings import Preferences, save_preferences
    from qbo.connection.sign_in_store import QboIdentity, save_qbo_connection
    from qbo.connection.tokens import TokenSet
    from qbo.mapping.reference_records import QboRecord, replace_records
    from qbo.records import catalog_writes
    from qbo.storage.db import get_db
    from qbo.storage.timeutil import utcnow

    db, now = get_db(), utcnow()
    company = accounts.create_company(db, "Bench Construction", True)
    user = accounts.create_user(db, "admin@bench.test", PASSWORD, "Admin")
    accounts.set_membership(db, company.id, user.id, accounts.COMPANY_ADMIN)
    names = vendor_names(n)
    with db.atomic():
        for name in names:
            catalog_writes.insert_vendor(db, company.id, name.replace(" 1", " l") + " Inc", "subcontractor")
    tokens = TokenSet("access", "refresh", now + timedelta(hours=1), now + timedelta(days=90), None)
    identity = QboIdentity(REALM, "emulator", "sub", "alex@example.com", "Alex", "Bench QuickBooks")
    save_qbo_connection(db, company.id, identity, tokens, app.extensions["token_cipher"], now)
    save_preferences(db, company.id, REALM, Preferences(True, False, date(2026, 1, 1)), now)
    replace_records(db, company.id, REALM, "Vendor", [QboRecord("Vendor", str(i), name) for i, name in
                                                      enumerate(names)], now)


def timed(client, url: str, fragment: bool = False, repeats: int = 1) -> tuple[float, int]:
    headers = {"HX-Request": "true"} if fragment else {}
    samples, size = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
        size = len(response.get_data())
    return statistics.median(samples), size


def worker(n: int) -> dict:
    folder = tempfile.mkdtemp(prefix="bench-views-")
    os.environ["INBUILD_JOBS_DATABASE"] = os.path.join(folder, "jobs.sqlite3")
    from cryptography.fernet import Fernet

    from app import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "bench-" + "s" * 40, "WTF_CSRF_ENABLED": False,
                      "TOKEN_ENCRYPTION_KEYS": ["k1:" + Fernet.generate_key().decode()],
                      "DATABASE": os.path.join(folder, "inbuild.sqlite3"), "INTUIT_ENVIRONMENT": "emulator",
                      "INTUIT_EMULATOR_URL": "http://127.0.0.1:9", "INTUIT_HTTP_TIMEOUT": 1,
                      "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        fill_database(app, n)
    client = app.test_client()
    client.post("/login", data={"email": "admin@bench.test", "password": PASSWORD})
    first_view, page_bytes = timed(client, STEP)
    view, _ = timed(client, STEP, repeats=3)
    rows = STEP + "/rows" if os.path.exists("qbo/web/wizard_rows.py") else STEP
    next_page, next_page_bytes = timed(client, rows + "?kind=vendor&page=2", fragment=True, repeats=3)
    search, _ = timed(client, rows + "?kind=vendor&q=Harbor", fragment=True, repeats=3)
    return {"n": n, "first_view": first_view, "view": view, "page_bytes": page_bytes, "next_page": next_page,
            "next_page_bytes": next_page_bytes, "search": search}


def measure(tree: Path, n: int) -> dict:
    script = Path(__file__).resolve()
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, str(script), "--worker", str(n)], cwd=tree, env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def export_tree(rev: str, into: str) -> Path:
    """The repository at REV, as files (git archive only reads the repository)."""
    archive = subprocess.run(["git", "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return Path(into)


def show(label: str, result: dict) -> None:
    print(f"  {label:<6} first view {result['first_view']:7.3f} s · view {result['view']:7.3f} s "
          f"({result['page_bytes'] / 1024:8.1f} KiB) · next page {result['next_page']:6.3f} s "
          f"({result['next_page_bytes'] / 1024:7.1f} KiB) · search {result['search']:6.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", default=BEFORE_ISSUE_8)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-before-") as folder:
        before_tree = export_tree(args.before, folder)
        for n in args.sizes:
            print(f"{n} inBuild vendors × {n} QuickBooks vendors")
            before, after = measure(before_tree, n), measure(Path.cwd(), n)
            show("before", before)
            show("after", after)
            print(f"  ratios after/before: view {after['view'] / before['view']:.3f}, "
                  f"page bytes {after['page_bytes'] / before['page_bytes']:.3f}, "
                  f"next page {after['next_page'] / before['next_page']:.3f}")


if __name__ == "__main__":
    main()
