"""BillPayment and Payment webhook events, processed by the webhook job against a fake QuickBooks."""
from __future__ import annotations

import pytest

from qbo.connection.webhook_store import events_of, record_events
from qbo.intuit.errors import IntuitUnavailable
from qbo.intuit.webhooks import WebhookEvent
from qbo.sync.payment_store import documents_paid_by, payment_statuses
from qbo.sync.payments import PaymentState
from qbo.sync.quickbooks_changes import process_company_events
from tests.support.store_fixtures import connected_db, new_cipher
from tests.sync.payment_fakes import NOW, OTHER_REALM, REALM, FakeQuickBooks, synced


@pytest.fixture
def store(tmp_path):
    db, company_id = connected_db(str(tmp_path / "store.sqlite3"), new_cipher(), NOW)
    yield db, company_id
    db.close()


def deliver(store, quickbooks, *events: tuple[str, str, str], realm_id: str = REALM, n: int = 0):
    db, company_id = store
    record_events(db, [WebhookEvent(f"{entity}-{entity_id}-{operation}-{n}", realm_id, entity, entity_id, operation,
                                    "2026-11-30T11:00:00Z") for entity, entity_id, operation in events], NOW)
    return process_company_events(db, company_id, lambda _db, _company: quickbooks, NOW)


def statuses(store, kind: str = "bill") -> dict:
    db, company_id = store
    return {record_id: s.status for record_id, s in payment_statuses(db, company_id, REALM, kind).items()}


def outcomes(store) -> list[str]:
    db, company_id = store
    return [event["outcome"] for event in events_of(db, company_id)]


def test_a_bill_payment_created_marks_the_bills_it_pays(store):
    db, company_id = store
    synced(db, company_id, 1, "12")
    synced(db, company_id, 2, "13")
    quickbooks = FakeQuickBooks()
    quickbooks.bill("12", 1000, 0, payments=("70",))
    quickbooks.bill("13", 1000, 600, payments=("70",))
    quickbooks.payment("70", {"12": 1000, "13": 400}, day="2026-11-29")
    processed = deliver(store, quickbooks, ("BillPayment", "70", "Create"))
    assert processed.done == 1 and outcomes(store)[0].startswith("payment status read back: 2 of 2")
    assert statuses(store)[1].label == "Paid 2026-11-29"
    assert statuses(store)[2].label == "Partly paid: $400.00 of $1,000.00"
    assert quickbooks.calls == [("read", "BillPayment", "70"), ("read_many", "Bill", ("12", "13"))]


def test_a_payment_moved_to_another_invoice_reads_both(store):
    db, company_id = store
    synced(db, company_id, 1, "40", kind="invoice")
    synced(db, company_id, 2, "41", kind="invoice")
    quickbooks = FakeQuickBooks()
    quickbooks.bill("40", 200, 0, payments=("9",), entity="Invoice")
    quickbooks.bill("41", 300, entity="Invoice")
    quickbooks.payment("9", {"40": 200}, entity="Payment")
    deliver(store, quickbooks, ("Payment", "9", "Create"))
    assert statuses(store, "invoice")[1].state is PaymentState.PAID
    quickbooks.bill("40", 200, entity="Invoice", token="3")
    quickbooks.bill("41", 300, 100, payments=("9",), entity="Invoice", token="3")
    quickbooks.payment("9", {"41": 200}, entity="Payment")
    deliver(store, quickbooks, ("Payment", "9", "Update"))
    assert statuses(store, "invoice")[1].label == "Open"
    assert statuses(store, "invoice")[2].label == "Partly paid: $200.00 of $300.00"
    assert quickbooks.calls[-1] == ("read_many", "Invoice", ("40", "41"))


def test_a_deleted_payment_is_traced_back_through_the_stored_links(store):
    db, company_id = store
    synced(db, company_id, 1, "12")
    quickbooks = FakeQuickBooks()
    quickbooks.bill("12", 100, 0, payments=("70",))
    quickbooks.payment("70", {"12": 100})
    deliver(store, quickbooks, ("BillPayment", "70", "Create"))
    del quickbooks.records[("BillPayment", "70")]
    quickbooks.bill("12", 100, token="4")
    quickbooks.calls.clear()
    deliver(store, quickbooks, ("BillPayment", "70", "Delete"))
    assert quickbooks.calls == [("read_many", "Bill", ("12",))]  # the Delete names the payment only
    assert statuses(store)[1].state is PaymentState.OPEN
    assert documents_paid_by(db, company_id, REALM, "BillPayment", "70") == []


def test_an_update_to_a_payment_gone_by_now_counts_as_deleted(store):
    db, company_id = store
    synced(db, company_id, 1, "12")
    quickbooks = FakeQuickBooks()
    quickbooks.bill("12", 100, 0, payments=("70",))
    quickbooks.payment("70", {"12": 100})
    deliver(store, quickbooks, ("BillPayment", "70", "Create"))
    del quickbooks.records[("BillPayment", "70")]
    quickbooks.bill("12", 100, token="4")
    deliver(store, quickbooks, ("BillPayment", "70", "Update"))
    assert statuses(store)[1].state is PaymentState.OPEN


def test_a_payment_of_records_inbuild_never_sent_reads_nothing_more(store):
    db, company_id = store
    synced(db, company_id, 1, "12")
    quickbooks = FakeQuickBooks()
    quickbooks.payment("70", {"99": 100})
    deliver(store, quickbooks, ("BillPayment", "70", "Create"))
    assert quickbooks.calls == [("read", "BillPayment", "70")] and statuses(store) == {}
    assert outcomes(store) == ["nothing to do: pays no record inBuild sent"]


def test_a_payment_event_recorded_before_a_switch_to_another_realm_is_skipped(store):
    db, company_id = store
    synced(db, company_id, 1, "12")
    synced(db, company_id, 1, "12", realm_id=OTHER_REALM)
    record_events(db, [WebhookEvent("e1", REALM, "BillPayment", "70", "Create", "")], NOW)
    db.execute("UPDATE connections SET realm_id = ? WHERE company_id = ?", [OTHER_REALM, company_id])
    quickbooks = FakeQuickBooks()
    process_company_events(db, company_id, lambda _db, _company: quickbooks, NOW)
    assert quickbooks.calls == [] and outcomes(store)[0].startswith("skipped")


def test_quickbooks_unreachable_puts_the_event_back_for_a_later_pass(store):
    db, company_id = store
    synced(db, company_id, 1, "12")

    class Down(FakeQuickBooks):
        def read(self, entity, entity_id):
            raise IntuitUnavailable("QuickBooks is unavailable right now (HTTP 503).")

    processed = deliver(store, Down(), ("BillPayment", "70", "Create"))
    assert processed.retrying == 1 and events_of(db, company_id)[0]["status"] == "pending"


def test_the_same_event_again_stores_the_same_status(store):
    db, company_id = store
    synced(db, company_id, 1, "12")
    quickbooks = FakeQuickBooks()
    quickbooks.bill("12", 100, 0, payments=("70",))
    quickbooks.payment("70", {"12": 100}, day="2026-11-03")
    deliver(store, quickbooks, ("BillPayment", "70", "Create"))
    first = statuses(store)
    deliver(store, quickbooks, ("BillPayment", "70", "Create"), n=1)  # Intuit sends a second event for it
    assert statuses(store) == first and first[1].label == "Paid 2026-11-03"
