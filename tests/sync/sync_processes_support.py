"""Real processes for the sync tests: huey consumers started as `huey_consumer app.huey`, the job queue they
read, and one sync run in a process of its own (which the tests kill mid-batch).

A consumer builds its app with `create_app()` and no test config, as in production: the app reads
`instance/config.py` (created on first run) and then the FLASK_* variables, which point it at the test's database
and emulator. So that the first-run config lands in the test's temporary folder and never in the repository's
instance/, each consumer runs in a folder of its own holding a copy of app.py, found first on PYTHONPATH (the
`qbo` package still comes from the repository): Flask puts the instance folder next to app.py.

`python -m tests.sync.sync_processes_support run-sync CONFIG_JSON COMPANY_ID LEASE_SECONDS` runs one sync with
the engine's lease shortened to LEASE_SECONDS.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HUEY_CONSUMER = Path(sys.executable).parent / "huey_consumer"
QUEUE_NAME = "inbuild"  # qbo.jobs.queue's SqliteHuey name: the queue's rows are keyed by it
CONSUMER_CONFIG = ("SECRET_KEY", "TOKEN_ENCRYPTION_KEYS", "DATABASE", "INTUIT_ENVIRONMENT", "INTUIT_EMULATOR_URL",
                   "INTUIT_CLIENT_ID", "INTUIT_CLIENT_SECRET", "INTUIT_REDIRECT_URI")


def process_env(jobs_database: str, **extra: str) -> dict[str, str]:
    """This process's environment without FLASK_* variables or crash points, with the given job queue file.

    Every child gets INBUILD_JOBS_DATABASE: importing app.py creates the queue, by default in the repository's
    instance/ folder."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("FLASK_") and name != "INBUILD_CRASH_AT"}
    return {**env, "INBUILD_JOBS_DATABASE": jobs_database, **extra}


def flask_env(config: dict) -> dict[str, str]:
    """Config values as the FLASK_* variables `app.config.from_prefixed_env()` reads: each one JSON-encoded, so a
    string that happens to be valid JSON (a number-like secret) still arrives as a string."""
    return {f"FLASK_{name}": json.dumps(value) for name, value in config.items()}


def consumer_config(app, **overrides) -> dict:
    """What a consumer needs of the test app's config: its database, keys, secret and emulator."""
    return {**{name: app.config[name] for name in CONSUMER_CONFIG}, **overrides}


def wait_for(condition: Callable[[], object], timeout: float, what: str, logs: Callable[[], str] = lambda: "",
             interval: float = 0.02):
    """Poll until `condition()` is truthy and return its value; fail with `what` (and the logs) after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{logs()}")
        time.sleep(interval)


# --- huey consumers -----------------------------------------------------------------------------------------------


@dataclass
class Consumer:
    """One `huey_consumer app.huey` process, its folder (app.py copy, instance/) and its log."""

    name: str
    home: Path
    process: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def report(self) -> str:
        return f"--- {self.name} (pid {self.pid}, exit {self.process.poll()}) log:\n{self.log()}"

    def executed(self) -> list[str]:
        """Ids of the tasks this consumer ran to the end (huey logs '<task>: <id> executed in <s>s').

        Each line shows up twice: huey's handler, and the root handler create_app() sets up outside testing."""
        ids = [line.split(" executed in ")[0].rsplit(": ", 1)[-1]
               for line in self.log().splitlines() if " executed in " in line]
        return list(dict.fromkeys(ids))

    def running(self) -> bool:
        """True while the consumer lives; fails at once with its log if it died (say, app.py failed to import)."""
        assert self.process.poll() is None, f"{self.name} exited\n{self.report()}"
        return True

    def failed(self) -> list[str]:
        return [line for line in self.log().splitlines() if "Unhandled exception in task" in line]

    def wait_started(self, timeout: float = 20) -> None:
        wait_for(lambda: "consumer started" in self.log() or self.process.poll() is not None, timeout,
                 f"{self.name} to start", self.report)
        assert self.process.poll() is None, self.report()

    def stop(self, timeout: float = 10) -> None:
        """Graceful shutdown (SIGINT lets a running task finish); SIGKILL if it does not end in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)


def start_consumer(home: Path, config: dict, jobs_database: str, workers: int = 1) -> Consumer:
    """Start `huey_consumer app.huey -w N -k thread` in `home` (a copy of app.py; create_app() puts instance/ there).

    -n: no periodic tasks, so the minute tick does not queue extra runs while a test counts them; -d/-m: poll the
    queue every 50-200 ms instead of backing off to 10 s."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "app.py", home / "app.py")
    log_path = home / "consumer.log"
    env = process_env(jobs_database, PYTHONPATH=os.pathsep.join([str(home), str(REPO)]), **flask_env(config))
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(HUEY_CONSUMER), "app.huey", "-w", str(workers), "-k", "thread", "-n", "-d", "0.05", "-m", "0.2"],
            cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return Consumer(home.name, home, process, log_path)


class JobQueue:
    """The consumers' queue file, as the test process sees it: enqueue sync_company, read task results.

    The test process's own `app.huey` runs jobs inline (tests/conftest.py), so this is a second SqliteHuey on the
    consumers' file; messages are serialized by app.huey (same registry and default pickle serializer)."""

    def __init__(self, filename: str):
        from huey import SqliteHuey

        self.filename = filename
        self.huey = SqliteHuey(QUEUE_NAME, filename=filename)

    def enqueue_sync(self, company_id: int, trigger: str = "manual") -> str:
        from qbo.jobs.sync_tasks import sync_company

        task = sync_company.s(company_id, trigger)
        self.huey.storage.enqueue(sync_company.huey.serialize_task(task), task.priority)
        return task.id

    def result(self, task_id: str):
        """The task's return value (None when it returned None or has not run); raises TaskException if it failed."""
        return self.huey.result(task_id, preserve=True)

    def pending(self) -> int:
        return self.huey.pending_count()

    def close(self) -> None:
        self.huey.storage.close()


# --- one sync run in a process of its own --------------------------------------------------------------------------


def run_sync_command(config: dict, company_id: int, lease_seconds: float) -> list[str]:
    return [sys.executable, "-m", "tests.sync.sync_processes_support", "run-sync", json.dumps(config),
            str(company_id), str(lease_seconds)]


def run_sync_once(config: dict, company_id: int, lease_seconds: float) -> int:
    """One manual sync through create_app(config), the engine's lease shortened; prints how it ended."""
    from app import create_app
    from qbo.connection.access_tokens import qbo_client
    from qbo.storage.db import get_db
    from qbo.sync import engine
    from qbo.sync.pacing import Pacer

    engine.LEASE_SECONDS = lease_seconds
    app = create_app(config)
    worker = engine.Worker(f"subprocess:{os.getpid()}", qbo_client, Pacer(time.monotonic, time.sleep, time_scale=600))
    with app.app_context():
        attempt = engine.run_sync(get_db(), company_id, "manual", worker)
    print(f"run {attempt.run_id} ended: {attempt.reason or 'finished'}", flush=True)
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[0] == "run-sync":
        return run_sync_once(json.loads(argv[1]), int(argv[2]), float(argv[3]))
    print("usage: python -m tests.sync.sync_processes_support run-sync CONFIG_JSON COMPANY_ID LEASE_SECONDS",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
