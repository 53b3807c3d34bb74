"""Webhook jobs: process one company's recorded events, and a minute sweep for whatever is still waiting."""
from __future__ import annotations

from datetime import timedelta

from huey import crontab

from qbo.connection.access_tokens import qbo_client
from qbo.connection.webhook_store import companies_with_waiting_events, forget_processed
from qbo.jobs.queue import app_context, huey
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from qbo.sync.quickbooks_changes import process_company_events

# Settled events are kept this long, so Intuit's retries of an old delivery (every 6 hours) still find their ids.
KEEP_PROCESSED = timedelta(days=30)


@huey.task()
def process_webhook_events(company_id: int) -> int:
    """Act on the company's waiting webhook events; how many were settled."""
    with app_context():
        processed = process_company_events(get_db(), company_id, qbo_client, utcnow())
        return processed.done + processed.failed


@huey.periodic_task(crontab(minute="*"))
def sweep_webhook_events() -> list[int]:
    """Every minute: process events a job has not taken (queue down, worker died, a retry due); forget old ones."""
    with app_context():
        db, now = get_db(), utcnow()
        forget_processed(db, now - KEEP_PROCESSED)
        companies = companies_with_waiting_events(db, now)
        for company_id in companies:
            process_webhook_events(company_id)
        return companies
