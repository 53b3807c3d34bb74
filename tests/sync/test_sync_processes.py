"""The sync across real OS processes sharing one SQLite file, against the emulator as a real server.

- a `huey_consumer app.huey` process, its app built by create_app() from FLASK_* variables, runs a queued sync;
- two consumers and an in-process run compete for one company: one run at a time, each bill sent once;
- a process killed (SIGKILL) while QuickBooks is still working on its batch: the next run, once the dead
  worker's lease expired, finds what arrived instead of sending it again, and closes the dead run.
"""
from __future__ import annotations

import itertools
import signal
import subprocess
import time

import pytest
import requests

from qbo.records import documents
from qbo.records.documents import ApprovalStatus
from qbo.storage.db import connect, get_db
from qbo.sync.engine import run_sync
from qbo.sync.store import FINISHED, SENDING, STOPPED, SYNCED, get_run, lease_holder, recent_runs, sync_records
from tests.conftest import REALM_1, app_config
from tests.support.reliability_figures import FAULT_INJECTION, exactly_once
from tests.sync.conftest import sync_worker
from tests.sync.sync_processes_support import (
    REPO, JobQueue, consumer_config, process_env, run_sync_command, start_consumer, wait_for,
)

pytestmark = pytest.mark.slow

ABANDONED = "The worker running it stopped; the next run picked up."
ALREADY_RUNNING = "A sync is already running for this company."
SLOW_BATCH_SECONDS = 3


@pytest.fixture
def store(app):
    """A connection of the test's own to the app's database file (no app context needed to poll it)."""
    db = connect(app.config["DATABASE"])
    yield db
    db.close()


@pytest.fixture
def jobs(tmp_path):
    queue = JobQueue(str(tmp_path / "jobs.sqlite3"))
    yield queue
    queue.close()


@pytest.fixture
def consumers(tmp_path, app, jobs):
    """Start consumers by name (each in tmp_path/<name>); all are stopped at the end of the test."""
    started = []

    def start(name: str, workers: int = 1):
        config = consumer_config(app, INTUIT_HTTP_TIMEOUT=10, SYNC_TIME_SCALE=600)
        consumer = start_consumer(tmp_path / name, config, jobs.filename, workers)
        started.append(consumer)
        return consumer

    yield start
    for consumer in started:
        consumer.stop()


def approved_numbers(db, company_id: int) -> list[str]:
    """Bill numbers of the approved bills the wizard's start date (2026-01-01) lets through."""
    return sorted(b.number for b in documents.list_bills(db, company_id, limit=None, status=ApprovalStatus.APPROVED)
                  if b.bill_date.year >= 2026)


def numbers_in_quickbooks(intuit) -> list[str]:
    answer = requests.get(f"{intuit.url}/_emulator/api/realms/{REALM_1}/entities/Bill", timeout=10).json()
    assert answer["count"] == len(answer["entities"])
    return sorted(b["DocNumber"] for b in answer["entities"])


def runs_in_order(db, company_id: int):
    return sorted(recent_runs(db, company_id, limit=1000), key=lambda run: run.started_at)


def assert_runs_never_overlap(runs) -> None:
    assert runs and all(run.finished_at is not None for run in runs), runs
    for earlier, later in itertools.pairwise(runs):
        assert earlier.finished_at <= later.started_at, f"runs {earlier.id} and {later.id} overlap"


def sending(db, company_id: int) -> list:
    return list(sync_records(db, company_id, REALM_1, [SENDING]).values())


def slow_next_batch(intuit, seconds: float = SLOW_BATCH_SECONDS) -> None:
    """The next Batch request sleeps `seconds` before it runs (and commits); it is answered after that."""
    intuit.post("faults", {"kind": "slow", "endpoint": "api", "resource": "batch", "seconds": seconds, "count": 1})


def faults_left(intuit) -> list:
    return requests.get(f"{intuit.url}/_emulator/api/faults", timeout=10).json()


def test_a_huey_consumer_runs_a_queued_sync_and_sends_each_approved_bill_once(acme, intuit, store, jobs, consumers):
    consumer = consumers("consumer")
    task_id = jobs.enqueue_sync(acme, "manual")

    def finished_run():
        return consumer.running() and next((r for r in recent_runs(store, acme) if not r.running), None)

    run = wait_for(finished_run, 30, "the queued sync to finish", consumer.report)
    wait_for(lambda: task_id in consumer.executed(), 10, "huey to log the task as executed", consumer.report)

    assert consumer.failed() == [] and jobs.pending() == 0
    # huey logs "executed" just before it stores the result.
    assert wait_for(lambda: jobs.result(task_id), 10, "the task's result", consumer.report) == run.id
    assert (run.trigger, run.outcome, run.stop_reason) == ("manual", FINISHED, "")
    numbers = approved_numbers(store, acme)
    assert numbers and run.created == len(numbers) and run.failed == 0
    assert numbers_in_quickbooks(intuit) == numbers
    states = sync_records(store, acme, REALM_1)
    assert len(states) == len(numbers) and {s.status for s in states.values()} == {SYNCED}
    # create_app() without a test config wrote its first-run config next to the consumer's app.py copy.
    assert (consumer.home / "instance" / "config.py").is_file()
    assert [r.id for r in recent_runs(store, acme)] == [run.id]


