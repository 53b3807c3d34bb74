"""The periodic payments pass (change data capture) against a fake QuickBooks: cursor, paging, reach, failures."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from qbo.accounts import store as accounts
from qbo.connection.store import get_connection
from qbo.intuit.errors import ConnectionUnusable, IntuitUnavailable
from qbo.intuit.faults import QboFault
from qbo.storage.db import immediate
from qbo.sync.payment_checks import check_payments
from qbo.sync.payment_store import (
    advance_cursor, companies_due_a_payment_check, documents_paid_by, get_cursor, payment_statuses,
)
from qbo.sync.payments import PaymentState
from qbo.sync.store import DELETED
from tests.support.store_fixtures import connected_db, new_cipher
from tests.sync.payment_fakes import NOW, OTHER_REALM, REALM, FakeQuickBooks, cdc, synced

CURSOR = "2026-11-30T03:00:00.000-08:00"


@pytest.fixture
def store(tmp_path):
    db, company_id = connected_db(str(tmp_path / "store.sqlite3"), new_cipher(), NOW)
    yield db, company_id
    db.close()


@pytest.fixture
def quickbooks():
    return FakeQuickBooks()


def run(store, quickbooks, now=NOW, **kwargs) -> str:
    db, company_id = store
    return check_payments(db, company_id, lambda _db, _company: quickbooks, now, **kwargs)


def with_cursor(store, since: str = CURSOR) -> None:
    db, company_id = store
    with immediate(db):
        advance_cursor(db, company_id, REALM, since, "earlier pass", NOW - timedelta(minutes=15))


def statuses(store, kind: str = "bill", realm_id: str = REALM, company_id: int | None = None) -> dict:
    db, own = store
    return {record_id: stored.status for record_id, stored in
            payment_statuses(db, company_id or own, realm_id, kind).items()}


def test_the_first_pass_reads_every_synced_balance_and_sets_the_cursor(store, quickbooks):
    db, company_id = store
    for n in range(1, 6):
        synced(db, company_id, n, str(100 + n))
        quickbooks.bill(str(100 + n), 50)
    synced(db, company_id, 9, "300", kind="invoice")
    quickbooks.bill("300", 80, 30, entity="Invoice")
    outcome = run(store, quickbooks)
    assert quickbooks.reads("cdc") == [] and "every synced record" in outcome
    assert {s.state for s in statuses(store).values()} == {PaymentState.OPEN} and len(statuses(store)) == 5
    assert statuses(store, "invoice")[9].label == "Partly paid: $50.00 of $80.00"
    assert get_cursor(db, company_id, REALM).changed_since == "2026-11-30T11:59:00.000+00:00"


def test_read_many_asks_in_chunks(monkeypatch):
    from qbo.intuit import api_client

    client = api_client.QboClient(REALM, "http://127.0.0.1:9", 1, lambda version=None: ("t", 1))
    queries = []
    monkeypatch.setattr(client, "query", lambda entity, where: queries.append(where) or [])
    client.read_many("Bill", [str(n) for n in range(1, 6)] + ["3"], chunk_size=2)
    assert queries == ["Id IN ('1', '2')", "Id IN ('3', '4')", "Id IN ('5')"]


def test_a_payment_found_by_cdc_marks_its_bill_paid_with_the_payment_date(store, quickbooks):
    db, company_id = store
    synced(db, company_id, 1, "12")
    synced(db, company_id, 2, "13")
    quickbooks.bill("12", 1000, 0, payments=("70",), token="3")
    payment = quickbooks.payment("70", {"12": 1000}, day="2026-11-28")
    with_cursor(store)
    quickbooks.cdc_answers.append(cdc(BillPayment=[payment]))
    run(store, quickbooks)
    assert quickbooks.reads("cdc") == [("cdc", CURSOR)]
    assert quickbooks.reads() == [("read_many", "Bill", ("12",))]  # the payment's date came with it: not read again
    assert statuses(store)[1].label == "Paid 2026-11-28" and 2 not in statuses(store)
    assert get_cursor(db, company_id, REALM).changed_since == "2026-11-30T03:59:00.000-08:00"


def test_a_bill_changed_in_cdc_is_used_as_read_and_its_unknown_payments_are_read_for_the_date(store, quickbooks):
    db, company_id = store
    synced(db, company_id, 1, "12")
    bill = quickbooks.bill("12", 500, 0, payments=("70", "71"))
    quickbooks.payment("70", {"12": 200}, day="2026-11-01")
    quickbooks.payment("71", {"12": 300}, day="2026-11-20")
    with_cursor(store)
    quickbooks.cdc_answers.append(cdc(Bill=[bill]))
    run(store, quickbooks)
    assert quickbooks.reads() == [("read_many", "BillPayment", ("70", "71"))]
    assert statuses(store)[1].paid_on == date(2026, 11, 20)
    assert documents_paid_by(db, company_id, REALM, "BillPayment", "71") == ["12"]


def test_a_deleted_payment_brings_the_bills_it_paid_back_to_open(store, quickbooks):
    db, company_id = store
    synced(db, company_id, 1, "12")
    quickbooks.bill("12", 100, 0, payments=("70",))
    with_cursor(store)
    quickbooks.cdc_answers.append(cdc(BillPayment=[quickbooks.payment("70", {"12": 100})]))
    run(store, quickbooks)
    assert statuses(store)[1].state is PaymentState.PAID
    quickbooks.bill("12", 100, token="5")  # QuickBooks: the payment is gone, the balance is back
    quickbooks.cdc_answers.append(cdc(BillPayment=[{"Id": "70", "status": "Deleted", "domain": "QBO",
                                                    "MetaData": {"LastUpdatedTime": "2026-11-30T04:01:00-08:00"}}]))
    run(store, quickbooks)
    assert statuses(store)[1].state is PaymentState.OPEN
    assert documents_paid_by(db, company_id, REALM, "BillPayment", "70") == []


def test_a_full_answer_is_followed_from_its_latest_update(store, quickbooks):
    db, company_id = store
    for n in range(1, 4):
        synced(db, company_id, n, str(n))
        quickbooks.bill(str(n), 10, 0, payments=(f"p{n}",))
    first = [quickbooks.payment("p1", {"1": 10}, updated="2026-11-30T03:10:00-08:00"),
             quickbooks.payment("p2", {"2": 10}, updated="2026-11-30T03:20:00-08:00")]
    second = [quickbooks.payment("p2", {"2": 10}, updated="2026-11-30T03:20:00-08:00"),
              quickbooks.payment("p3", {"3": 10}, updated="2026-11-30T03:30:00-08:00")]
    with_cursor(store)
    quickbooks.cdc_answers += [cdc(BillPayment=first), cdc(BillPayment=second), cdc(BillPayment=[])]
    outcome = run(store, quickbooks, page_limit=2)
    assert [call[1] for call in quickbooks.reads("cdc")] == [CURSOR, "2026-11-30T03:20:00.000-08:00",
                                                             "2026-11-30T03:30:00.000-08:00"]
    assert outcome.startswith("3 change data capture answer(s)")
    assert {s.state for s in statuses(store).values()} == {PaymentState.PAID} and len(statuses(store)) == 3


def test_a_full_answer_that_does_not_move_time_on_falls_back_to_reading_every_balance(store, quickbooks):
    db, company_id = store
    synced(db, company_id, 1, "1")
    quickbooks.bill("1", 10)
    same = "2026-11-30T03:00:00-08:00"
    with_cursor(store, same)
    quickbooks.cdc_answers.append(cdc(BillPayment=[quickbooks.payment("p1", {"9": 1}, updated=same),
                                                   quickbooks.payment("p2", {"9": 1}, updated=same)]))
    assert "could not page" in run(store, quickbooks, page_limit=2)
    assert quickbooks.reads()[-1] == ("read_many", "Bill", ("1",)) and statuses(store)[1].label == "Open"


def test_a_cursor_older_than_cdc_reaches_reads_every_balance_instead(store, quickbooks):
    db, company_id = store
    synced(db, company_id, 1, "1")
    quickbooks.bill("1", 10, 4)
    with_cursor(store, (NOW - timedelta(days=31)).isoformat())
    run(store, quickbooks)
    assert quickbooks.reads("cdc") == [] and statuses(store)[1].state is PaymentState.PARTLY_PAID


def test_cdc_refusing_the_date_reads_every_balance_instead(store, quickbooks):
    db, company_id = store
    synced(db, company_id, 1, "1")
    quickbooks.bill("1", 10, 0)
    with_cursor(store)
    quickbooks.cdc_answers.append(QboFault("4001", "ValidationFault", "changedSince is too far back", 400, "tid"))
    assert "refused" in run(store, quickbooks) and statuses(store)[1].state is PaymentState.PAID
    assert get_cursor(db, company_id, REALM).changed_since == "2026-11-30T11:59:00.000+00:00"


@pytest.mark.parametrize("failure", [IntuitUnavailable("QuickBooks is unavailable right now (HTTP 429)."),
                                     IntuitUnavailable("QuickBooks is unavailable right now (HTTP 503)."),
                                     QboFault("", "Unexpected HTTP 302", "", 302, None)])
def test_throttling_or_an_outage_leaves_the_cursor_for_a_later_pass(store, quickbooks, failure):
    db, company_id = store
    synced(db, company_id, 1, "1")
    with_cursor(store)
    quickbooks.cdc_answers.append(failure)
    outcome = run(store, quickbooks)
    cursor = get_cursor(db, company_id, REALM)
    assert outcome.startswith("try later") and cursor.changed_since == CURSOR and cursor.attempted_at == NOW
    assert statuses(store) == {}


def test_an_unusable_connection_is_skipped_quietly_and_its_state_left_to_the_health_job(store):
    db, company_id = store
    synced(db, company_id, 1, "1")
    before = get_connection(db, company_id)

    def no_client(_db, _company):
        raise ConnectionUnusable("The QuickBooks Online session has expired.")

    outcome = check_payments(db, company_id, no_client, NOW)
    assert outcome.startswith("skipped") and get_connection(db, company_id) == before


def test_a_disconnected_or_expired_company_is_not_even_asked(store, quickbooks):
    db, company_id = store
    synced(db, company_id, 1, "1")
    db.execute("UPDATE connections SET state = 'expired' WHERE company_id = ?", [company_id])
    assert run(store, quickbooks).startswith("skipped") and quickbooks.calls == []
    assert companies_due_a_payment_check(db, NOW) == []


def test_nothing_synced_means_nothing_asked(store, quickbooks):
    db, company_id = store
    assert run(store, quickbooks) == "nothing synced to this QuickBooks company yet" and quickbooks.calls == []
    assert companies_due_a_payment_check(db, NOW) == [] and companies_due_a_payment_check(
        db, NOW + timedelta(seconds=1)) == [(company_id, REALM)]


def test_only_records_synced_by_this_company_to_this_realm_get_a_status(store, quickbooks):
    db, company_id = store
    other = accounts.create_company(db, "Birchwood").id
    synced(db, company_id, 1, "12")
    synced(db, other, 1, "13")  # another company once synced its own bill 13 to this realm
    synced(db, company_id, 2, "13", realm_id=OTHER_REALM)  # and Acme's bill 2 went to another realm as 13
    synced(db, company_id, 3, "14", status=DELETED)  # removed from QuickBooks: left alone
    for qbo_id in ("12", "13", "14"):
        quickbooks.bill(qbo_id, 10, 0, payments=("70",))
    with_cursor(store)
    quickbooks.cdc_answers.append(cdc(BillPayment=[quickbooks.payment("70", {"12": 10, "13": 10, "14": 10})]))
    run(store, quickbooks)
    assert list(statuses(store)) == [1]
    assert statuses(store, company_id=other) == {} and statuses(store, realm_id=OTHER_REALM) == {}
    assert quickbooks.reads() == [("read_many", "Bill", ("12",))]


def test_an_older_read_never_overwrites_a_newer_one(store, quickbooks):
    db, company_id = store
    synced(db, company_id, 1, "12")
    quickbooks.bill("12", 10, 0, token="7")
    with_cursor(store)
    quickbooks.cdc_answers.append(cdc())
    run(store, quickbooks)  # nothing changed
    quickbooks.cdc_answers.append(cdc(Bill=[quickbooks.bill("12", 10, 0, token="7")]))
    run(store, quickbooks)
    quickbooks.cdc_answers.append(cdc(Bill=[{**quickbooks.bill("12", 10, token="6")}]))  # a late, older answer
    run(store, quickbooks)
    assert statuses(store)[1].state is PaymentState.PAID
