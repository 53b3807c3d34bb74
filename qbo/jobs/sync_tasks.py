"""Sync jobs: one company's run (scheduled, Sync now, Retry), and the minute tick that schedules them."""
from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from datetime import timedelta

from flask import current_app
from huey import crontab

from qbo.connection.access_tokens import qbo_client
from qbo.connection.store import connected_company_ids
from qbo.jobs.queue import app_context, huey
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from qbo.sync.engine import Worker, blocker, run_sync
from qbo.sync.pacing import Pacer
from qbo.sync.store import last_run_started


def make_worker() -> Worker:
    """A worker for this process and thread, paced on the app's time scale (1 in production)."""
    owner = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"
    pacer = Pacer(time.monotonic, time.sleep, time_scale=float(current_app.config["SYNC_TIME_SCALE"]))
    return Worker(owner, qbo_client, pacer)


@huey.task()
def sync_company(company_id: int, trigger: str = "scheduled", only: list | None = None) -> int | None:
    """Run one sync for a company; None when it could not start (another run holds the lease, paused...)."""
    with app_context():
        keys = {(kind, int(record_id)) for kind, record_id in only} if only else None
        return run_sync(get_db(), company_id, trigger, make_worker(), keys).run_id


@huey.periodic_task(crontab(minute="*"))
def schedule_syncs() -> list[int]:
    """Every minute: queue a run for each company whose last run is older than SYNC_INTERVAL_MINUTES."""
    with app_context():
        return [company_id for company_id in due_companies() if sync_company(company_id) is not None]


def due_companies() -> list[int]:
    db, now = get_db(), utcnow()
    interval = timedelta(minutes=float(current_app.config["SYNC_INTERVAL_MINUTES"]))
    due = []
    for company_id in connected_company_ids(db):
        last = last_run_started(db, company_id)
        if (last is None or now - last >= interval) and blocker(db, company_id) is None:
            due.append(company_id)
    return due
