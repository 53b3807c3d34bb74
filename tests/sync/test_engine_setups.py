"""The sync engine for companies set up differently: before the wizard is complete, invoices posted to items."""
from __future__ import annotations

import pytest
import requests

from qbo.records import documents
from qbo.records.documents import ApprovalStatus
from qbo.storage.db import get_db
from qbo.sync.engine import run_sync
from qbo.sync.store import get_run, sync_records
from tests.conftest import REALM_1
from tests.sync.conftest import map_everything, sync_worker
from tests.sync.test_engine import qbo_bills


@pytest.fixture
def records_only(app, acme_with_records):
    """Acme connected to Keystone with its demo records, the wizard not done: (db, company id) in an app context."""
    with app.app_context():
        yield get_db(), acme_with_records


def test_nothing_is_sent_before_the_wizard_is_complete(records_only, intuit):
    db, company_id = records_only
    attempt = run_sync(db, company_id, "manual", sync_worker())
    assert attempt.run_id is None and attempt.reason == "The Setup Wizard is not complete."
    assert qbo_bills(intuit) == []


def test_invoices_go_as_sales_lines_on_the_projects_customer(records_only, intuit):
    db, company_id = records_only
    map_everything(db, company_id, REALM_1, posting_style="item", invoices=True)
    run = get_run(db, run_sync(db, company_id, "manual", sync_worker()).run_id)
    invoices = [i for i in documents.list_invoices(db, company_id, limit=None, status=ApprovalStatus.APPROVED)
                if i.invoice_date.year >= 2026]
    states = sync_records(db, company_id, REALM_1, kind="invoice")
    stored = requests.get(f"{intuit.url}/_emulator/api/realms/{REALM_1}/entities/Invoice", timeout=10).json()
    assert invoices and run.failed == 0 and len(states) == len(invoices) == stored["count"]
    first = stored["entities"][0]
    assert first["Line"][0]["DetailType"] == "SalesItemLineDetail" and first["CustomerRef"]["value"]
    bills = qbo_bills(intuit)
    assert bills and bills[0]["Line"][0]["DetailType"] == "ItemBasedExpenseLineDetail"
