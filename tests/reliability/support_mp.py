"""Helpers for the reliability tests: secret-leak scanning, and workers that run in other processes.

Workers are top-level functions so `multiprocessing` (spawn) can import them; `python -m
tests.reliability.support_mp refresh-once CONFIG_JSON COMPANY_ID` runs one refresh in a fresh process
(used with INBUILD_CRASH_AT to die between Intuit's answer and the commit).
"""
from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import sys
import time
import traceback
from urllib.parse import quote, quote_plus


# --- secret-leak scanning -------------------------------------------------------------------------


def _b64_cores(raw: bytes, encode) -> list[bytes]:
    """The part of the encoding of `raw` that stays the same wherever `raw` sits in a larger blob."""
    cores = []
    for shift in range(3):
        encoded = encode(b"\0" * shift + raw).rstrip(b"=")
        # Drop the characters that also depend on the neighbouring bytes.
        start = 4 if shift else 0
        core = encoded[start:-4]
        if len(core) >= 16:
            cores.append(core)
    return cores


def leak_forms(secret: str) -> list[bytes]:
    """The raw, URL-encoded and base64 (standard and URL-safe, any alignment) forms of a secret."""
    raw = secret.encode()
    forms = {raw, quote(secret, safe="").encode(), quote_plus(secret).encode(), json.dumps(secret)[1:-1].encode()}
    forms.add(base64.b64encode(raw).rstrip(b"="))
    forms.add(base64.urlsafe_b64encode(raw).rstrip(b"="))
    forms.update(_b64_cores(raw, base64.b64encode))
    forms.update(_b64_cores(raw, base64.urlsafe_b64encode))
    return sorted(forms)


def find_leaks(haystack: bytes | str, secrets: dict[str, str]) -> list[str]:
    """Names of the secrets (label -> value) that occur in the haystack in any form."""
    data = haystack.encode("utf-8", "surrogatepass") if isinstance(haystack, str) else haystack
    return sorted({label for label, value in secrets.items() if any(f in data for f in leak_forms(value))})


def emulator_issued_secrets(live_server) -> dict[str, str]:
    """Every access token, refresh token and authorization code the in-process emulator ever issued."""
    emulator = live_server.server.app.extensions["intuit_emulator"]
    found = {}
    with emulator.db.transaction() as conn:
        for table, column, label in (
            ("access_tokens", "token", "access_token"),
            ("refresh_tokens", "token", "refresh_token"),
            ("codes", "code", "authorization_code"),
        ):
            for (value,) in conn.execute(f"SELECT {column} FROM {table}").fetchall():
                found[label_for(label, value)] = value
    return found


def label_for(kind: str, value: str) -> str:
    return f"{kind}:{value[:12]}…{hashlib.sha256(value.encode()).hexdigest()[:8]}"


def digest(value: str) -> str:
    """A short fingerprint for comparing tokens across processes without shipping them around."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def flask_cli(app, *args: str):
    """Run a `flask` command for this app. The real `flask` entry point (FlaskGroup) pushes an app
    context before app commands run; `test_cli_runner` alone does not, so push one here."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


# --- workers (run in spawned processes) -----------------------------------------------------------


def refresh_race_worker(config: dict, company_id: int, rounds: int, barrier, results, worker_no: int) -> None:
    """Each round: wait for the parent to force expiry, then ask for a usable access token."""
    try:
        from app import create_app
        from qbo.connection.access_tokens import usable_access_token
        from qbo.storage.db import get_db

        app = create_app(config)
        outcomes = []
        for round_no in range(rounds):
            barrier.wait(timeout=120)  # the parent has just expired the access token
            started = time.perf_counter()
            with app.app_context():
                try:
                    token, version = usable_access_token(get_db(), company_id)
                    outcomes.append((round_no, "ok", digest(token), version, time.perf_counter() - started))
                except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
                    outcomes.append((round_no, type(exc).__name__, str(exc), None, time.perf_counter() - started))
            barrier.wait(timeout=120)  # the parent counts the token calls of this round
        results.put((worker_no, outcomes, None))
    except BaseException:  # noqa: BLE001
        barrier.abort()
        results.put((worker_no, [], traceback.format_exc()))


