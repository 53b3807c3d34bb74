"""The payment column on the bills and invoices lists and the payment line on a record page (Flask test client)."""
from __future__ import annotations

import re
from datetime import date

import pytest

from app import create_app
from qbo.accounts import store as accounts
from qbo.records import documents
from qbo.records.demo_records import load_demo_records
from qbo.storage.db import get_db, immediate
from qbo.sync.payment_store import save_payment_status
from qbo.sync.payments import PaymentState, PaymentStatus
from qbo.sync.store import DELETED, SYNCED, save_state
from tests.conftest import REALM_1, REALM_2, REALM_3, app_config, seed_accounts
from tests.sync.payment_fakes import NOW, connect

PAID = PaymentStatus(PaymentState.PAID, 100000, 0, date(2026, 11, 30))
PARTLY = PaymentStatus(PaymentState.PARTLY_PAID, 100000, 60000)
OPEN = PaymentStatus(PaymentState.OPEN, 100000, 100000)
ROW = re.compile(r'<tr class="document-row" data-testid="(?:bill|invoice)-row">(.*?)</tr>', re.S)
NUMBER = re.compile(r'<a href="/records/(?:bills|invoices)/(\d+)">')
CELL = re.compile(r'<td data-testid="payment-cell">(.*?)</td>', re.S)


def in_quickbooks(db, company_id: int, kind: str, record_id: int, realm_id: str, payment: PaymentStatus | None,
                  status: str = SYNCED) -> None:
    with immediate(db):
        save_state(db, company_id, realm_id, kind, record_id, NOW, status=status, qbo_id=f"{kind}-{record_id}",
                   sync_token="1", version="v", synced_version="v", request_id="r", synced_at=NOW)
        if payment is not None:
            save_payment_status(db, company_id, realm_id, kind, record_id, payment, "2", NOW)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """Acme connected to Keystone and Cedar to Summit Ridge, each with demo records and payment statuses.

    Shared by this module's tests, which only read."""
    app = create_app(app_config(tmp_path_factory.mktemp("payment_pages"), "http://127.0.0.1:9"))
    with app.app_context():
        db = get_db()
        seed_accounts(db)
        acme, cedar = (accounts.find_company_by_name(db, name).id for name in ("Acme Construction", "Cedar Homes"))
        for company_id, realm_id in ((acme, REALM_1), (cedar, REALM_3)):
            load_demo_records(db, company_id)
            connect(app, db, company_id, realm_id)
        bills = [bill.id for bill in documents.list_bills(db, acme, limit=6)]
        for record_id, payment in zip(bills, (PAID, PARTLY, OPEN, None)):
            in_quickbooks(db, acme, "bill", record_id, REALM_1, payment)
        in_quickbooks(db, acme, "bill", bills[4], REALM_1, PAID, status=DELETED)  # removed from QuickBooks
        in_quickbooks(db, acme, "bill", bills[5], REALM_2, PAID)  # paid in a QuickBooks company Acme left
        invoice = documents.list_invoices(db, acme, limit=1)[0].id
        in_quickbooks(db, acme, "invoice", invoice, REALM_1, PARTLY)
        cedar_bill = documents.list_bills(db, cedar, limit=1)[0].id
        in_quickbooks(db, cedar, "bill", cedar_bill, REALM_3, PAID)
        app.config["TEST_IDS"] = {"bills": bills, "invoice": invoice, "cedar_bill": cedar_bill}
    return app


def cells(html: str) -> dict[int, str]:
    """record id -> the text of its payment cell."""
    found = {}
    for row in ROW.findall(html):
        text = re.sub(r"<[^>]+>", "", CELL.search(row).group(1))
        found[int(NUMBER.search(row).group(1))] = " ".join(text.split())
    return found


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def test_the_bills_list_says_paid_partly_paid_open_or_nothing(app, make_client):
    bills = app.config["TEST_IDS"]["bills"]
    html = page(make_client("admin@acme.test").client, "/records/bills")
    shown = cells(html)
    assert '<th scope="col">Payment</th>' in html
    assert [shown[record_id] for record_id in bills] == [
        "Paid 2026-11-30", "Partly paid: $400.00 of $1,000.00", "Open", "", "", ""]
    assert 'data-payment-state="paid"' in html


def test_a_standard_member_sees_payments_too_and_the_invoices_list_has_its_column(app, make_client):
    html = page(make_client("staff@acme.test").client, "/records/invoices")
    assert cells(html)[app.config["TEST_IDS"]["invoice"]] == "Partly paid: $400.00 of $1,000.00"


def test_the_record_page_has_a_payment_line(app, make_client):
    client = make_client("admin@acme.test").client
    paid, _, _, unchecked = app.config["TEST_IDS"]["bills"][:4]
    html = page(client, f"/records/bills/{paid}")
    assert re.search(r'<dt>Payment</dt><dd data-testid="payment-status">\s*<span[^>]*>Paid 2026-11-30</span>', html)
    assert 'data-testid="payment-status"' not in page(client, f"/records/bills/{unchecked}")
    invoice = page(client, f"/records/invoices/{app.config['TEST_IDS']['invoice']}")
    assert "Partly paid: $400.00 of $1,000.00" in invoice


def test_another_companys_payments_are_never_shown(app, make_client):
    cedar_bill = app.config["TEST_IDS"]["cedar_bill"]
    acme = make_client("admin@acme.test").client
    assert acme.get(f"/records/bills/{cedar_bill}").status_code == 404
    assert cedar_bill not in cells(page(acme, "/records/bills"))
    cedar = cells(page(make_client("admin@cedar.test").client, "/records/bills"))
    assert cedar[cedar_bill] == "Paid 2026-11-30" and list(cedar.values()).count("Paid 2026-11-30") == 1


def test_the_search_fragment_keeps_the_column(app, make_client):
    response = make_client("admin@acme.test").client.get("/records/bills?q=-", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.startswith('<div id="record-results"') and '<th scope="col">Payment</th>' in html
    assert "Paid 2026-11-30" in cells(html).values()
