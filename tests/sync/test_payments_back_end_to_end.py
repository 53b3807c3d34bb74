"""Payments back, end to end: bills and invoices synced to the emulator (a real server), paid there through its API,
read back through its signed webhooks and through the change-data-capture pass, shown on the inBuild rows."""
from __future__ import annotations

import re
import time
from datetime import date, timedelta

import pytest
import requests

from qbo.accounts import store as accounts
from qbo.connection.access_tokens import qbo_client
from qbo.records import documents
from qbo.records.demo_records import load_demo_records
from qbo.storage.db import get_db, immediate
from qbo.storage.timeutil import utcnow
from qbo.sync.engine import run_sync
from qbo.sync.payment_checks import check_payments
from qbo.sync.payment_store import payment_statuses
from qbo.sync.payments import PaymentState, dollars
from qbo.sync.store import SYNCED, save_state, sync_records
from qbo.web.webhooks import DEMO_VERIFIER_TOKEN
from tests.conftest import ALEX, REALM_1
from tests.support.live_server import serve
from tests.sync.conftest import acme_id, map_everything, sync_worker

PAID_ON = date(2026, 11, 28)
# Reading back a thousand bills while other test processes share the cores: a timeout only a dead emulator reaches.
pytestmark = pytest.mark.intuit_timeout(10)


@pytest.fixture
def synced(app, admin):
    """Acme connected to Keystone, bills and invoices synced (posting to items): {(kind, record id): sync state}."""
    admin.connect(ALEX, REALM_1)
    with app.app_context():
        db = get_db()
        company_id = acme_id(db)
        load_demo_records(db, company_id)
        map_everything(db, company_id, REALM_1, posting_style="item", invoices=True)
        assert run_sync(db, company_id, "manual", sync_worker()).run_id is not None
        states = {key: state for key, state in sync_records(db, company_id, REALM_1).items()
                  if state.status == SYNCED}
    assert {kind for kind, _ in states} == {"bill", "invoice"}
    return states


@pytest.fixture
def live_app(app):
    server = serve(app)
    yield server
    server.stop()


@pytest.fixture
def held_webhooks(intuit, live_app):
    """From now on the emulator keeps its webhook events until the test delivers them."""
    intuit.post("webhooks", {"url": f"{live_app.url}/intuit/webhooks", "verifier_token": DEMO_VERIFIER_TOKEN,
                             "format": "cloudevents", "enabled": True, "hold": True})


class QuickBooks:
    """Payments made inside QuickBooks, through the emulator's API with the realm's own token."""

    def __init__(self, app):
        self.app = app

    def client(self):
        return qbo_client(get_db(), acme_id(get_db()))

    def pay(self, kind: str, qbo_id: str, amount: float | None = None, day: date = PAID_ON) -> dict:
        with self.app.app_context():
            client = self.client()
            document = client.read("Bill" if kind == "bill" else "Invoice", qbo_id)
            amount = document["Balance"] if amount is None else amount
            line = {"Amount": amount,
                    "LinkedTxn": [{"TxnId": qbo_id, "TxnType": "Bill" if kind == "bill" else "Invoice"}]}
            if kind == "bill":
                bank = next(a for a in client.query_all("Account") if a.get("AccountType") == "Bank")
                return client.create("BillPayment", {
                    "VendorRef": document["VendorRef"], "PayType": "Check", "TotalAmt": amount,
                    "TxnDate": day.isoformat(), "CheckPayment": {"BankAccountRef": {"value": bank["Id"]}},
                    "Line": [line]})
            return client.create("Payment", {"CustomerRef": document["CustomerRef"], "TotalAmt": amount,
                                             "TxnDate": day.isoformat(), "Line": [line]})

    def delete(self, entity: str, payment: dict) -> None:
        with self.app.app_context():
            current = self.client().read(entity, payment["Id"])
            self.client().delete(entity, payment["Id"], current["SyncToken"])

    def total(self, kind: str, qbo_id: str) -> float:
        with self.app.app_context():
            return self.client().read("Bill" if kind == "bill" else "Invoice", qbo_id)["TotalAmt"]


@pytest.fixture
def quickbooks(app):
    return QuickBooks(app)


def deliver(intuit) -> list[dict]:
    """Send what the emulator holds, now; each delivery is processed before its answer comes back."""
    sent = intuit.post("webhooks/deliver")["deliveries"]
    assert sent and all(delivery["status"] == 200 for delivery in sent), sent
    return sent


def statuses(app, kind: str = "bill") -> dict:
    with app.app_context():
        db = get_db()
        return {record_id: stored.status for record_id, stored in
                payment_statuses(db, acme_id(db), REALM_1, kind).items()}


def pass_now(app) -> str:
    with app.app_context():
        db = get_db()
        return check_payments(db, acme_id(db), qbo_client, utcnow())


