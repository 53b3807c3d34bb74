"""Payments back from QuickBooks Desktop in the browser: after a Web Connector update reads them, the bills list of
a Desktop-connected company says Paid (and Open), offers no Online-only Resync, and stays accessible."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from qbo.records import documents
from qbo.storage.db import get_db
from tests.browser.conftest import assert_accessible, sign_in
from tests.desktop.conftest import Desktop, company_id
from tests.desktop.payments_support import make_payment_reads_due, synced, txn_id

pytestmark = pytest.mark.browser


def bill_number(app, record_id: int) -> str:
    with app.app_context():
        return documents.get_bill(get_db(), company_id(app), record_id).number


def test_a_bill_paid_in_quickbooks_desktop_says_paid_on_the_bills_list(page: Page, live_app):
    app = live_app.flask_app
    desktop = Desktop(app, live_app).connect()
    records = synced(app, desktop)
    company = desktop.quickbooks.company
    paid, unpaid = records.bills[0], records.bills[1]
    company.pay("Bill", company.find_transaction("Bill", txn_id=txn_id(app, "bill", paid)), txn_date="2026-11-27")
    make_payment_reads_due(app)
    assert desktop.update().percents[-1] == 100

    sign_in(page, live_app.url)
    page.goto(f"{live_app.url}/records/bills")
    for record_id, label in ((paid, "Paid 2026-11-27"), (unpaid, "Open")):
        number = bill_number(app, record_id)
        row = page.locator("[data-testid=bill-row]", has=page.get_by_role("link", name=number, exact=True))
        expect(row.locator("[data-testid=payment-cell]")).to_have_text(label)
        expect(row.get_by_role("button", name="Resync")).to_have_count(0)  # the Web Connector sends edits itself
    assert_accessible(page, "the bills list of a Desktop-connected company with a paid row")