def test_two_consumers_and_an_in_process_run_never_sync_one_company_at_once(app, acme, intuit, store, jobs, consumers,
                                                                            reliability_figure):
    first, second = consumers("consumer-a"), consumers("consumer-b")
    first.wait_started()
    second.wait_started()
    slow_next_batch(intuit)
    tasks = [jobs.enqueue_sync(acme, "manual"), jobs.enqueue_sync(acme, "manual")]

    def logs() -> str:
        return first.report() + "\n" + second.report()

    # The winner is inside its first (slow) batch: its records are `sending` and it holds the lease.
    wait_for(lambda: first.running() and second.running() and sending(store, acme) and not faults_left(intuit), 20,
             "the first batch to be in flight", logs)
    holder = lease_holder(store, acme, time.time())
    assert holder is not None and int(holder.split(":")[1]) in (first.pid, second.pid)
    with app.app_context():
        refused = run_sync(get_db(), acme, "manual", sync_worker("in-process"))
    assert (refused.run_id, refused.reason) == (None, ALREADY_RUNNING)

    wait_for(lambda: set(tasks) <= set(first.executed() + second.executed()), 30, "both queued tasks to run", logs)
    assert first.failed() == second.failed() == []
    assert len(first.executed()) == len(second.executed()) == 1, "each consumer ran one of the two tasks"

    with app.app_context():  # the lease was released: a run now starts, and finds nothing left to send
        last = run_sync(get_db(), acme, "manual", sync_worker("in-process"))
    assert last.run_id is not None and last.reason == ""
    assert (get_run(store, last.run_id).planned, get_run(store, last.run_id).created) == (0, 0)

    runs = runs_in_order(store, acme)
    assert_runs_never_overlap(runs)
    # Each consumer run is the result of one task; a task refused by the lease returned None (stored as nothing).
    by_consumers = {r.id for r in runs} - {last.run_id}
    assert by_consumers, "a consumer ran the sync"
    wait_for(lambda: {jobs.result(task) for task in tasks} - {None} == by_consumers, 10,
             f"the tasks' results to name runs {sorted(by_consumers)}", logs)
    assert all(r.outcome == FINISHED and r.stop_reason != ABANDONED for r in runs)
    numbers = approved_numbers(store, acme)
    assert sum(r.created for r in runs) == len(numbers)
    exactly_once(reliability_figure, FAULT_INJECTION, numbers_in_quickbooks(intuit), numbers)
    assert {s.status for s in sync_records(store, acme, REALM_1).values()} == {SYNCED}


def test_a_process_killed_mid_batch_is_picked_up_by_the_next_run_without_sending_twice(
        tmp_path, app, acme, intuit, store, reliability_figure):
    lease_seconds = 2.0
    config = {**app_config(tmp_path, intuit.url, INTUIT_HTTP_TIMEOUT=10),
              "TOKEN_ENCRYPTION_KEYS": app.config["TOKEN_ENCRYPTION_KEYS"]}
    assert config["DATABASE"] == app.config["DATABASE"]
    slow_next_batch(intuit)
    with open(tmp_path / "doomed.log", "wb") as log:
        doomed = subprocess.Popen(run_sync_command(config, acme, lease_seconds), cwd=REPO,
                                  env=process_env(str(tmp_path / "jobs.sqlite3")), stdout=log,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def output() -> str:
        return (tmp_path / "doomed.log").read_text(errors="replace")

    try:
        # The emulator took the slow fault: the batch is in flight, sleeping before it commits.
        wait_for(lambda: sending(store, acme) and not faults_left(intuit), 20, "the batch to be in flight", output)
        doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=10) == -signal.SIGKILL
    finally:
        if doomed.poll() is None:
            doomed.kill()
            doomed.wait(timeout=10)

    killed_run = recent_runs(store, acme)[0]
    in_flight = sending(store, acme)
    assert killed_run.running and len(in_flight) == 30 and all(s.qbo_id is None for s in in_flight)
    holder = lease_holder(store, acme, time.time())
    assert holder == f"subprocess:{doomed.pid}", "the dead process's lease holds until it expires"
    with app.app_context():
        refused = run_sync(get_db(), acme, "manual", sync_worker("next-worker"))
    assert (refused.run_id, refused.reason) == (None, ALREADY_RUNNING)

    # QuickBooks finishes the dead process's batch (commits, then answers a closed socket); the lease expires.
    wait_for(lambda: any(c["fault"] == "slow" for c in intuit.calls("api")), SLOW_BATCH_SECONDS + 10,
             "the emulator to finish the killed process's batch")
    wait_for(lambda: lease_holder(store, acme, time.time()) is None, lease_seconds + 5, "the lease to expire")
    with app.app_context():
        attempt = run_sync(get_db(), acme, "manual", sync_worker("next-worker"))
    assert attempt.run_id is not None and attempt.reason == ""

    numbers = approved_numbers(store, acme)
    exactly_once(reliability_figure, FAULT_INJECTION, numbers_in_quickbooks(intuit), numbers)
    states = sync_records(store, acme, REALM_1)
    assert len(states) == len(numbers) and {s.status for s in states.values()} == {SYNCED}
    assert all(states[(s.kind, s.record_id)].qbo_id for s in in_flight)
    dead, next_run = get_run(store, killed_run.id), get_run(store, attempt.run_id)
    assert (dead.outcome, dead.stop_reason) == (STOPPED, ABANDONED)
    assert dead.finished_at <= next_run.started_at
    # The killed batch's 30 bills were found in QuickBooks, not planned and sent again; the rest were created.
    assert (next_run.outcome, next_run.planned, next_run.created, next_run.failed) == \
        (FINISHED, len(numbers) - 30, len(numbers), 0)
    assert "ended" not in output(), output()