def sqlite_load_worker(path: str, company_id: int, writes: int, barrier, results, worker_no: int) -> None:
    """`writes` short write transactions through the app's own connection set-up and audit store."""
    from qbo.connection import audit
    from qbo.storage.db import connect, immediate
    from qbo.storage.timeutil import utcnow

    db = None
    try:
        db = connect(path)
        ok, locked, other, latencies = 0, 0, [], []
        barrier.wait(timeout=120)
        started = time.perf_counter()
        for i in range(writes):
            t0 = time.perf_counter()
            try:
                with immediate(db):
                    audit.record(db, company_id, None, "load_test", utcnow(), realm_id=None, detail=f"w{worker_no}-{i}")
                    # A read-modify-write counter: a lost update would show as a short count.
                    (count,) = db.execute(
                        "SELECT refresh_failures FROM connections WHERE company_id = ?", [company_id]
                    ).fetchone()
                    db.execute("UPDATE connections SET refresh_failures = ? WHERE company_id = ?", [count + 1, company_id])
                ok += 1
                latencies.append(time.perf_counter() - t0)
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    locked += 1
                else:
                    other.append(str(exc))
        results.put((worker_no, {"ok": ok, "locked": locked, "other": other, "latencies": latencies,
                                 "started": started, "ended": time.perf_counter()}, None))
    except BaseException:  # noqa: BLE001
        barrier.abort()
        results.put((worker_no, {}, traceback.format_exc()))
    finally:
        if db is not None:
            db.close()


def token_reader_worker(path: str, keys: list[str], ready, stop, results, worker_no: int) -> None:
    """Decrypt every stored ciphertext over and over (as request handlers would) until told to stop."""
    from qbo.connection.crypto import TokenCipher, TokenDecryptError
    from qbo.storage.db import connect

    db = None
    try:
        cipher = TokenCipher(keys)
        db = connect(path)
        reads, failures, mixed_passes = 0, [], 0
        ready.wait(timeout=120)
        while not stop.is_set():
            rows = db.execute(
                "SELECT 'c' || id, access_token_enc FROM connections WHERE access_token_enc IS NOT NULL "
                "UNION ALL SELECT 'r' || id, refresh_token_enc FROM connections WHERE refresh_token_enc IS NOT NULL "
                "UNION ALL SELECT 'p' || id, token_enc FROM pending_revocations"
            ).fetchall()
            for row_id, value in rows:
                try:
                    cipher.decrypt(value)
                    reads += 1
                except TokenDecryptError as exc:
                    failures.append(f"{row_id}: {exc}")
            # A pass that saw both keys ran while the rotation was half done.
            mixed_passes += len({cipher.key_id_of(value) for _row_id, value in rows}) > 1
        results.put((worker_no, {"reads": reads, "failures": failures, "mixed_passes": mixed_passes}, None))
    except BaseException:  # noqa: BLE001
        results.put((worker_no, {}, traceback.format_exc()))
    finally:
        if db is not None:
            db.close()


def collect(results, count: int, timeout: float = 120) -> dict:
    """Gather one result per worker from a multiprocessing queue; raise if any worker failed."""
    gathered = {}
    for _ in range(count):
        worker_no, payload, error = results.get(timeout=timeout)
        if error:
            raise AssertionError(f"worker {worker_no} failed:\n{error}")
        gathered[worker_no] = payload
    return gathered


# --- one refresh in a fresh process (crash-window tests) -----------------------------------------


def refresh_once(config: dict, company_id: int) -> int:
    """Ask for a usable access token once; prints the outcome (never a token)."""
    from app import create_app
    from qbo.connection.access_tokens import usable_access_token
    from qbo.storage.db import get_db

    app = create_app(config)
    with app.app_context():
        try:
            _token, version = usable_access_token(get_db(), company_id)
        except Exception as exc:  # noqa: BLE001
            print(f"refresh failed: {type(exc).__name__}: {exc}")
            return 1
    print(f"refreshed to token version {version}")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "refresh-once":
        return refresh_once(json.loads(argv[1]), int(argv[2]))
    print("usage: python -m tests.reliability.support_mp refresh-once CONFIG_JSON COMPANY_ID", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def expire_locally(app, company_id: int) -> None:
    """Make the stored access token look expired, so the next call must refresh it."""
    from datetime import timedelta

    from qbo.storage.db import get_db, immediate
    from qbo.storage.timeutil import to_db, utcnow

    with app.app_context():
        db = get_db()
        with immediate(db):
            db.execute("UPDATE connections SET access_expires_at = ? WHERE company_id = ?",
                       [to_db(utcnow() - timedelta(minutes=1)), company_id])