def two(states: dict, kind: str) -> list:
    return sorted((state for (k, _), state in states.items() if k == kind), key=lambda s: s.record_id)[:2]


def payment_cell(admin, kind: str, record_id: int) -> str:
    html = admin.client.get(f"/records/{kind}s/{record_id}").get_data(as_text=True)
    match = re.search(r'data-testid="payment-status">(.*?)</dd>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split()) if match else ""


def test_bills_paid_in_full_and_in_part_show_on_their_rows_after_one_delivery(app, admin, synced, quickbooks,
                                                                              intuit, held_webhooks):
    full, part = two(synced, "bill")
    quickbooks.pay("bill", full.qbo_id)
    quickbooks.pay("bill", part.qbo_id, 400)
    deliver(intuit)
    total = round(quickbooks.total("bill", part.qbo_id) * 100)
    assert statuses(app)[full.record_id].label == "Paid 2026-11-28"
    assert statuses(app)[part.record_id].label == f"Partly paid: $400.00 of {dollars(total)}"
    assert payment_cell(admin, "bill", full.record_id) == "Paid 2026-11-28"
    for record_id, label in ((full.record_id, "Paid 2026-11-28"), (part.record_id, "Partly paid: $400.00 of ")):
        with app.app_context():
            number = documents.get_bill(get_db(), acme_id(get_db()), record_id).number
        listing = admin.client.get("/records/bills", query_string={"q": number}).get_data(as_text=True)
        assert re.search(rf'data-payment-state="[a-z_]+">{re.escape(label)}', listing)


def test_deleting_the_payment_brings_the_bill_back_to_open(app, synced, quickbooks, intuit, held_webhooks):
    bill, _ = two(synced, "bill")
    payment = quickbooks.pay("bill", bill.qbo_id)
    deliver(intuit)
    assert statuses(app)[bill.record_id].state is PaymentState.PAID
    quickbooks.delete("BillPayment", payment)
    deliver(intuit)
    assert statuses(app)[bill.record_id].label == "Open"


def test_invoices_paid_partly_paid_and_reopened(app, admin, synced, quickbooks, intuit, held_webhooks):
    full, part = two(synced, "invoice")
    payment = quickbooks.pay("invoice", full.qbo_id, day=date(2026, 11, 30))
    quickbooks.pay("invoice", part.qbo_id, 100)
    deliver(intuit)
    total = round(quickbooks.total("invoice", part.qbo_id) * 100)
    assert statuses(app, "invoice")[full.record_id].label == "Paid 2026-11-30"
    assert statuses(app, "invoice")[part.record_id].label == f"Partly paid: $100.00 of {dollars(total)}"
    assert payment_cell(admin, "invoice", part.record_id).startswith("Partly paid: $100.00")
    quickbooks.delete("Payment", payment)
    deliver(intuit)
    assert statuses(app, "invoice")[full.record_id].state is PaymentState.OPEN


def test_a_payment_whose_webhook_was_lost_is_caught_by_the_cdc_pass(app, synced, quickbooks):
    bill, invoice = two(synced, "bill")[0], two(synced, "invoice")[0]
    assert pass_now(app).startswith("balances of every synced record read again")  # the first pass sets the cursor
    assert statuses(app)[bill.record_id].label == "Open"
    quickbooks.pay("bill", bill.qbo_id, day=date(2026, 11, 27))  # webhooks are off: nobody tells inBuild
    quickbooks.pay("invoice", invoice.qbo_id, 50)
    outcome = pass_now(app)
    assert outcome.startswith("1 change data capture answer(s) applied"), outcome
    assert statuses(app)[bill.record_id].label == "Paid 2026-11-27"
    assert statuses(app, "invoice")[invoice.record_id].state is PaymentState.PARTLY_PAID


def test_a_deleted_payment_missed_by_webhooks_is_caught_by_the_cdc_pass(app, synced, quickbooks):
    bill, _ = two(synced, "bill")
    payment = quickbooks.pay("bill", bill.qbo_id)
    pass_now(app)
    assert statuses(app)[bill.record_id].state is PaymentState.PAID
    quickbooks.delete("BillPayment", payment)
    assert pass_now(app).startswith("1 change data capture answer")
    assert statuses(app)[bill.record_id].state is PaymentState.OPEN


def test_cdc_pages_past_a_thousand_changes(app, synced, quickbooks):
    bill, _ = two(synced, "bill")
    pass_now(app)
    create_bills(app, 520)
    next_second()  # QuickBooks stamps changes to the second: two seconds' worth, so the answer can be paged
    create_bills(app, 520)
    quickbooks.pay("bill", bill.qbo_id)  # the newest change: beyond the first answer's thousand
    outcome = pass_now(app)
    assert re.match(r"[2-9] change data capture answer\(s\) applied", outcome), outcome
    assert statuses(app)[bill.record_id].state is PaymentState.PAID


def create_bills(app, count: int) -> None:
    """Bills made inside QuickBooks by someone else (Batch, 30 a request): changes inBuild must page through."""
    with app.app_context():
        client = qbo_client(get_db(), acme_id(get_db()))
        vendor = client.query_all("Vendor")[0]
        account = next(a for a in client.query_all("Account") if a.get("AccountType") == "Expense")
        body = {"VendorRef": {"value": vendor["Id"]},
                "Line": [{"Amount": 10, "DetailType": "AccountBasedExpenseLineDetail",
                          "AccountBasedExpenseLineDetail": {"AccountRef": {"value": account["Id"]}}}]}
        for start in range(0, count, 30):
            items = [{"bId": str(n), "operation": "create", "Bill": body}
                     for n in range(start, min(start + 30, count))]
            answers = client.batch(items, f"filler-{start}-{time.time_ns()}")
            assert all("Bill" in answer for answer in answers), answers[:1]


def next_second() -> None:
    second = int(time.time())
    while int(time.time()) == second:
        time.sleep(0.02)


def test_a_replayed_webhook_changes_nothing_twice(app, synced, quickbooks, intuit, held_webhooks):
    bill, _ = two(synced, "bill")
    quickbooks.pay("bill", bill.qbo_id)
    first = deliver(intuit)[0]
    with app.app_context():
        db = get_db()
        before = payment_statuses(db, acme_id(db), REALM_1, "bill")
    calls = len(intuit.calls())
    again = intuit.post("webhooks/redeliver", {"delivery_id": first["id"]})
    assert again["status"] == 200
    with app.app_context():
        db = get_db()
        assert payment_statuses(db, acme_id(db), REALM_1, "bill") == before
    assert len(intuit.calls()) == calls  # nothing was read again: the events were already recorded
    assert before[bill.record_id].status.state is PaymentState.PAID


def test_only_records_acme_synced_to_this_realm_get_a_status(app, synced, quickbooks, intuit, held_webhooks):
    """Cedar once synced a bill that became the same QuickBooks Id in Keystone: Acme's payments never touch it."""
    bill, _ = two(synced, "bill")
    with app.app_context():
        db = get_db()
        cedar = accounts.find_company_by_name(db, "Cedar Homes").id
        with immediate(db):
            save_state(db, cedar, REALM_1, "bill", 1, utcnow(), status=SYNCED, qbo_id=bill.qbo_id, sync_token="0",
                       version="v", synced_version="v", request_id="cedar-1")
    quickbooks.pay("bill", bill.qbo_id)
    deliver(intuit)
    pass_now(app)
    with app.app_context():
        db = get_db()
        rows = db.execute("SELECT DISTINCT company_id, realm_id FROM payment_statuses").fetchall()
    assert [tuple(row) for row in rows] == [(acme_id_of(app), REALM_1)]


def acme_id_of(app) -> int:
    with app.app_context():
        return acme_id(get_db())


def test_after_a_month_without_a_pass_every_balance_is_read_again(app, synced, quickbooks):
    bill, _ = two(synced, "bill")
    pass_now(app)
    quickbooks.pay("bill", bill.qbo_id)
    with app.app_context():
        db = get_db()
        company_id = acme_id(db)
        db.execute("UPDATE payment_cursors SET changed_since = ? WHERE company_id = ?",
                   [(utcnow() - timedelta(days=31)).isoformat(), company_id])
        outcome = check_payments(db, company_id, qbo_client, utcnow())
    assert outcome.startswith("balances of every synced record read again")
    assert statuses(app)[bill.record_id].state is PaymentState.PAID


def test_a_bill_paid_on_the_emulators_control_page_reads_back_in_the_legacy_format_too(app, synced, intuit,
                                                                                       live_app):
    """The demo's path: pay from the control page (as someone inside QuickBooks would), legacy webhook body."""
    bill, _ = two(synced, "bill")
    intuit.post("webhooks", {"url": f"{live_app.url}/intuit/webhooks", "verifier_token": DEMO_VERIFIER_TOKEN,
                             "format": "legacy", "enabled": True, "hold": True})
    intuit.post(f"realms/{REALM_1}/payments", {"entity": "Bill", "id": bill.qbo_id, "amount": 25,
                                                "date": "2026-11-29"})
    deliver(intuit)
    sent = requests.get(f"{intuit.url}/_emulator/api/webhooks", timeout=10).json()["deliveries"][0]["body"]
    assert sent["eventNotifications"][0]["dataChangeEvent"]["entities"][0]["name"] == "BillPayment"
    assert statuses(app)[bill.record_id].label.startswith("Partly paid: $25.00 of ")
    intuit.post(f"realms/{REALM_1}/payments", {"entity": "Bill", "id": bill.qbo_id, "date": "2026-11-29"})
    deliver(intuit)
    assert statuses(app)[bill.record_id].label == "Paid 2026-11-29"
