"""The payments store: statuses per synced record and realm, payments and their links, the CDC cursor."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from qbo.accounts import store as accounts
from qbo.storage.db import immediate
from qbo.sync.payment_store import (
    advance_cursor, companies_due_a_payment_check, documents_paid_by, forget_payment, get_cursor,
    has_synced_documents, link_payment, note_attempt, payment_dates, payment_statuses, replace_document_links,
    save_payment, save_payment_status, synced_documents,
)
from qbo.sync.payments import PaymentState, PaymentStatus
from qbo.sync.store import DELETED, SENDING
from tests.support.store_fixtures import connected_db, new_cipher
from tests.sync.payment_fakes import NOW, OTHER_REALM, REALM, synced

PAID = PaymentStatus(PaymentState.PAID, 1000, 0, date(2026, 11, 30))
OPEN = PaymentStatus(PaymentState.OPEN, 1000, 1000)


@pytest.fixture
def store(tmp_path):
    db, company_id = connected_db(str(tmp_path / "store.sqlite3"), new_cipher(), NOW)
    yield db, company_id
    db.close()


def test_a_status_round_trips_and_an_older_read_is_refused(store):
    db, company_id = store
    assert save_payment_status(db, company_id, REALM, "bill", 1, PAID, "5", NOW)
    assert not save_payment_status(db, company_id, REALM, "bill", 1, OPEN, "4", NOW + timedelta(minutes=1))
    assert save_payment_status(db, company_id, REALM, "bill", 1, PAID, "5", NOW + timedelta(minutes=2))
    assert save_payment_status(db, company_id, REALM, "bill", 2, OPEN, "10", NOW)  # 10 > 9 as numbers
    assert not save_payment_status(db, company_id, REALM, "bill", 2, PAID, "9", NOW)
    stored = payment_statuses(db, company_id, REALM, "bill")
    assert stored[1].status == PAID and stored[1].checked_at == NOW + timedelta(minutes=2)
    assert stored[2].status == OPEN
    assert payment_statuses(db, company_id, REALM, "bill", [2]).keys() == {2}
    assert payment_statuses(db, company_id, REALM, "bill", []) == {}
    assert payment_statuses(db, company_id, REALM, "invoice") == {}
    assert payment_statuses(db, company_id, OTHER_REALM, "bill") == {}


def test_synced_documents_are_this_company_realm_and_kind_only_and_never_removed_ones(store):
    db, company_id = store
    other = accounts.create_company(db, "Birchwood").id
    synced(db, company_id, 1, "12")
    synced(db, company_id, 2, "13", status=SENDING)
    synced(db, company_id, 3, "14", status=DELETED)
    synced(db, company_id, 4, "12", kind="invoice")
    synced(db, other, 5, "15")
    synced(db, company_id, 6, "16", realm_id=OTHER_REALM)
    assert synced_documents(db, company_id, REALM, "bill") == {"12": 1, "13": 2}
    assert synced_documents(db, company_id, REALM, "bill", ["13", "14", "15", "16", "13"]) == {"13": 2}
    assert has_synced_documents(db, company_id, REALM) and not has_synced_documents(db, other, OTHER_REALM)


def test_links_trace_a_payment_back_and_follow_what_the_record_now_says(store):
    db, company_id = store
    link_payment(db, company_id, REALM, "BillPayment", "70", ["12", "13"])
    link_payment(db, company_id, REALM, "BillPayment", "70", ["12"])  # kept, not doubled
    assert documents_paid_by(db, company_id, REALM, "BillPayment", "70") == ["12", "13"]
    replace_document_links(db, company_id, REALM, "BillPayment", "13", ["71"])
    assert documents_paid_by(db, company_id, REALM, "BillPayment", "70") == ["12"]
    assert documents_paid_by(db, company_id, REALM, "BillPayment", "71") == ["13"]
    assert documents_paid_by(db, company_id, OTHER_REALM, "BillPayment", "70") == []
    assert documents_paid_by(db, company_id, REALM, "Payment", "70") == []


def test_a_deleted_payment_is_forgotten_with_its_links(store):
    db, company_id = store
    save_payment(db, company_id, REALM, "Payment", "9", date(2026, 11, 3))
    save_payment(db, company_id, REALM, "Payment", "9", date(2026, 11, 4))
    save_payment(db, company_id, REALM, "Payment", "10", None)
    link_payment(db, company_id, REALM, "Payment", "9", ["40"])
    assert payment_dates(db, company_id, REALM, "Payment", ["9", "10", "11"]) == {"9": date(2026, 11, 4), "10": None}
    forget_payment(db, company_id, REALM, "Payment", "9")
    assert payment_dates(db, company_id, REALM, "Payment", ["9"]) == {}
    assert documents_paid_by(db, company_id, REALM, "Payment", "9") == []


def test_the_cursor_moves_only_when_a_pass_read_everything(store):
    db, company_id = store
    assert get_cursor(db, company_id, REALM) is None
    with immediate(db):
        note_attempt(db, company_id, REALM, "try later: HTTP 503", NOW)
    cursor = get_cursor(db, company_id, REALM)
    assert cursor.changed_since is None and cursor.attempted_at == NOW and cursor.last_outcome.endswith("503")
    with immediate(db):
        advance_cursor(db, company_id, REALM, "2026-11-30T03:59:00.000-08:00", "1 answer", NOW)
        note_attempt(db, company_id, REALM, "try later", NOW + timedelta(minutes=15))
    cursor = get_cursor(db, company_id, REALM)
    assert cursor.changed_since == "2026-11-30T03:59:00.000-08:00" and cursor.checked_at == NOW
    assert cursor.attempted_at == NOW + timedelta(minutes=15)


def test_companies_are_due_by_their_connected_realms_last_attempt(store):
    db, company_id = store
    assert companies_due_a_payment_check(db, NOW) == [(company_id, REALM)]
    with immediate(db):
        note_attempt(db, company_id, REALM, "queued", NOW)
        note_attempt(db, company_id, OTHER_REALM, "an old realm", NOW - timedelta(days=1))
    assert companies_due_a_payment_check(db, NOW) == []
    assert companies_due_a_payment_check(db, NOW + timedelta(seconds=1)) == [(company_id, REALM)]
