"""The health job: every ten minutes, look after every connected company's QuickBooks connection."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from huey import crontab

from qbo.connection.health import HealthReport, health_pass
from qbo.connection.incidents import reconcile_incidents
from qbo.connection.notices import send_notices
from qbo.jobs.queue import app_context, huey
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow

log = logging.getLogger(__name__)
EVERY = timedelta(minutes=10)  # keep in step with the crontab below


@huey.periodic_task(crontab(minute="*/10"))
def look_after_connections() -> HealthReport:
    with app_context():
        db = get_db()
        report = health_pass(db, utcnow(), EVERY)
        log.info("health pass: %s", report)
        announce_incidents()
        return report


def announce_incidents() -> int:
    """One e-mail to the admins per broken spell of a connection, and one when it works again."""
    db = get_db()
    return send_notices(db, reconcile_incidents(db, utcnow()), current_app.config)
