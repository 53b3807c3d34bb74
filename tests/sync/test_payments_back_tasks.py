"""The minute tick that queues each connected company's payments pass every PAYMENTS_CHECK_MINUTES."""
from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from app import create_app
from qbo.accounts import store as accounts
from qbo.jobs.payment_tasks import schedule_payment_checks
from qbo.storage.db import get_db
from qbo.sync.payment_store import get_cursor
from tests.conftest import REALM_1, REALM_3, app_config, seed_accounts
from tests.sync.payment_fakes import NOW, connect


@pytest.fixture
def app(tmp_path):
    app = create_app(app_config(tmp_path, "http://127.0.0.1:9", PAYMENTS_CHECK_MINUTES=15))
    with app.app_context():
        db = get_db()
        seed_accounts(db)
        for name, realm_id in (("Acme Construction", REALM_1), ("Cedar Homes", REALM_3)):
            connect(app, db, accounts.find_company_by_name(db, name).id, realm_id)
    return app


def test_each_connected_company_is_checked_once_per_interval(app):
    with app.app_context(), freeze_time(NOW) as clock:
        db = get_db()
        acme, cedar = (accounts.find_company_by_name(db, n).id for n in ("Acme Construction", "Cedar Homes"))
        assert schedule_payment_checks.call_local() == [acme, cedar]
        assert get_cursor(db, acme, REALM_1).last_outcome == "nothing synced to this QuickBooks company yet"
        clock.tick(timedelta(minutes=14))
        assert schedule_payment_checks.call_local() == []
        db.execute("UPDATE connections SET state = 'disconnected' WHERE company_id = ?", [cedar])
        clock.tick(timedelta(minutes=2))
        assert schedule_payment_checks.call_local() == [acme]
