"""The audit trail on the QuickBooks Online Settings page: newest first, paged, filtered by kind, CSV export."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

from qbo.accounts import store as accounts
from qbo.connection import audit
from qbo.storage.db import get_db
from tests.conftest import ALEX, REALM_1
from tests.web.test_integrations import finish_wizard

AUDIT = "/settings/integrations/qbo/audit"
T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)


def acme(app) -> int:
    with app.app_context():
        return accounts.find_company_by_name(get_db(), "Acme Construction").id


def test_connect_pause_and_disconnect_show_newest_first_with_the_quickbooks_user(app, admin, intuit):
    admin.connect(ALEX, REALM_1)
    finish_wizard(admin)
    assert admin.post("/settings/integrations/qbo/sync", {"enabled": "0"}).status_code == 302
    admin.post("/settings/integrations/qbo/disconnect")
    html = admin.client.get(AUDIT).get_data(as_text=True)
    rows = [line for line in html.split('class="audit-event"')[1:]]
    actions = [row.split('data-action="')[1].split('"')[0] for row in rows]
    assert actions[:3] == ["disconnected", "sync_paused", "connected"]
    assert ALEX in rows[0] and ALEX in rows[2] and "admin@acme.test" in rows[0]


def test_filter_by_kind_and_paging(app, admin):
    company_id = acme(app)
    with app.app_context():
        for n in range(30):
            audit.record(get_db(), company_id, None, audit.SYNCED, T0 + timedelta(minutes=n), detail=f"run {n}")
        audit.record(get_db(), company_id, None, audit.SYNC_PAUSED, T0 + timedelta(hours=2))
    first = admin.client.get(f"{AUDIT}?kind=synced").get_data(as_text=True)
    assert first.count('class="audit-event"') == 25 and "run 29" in first and "Page 1 of 2" in first
    assert 'data-action="sync_paused"' not in first
    second = admin.client.get(f"{AUDIT}?kind=synced&page=2").get_data(as_text=True)
    assert second.count('class="audit-event"') == 5 and "run 0" in second


def test_csv_export_escapes_cells_that_look_like_formulas(app, admin):
    company_id = acme(app)
    with app.app_context():
        audit.record(get_db(), company_id, None, audit.CONNECT_FAILED, T0, detail='=HYPERLINK("http://x","y")',
                     qbo_user="+1@example.com")
    response = admin.client.get(f"{AUDIT}.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["time (UTC)", "action", "inBuild user"]
    failed = next(row for row in rows if row[1] == "connect_failed")
    assert failed[6] == """'=HYPERLINK("http://x","y")""" and failed[3] == "'+1@example.com"


def test_standard_users_and_other_companies_see_nothing(app, make_client):
    company_id = acme(app)
    with app.app_context():
        audit.record(get_db(), company_id, None, audit.SYNCED, T0, detail="acme only")
    staff = make_client("staff@acme.test")
    assert staff.client.get(AUDIT).status_code == 403 and staff.client.get(f"{AUDIT}.csv").status_code == 403
    cedar = make_client("admin@cedar.test")
    assert "acme only" not in cedar.client.get(AUDIT).get_data(as_text=True)
