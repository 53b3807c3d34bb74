"""The QuickBooks Online card fragment and the integrations page under gunicorn and wrk, as ratios to a static file.

Run by hand from the repository root: .venv/bin/python -m benchmarks.bench_pages [--seconds 10] [--workers 4]

Needs wrk, the HTTP load generator: on Debian/Ubuntu `sudo apt-get install -y wrk` (elsewhere build it from
https://github.com/wg/wrk). The emulator runs in its own process; Acme is connected to Keystone through it (the real
OAuth round trip), with the demo records and every mapping in place, so the card is in its usual connected state.

gunicorn (gthread workers) serves the app on a free loopback port. The baseline is a static file of the same size as
the card fragment, served by the same gunicorn through Flask's send_from_directory (as /static/ is). The signed-in
requests carry a session cookie made by signing in once with the test client. The targets are loaded one after the
other in one run, in two rounds (static, fragment, page, static, fragment, page) and the better round of each kept;
on a 2-core machine wrk and gunicorn share the CPU, so compare the ratios, not the absolute numbers. Where /proc
exists, the workers' CPU time per request (user + system, all threads, lowest round kept) is printed as well: it moves
far less than req/s when other programs load the machine, so it tells a real change from a noisy run.
Goal (issue 10, section 4): fragment >= 0.5x static, p99 < 5x p50.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from benchmarks.bench_sync import control, start_emulator  # noqa: E402
from qbo.storage.db import get_db  # noqa: E402
from tests.conftest import Browserless, app_config, seed_accounts  # noqa: E402

CARD = "/settings/integrations/qbo/card"
PAGE = "/settings/integrations/"
STATIC = "/_bench/static/card-sized.html"
CALLBACK = "http://127.0.0.1:5999/settings/integrations/qbo/callback"
CONFIG_ENV = "INBUILD_BENCH_PAGES_CONFIG"


def serve():
    """gunicorn's app factory (`benchmarks.bench_pages:serve()`): the app from the run's config, plus the static file."""
    from flask import send_from_directory

    config = json.loads(Path(os.environ[CONFIG_ENV]).read_text())
    static_folder = config.pop("BENCH_STATIC_FOLDER")
    app = create_app(config)
    app.add_url_rule("/_bench/static/<path:filename>", "bench_static",
                     lambda filename: send_from_directory(static_folder, filename))
    return app


def prepare(folder: Path, emulator_url: str) -> tuple[dict, str]:
    """Config for the workers, with Acme connected and mapped; the signed-in session cookie ('name=value')."""
    from qbo.records.demo_records import load_demo_records
    from tests.sync.conftest import acme_id, map_everything

    control(emulator_url, "clients", {"client_id": "inbuild-test-client", "client_secret": "inbuild-test-secret",
                                      "redirect_uris": [CALLBACK]})
    config = app_config(folder, emulator_url, redirect_uri=CALLBACK, TESTING=False, INTUIT_HTTP_TIMEOUT=30)
    app = create_app(config)
    with app.app_context():
        seed_accounts(get_db())
    admin = Browserless(app, app.test_client())
    admin.login("admin@acme.test")
    assert admin.connect().status_code == 302
    with app.app_context():
        company_id = acme_id(get_db())
        load_demo_records(get_db(), company_id)
        map_everything(get_db(), company_id, "9130350000000001")
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = admin.client.get_cookie(name)
    fragment = admin.client.get(CARD, headers={"HX-Request": "true"}).get_data()
    static_folder = folder / "static"
    static_folder.mkdir()
    (static_folder / Path(STATIC).name).write_bytes(b"x" * len(fragment))
    return {**config, "BENCH_STATIC_FOLDER": str(static_folder)}, f"{name}={cookie.value}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(config_path: Path, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, CONFIG_ENV: str(config_path)}
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--worker-class", "gthread", "--log-level", "warning",
         "benchmarks.bench_pages:serve()"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(url + STATIC, timeout=10)
            return process, url
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def check(url: str, cookie: str) -> dict[str, int]:
    """Each target answers 200 with what it should (a signed-in card, not the login page); its size in bytes."""
    sizes = {}
    for path, marker in ((STATIC, "x"), (CARD, 'id="qbo-card"'), (PAGE, 'id="qbo-card"')):
        response = requests.get(url + path, headers={"Cookie": cookie, "HX-Request": "true"} if path == CARD
                                else {"Cookie": cookie}, allow_redirects=False, timeout=10)
        assert response.status_code == 200 and marker in response.text, (path, response.status_code)
        sizes[path] = len(response.content)
    return sizes


def workers_cpu_seconds(master_pid: int) -> float | None:
    """User + system CPU time gunicorn's workers have used so far (every thread), or None without /proc."""
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        ticks = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime and stime, the stat file's 14th and 15th fields
    except OSError:
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(url: str, path: str, cookie: str, seconds: int, connections: int, master_pid: int) -> dict[str, float]:
    headers = ["-H", f"Cookie: {cookie}"] + (["-H", "HX-Request: true"] if path == CARD else [])
    cpu_before = workers_cpu_seconds(master_pid)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *headers, url + path],
                         capture_output=True, text=True, check=True).stdout
    cpu_after = workers_cpu_seconds(master_pid)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert not non_2xx, f"{path}: {non_2xx.group(1)} error responses\n{out}"
    requests_done = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": _ms(re.search(r"\s50%\s+([\d.]+\w+)", out).group(1)),
            "p99": _ms(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1)),
            "cpu_ms": (cpu_after - cpu_before) * 1000 / requests_done if cpu_before is not None else None}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def measure(url: str, cookie: str, args, master_pid: int) -> tuple[dict[str, dict], dict[str, float]]:
    """Each target's best round by req/s, and its lowest CPU time per request."""
    best: dict[str, dict] = {}
    cpu_ms: dict[str, float] = {}
    for _ in range(args.rounds):
        for path in (STATIC, CARD, PAGE):
            result = wrk(url, path, cookie, args.seconds, args.connections, master_pid)
            if path not in best or result["rps"] > best[path]["rps"]:
                best[path] = result
            if result["cpu_ms"] is not None:
                cpu_ms[path] = min(cpu_ms.get(path, result["cpu_ms"]), result["cpu_ms"])
    return best, cpu_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: sudo apt-get install -y wrk")
    logging.disable(logging.INFO)  # the in-process set-up's audit lines; the workers log as in production
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as folder:
        emulator, emulator_url = start_emulator(folder)
        gunicorn = None
        try:
            config, cookie = prepare(Path(folder), emulator_url)
            config_path = Path(folder) / "config.json"
            config_path.write_text(json.dumps(config))
            gunicorn, url = start_gunicorn(config_path, args.workers, args.threads)
            sizes = check(url, cookie)
            best, cpu_ms = measure(url, cookie, args, gunicorn.pid)
        finally:
            if gunicorn is not None:
                gunicorn.terminate()
                gunicorn.wait(timeout=30)
            emulator.terminate()
            emulator.wait(timeout=30)
    print(f"gunicorn gthread {args.workers} workers x {args.threads} threads; wrk 2 threads, {args.connections} "
          f"connections, {args.seconds}s per target, best of {args.rounds} rounds; {os.cpu_count()} CPUs")
    print(f"{'target':<36}{'bytes':>7}{'req/s':>10}{'x static':>10}{'p50 ms':>9}{'p99 ms':>9}{'p99/p50':>9}"
          f"{'CPU ms/req':>12}{'x static':>10}")
    for path, name in ((STATIC, "static file (card-sized)"), (CARD, "card fragment"), (PAGE, "integrations page")):
        r = best[path]
        cpu = (f"{cpu_ms[path]:>12.2f}{cpu_ms[STATIC] / cpu_ms[path]:>9.2f}x" if cpu_ms.get(path) and cpu_ms.get(STATIC)
               else f"{'n/a':>12}{'':>10}")
        print(f"{name:<36}{sizes[path]:>7}{r['rps']:>10.0f}{r['rps'] / best[STATIC]['rps']:>9.2f}x"
              f"{r['p50']:>9.2f}{r['p99']:>9.2f}{r['p99'] / r['p50']:>9.1f}{cpu}")


if __name__ == "__main__":
    main()
