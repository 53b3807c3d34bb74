"""The health job: every ten minutes, look after every connected company's QuickBooks connection."""
from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab

from qbo.connection.health import HealthReport, health_pass
from qbo.jobs.queue import app_context, huey
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow

log = logging.getLogger(__name__)
EVERY = timedelta(minutes=10)  # keep in step with the crontab below


@huey.periodic_task(crontab(minute="*/10"))
def look_after_connections() -> HealthReport:
    with app_context():
        report = health_pass(get_db(), utcnow(), EVERY)
        log.info("health pass: %s", report)
        return report
