"""Payments back in the browser: a synced bill paid inside QuickBooks says Paid on the bills list after one webhook
delivery, and the page with its new column stays accessible."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from qbo.connection.access_tokens import qbo_client
from qbo.records import documents
from qbo.storage.db import get_db
from qbo.sync.engine import run_sync
from qbo.sync.store import SYNCED, sync_records
from qbo.web.webhooks import DEMO_VERIFIER_TOKEN
from tests.browser.conftest import assert_accessible
from tests.browser.test_sync_flows import connected_and_mapped
from tests.conftest import REALM_1
from tests.sync.conftest import sync_worker

pytestmark = pytest.mark.browser


def pay_in_quickbooks(live_app, company_id: int, qbo_id: str) -> None:
    """A Check BillPayment for the bill's whole balance, made through the emulator's API with the realm's token."""
    with live_app.flask_app.app_context():
        client = qbo_client(get_db(), company_id)
        bill = client.read("Bill", qbo_id)
        bank = next(a for a in client.query_all("Account") if a.get("AccountType") == "Bank")
        client.create("BillPayment", {
            "VendorRef": bill["VendorRef"], "PayType": "Check", "TotalAmt": bill["Balance"], "TxnDate": "2026-11-30",
            "CheckPayment": {"BankAccountRef": {"value": bank["Id"]}},
            "Line": [{"Amount": bill["Balance"], "LinkedTxn": [{"TxnId": qbo_id, "TxnType": "Bill"}]}]})


def test_a_bill_paid_in_quickbooks_says_paid_on_the_bills_list(page: Page, live_app, intuit):
    company_id = connected_and_mapped(page, live_app)
    with live_app.flask_app.app_context():
        db = get_db()
        run_sync(db, company_id, "manual", sync_worker())
        state = next(s for (kind, _), s in sync_records(db, company_id, REALM_1).items()
                     if kind == "bill" and s.status == SYNCED)
        number = documents.get_bill(db, company_id, state.record_id).number
    intuit.post("webhooks", {"url": f"{live_app.url}/intuit/webhooks", "verifier_token": DEMO_VERIFIER_TOKEN,
                             "format": "cloudevents", "enabled": True, "hold": True})
    pay_in_quickbooks(live_app, company_id, state.qbo_id)
    assert [d["status"] for d in intuit.post("webhooks/deliver")["deliveries"]] == [200]
    page.goto(f"{live_app.url}/records/bills?q={number}")
    row = page.locator("[data-testid=bill-row]", has=page.get_by_role("link", name=number, exact=True))
    expect(row.locator("[data-testid=payment-cell]")).to_have_text("Paid 2026-11-30")
    expect(page.get_by_role("columnheader", name="Payment")).to_be_visible()
    assert_accessible(page, "the bills list with a paid row")
