"""Payments jobs: one company's change-data-capture pass, and the minute tick that queues the companies due one."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from huey import crontab

from qbo.connection.access_tokens import qbo_client
from qbo.jobs.queue import app_context, huey
from qbo.storage.db import get_db, immediate
from qbo.storage.timeutil import utcnow
from qbo.sync.payment_checks import check_payments
from qbo.sync.payment_store import companies_due_a_payment_check, note_attempt

DEFAULT_EVERY_MINUTES = 15


@huey.task()
def check_company_payments(company_id: int) -> str:
    """Read back what changed in the company's QuickBooks payments since its last pass."""
    with app_context():
        return check_payments(get_db(), company_id, qbo_client, utcnow())


@huey.periodic_task(crontab(minute="*"))
def schedule_payment_checks() -> list[int]:
    """Every minute: queue a pass for each connected company not checked for PAYMENTS_CHECK_MINUTES."""
    with app_context():
        db, now = get_db(), utcnow()
        every = timedelta(minutes=float(current_app.config.get("PAYMENTS_CHECK_MINUTES", DEFAULT_EVERY_MINUTES)))
        due = companies_due_a_payment_check(db, now - every)
        with immediate(db):  # queued counts as attempted, so a busy queue does not get the same company twice
            for company_id, realm_id in due:
                note_attempt(db, company_id, realm_id, "queued", now)
        for company_id, _ in due:
            check_company_payments(company_id)
        return [company_id for company_id, _ in due]
