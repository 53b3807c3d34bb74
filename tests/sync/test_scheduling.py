"""The minute tick: which companies are due for their scheduled run."""
from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time

from qbo.connection.realm_settings import set_sync_enabled
from qbo.jobs.sync_tasks import due_companies
from qbo.storage.db import get_db
from qbo.sync.store import finish_run, start_run
from tests.conftest import REALM_1
from tests.sync.conftest import NOW


def test_a_company_is_due_once_its_interval_has_passed_and_never_while_paused(acme, app, app_context):
    db = get_db()
    with freeze_time(NOW):
        assert due_companies() == [acme]  # never synced
        finish_run(db, start_run(db, acme, REALM_1, "scheduled", NOW), "finished", "", NOW)
        assert due_companies() == []
    with freeze_time(NOW + timedelta(minutes=app.config["SYNC_INTERVAL_MINUTES"] - 1)):
        assert due_companies() == []
    with freeze_time(NOW + timedelta(minutes=app.config["SYNC_INTERVAL_MINUTES"])):
        assert due_companies() == [acme]
        set_sync_enabled(db, acme, REALM_1, False, NOW)
        assert due_companies() == []
