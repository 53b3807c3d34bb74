"""The payment status of a bill or invoice, from QuickBooks' own shapes (no app, no database)."""
from __future__ import annotations

from datetime import date

import pytest

from qbo.sync.payments import (
    PaymentState, PaymentStatus, is_paid_in_full, linked_payment_ids, paid_document_ids, payment_status, to_cents,
    txn_date,
)


def bill(total, balance, *payments: str, txn_type: str = "BillPayment") -> dict:
    return {"Id": "12", "SyncToken": "2", "TotalAmt": total, "Balance": balance,
            "LinkedTxn": [{"TxnId": payment_id, "TxnType": txn_type} for payment_id in payments]}


def test_nothing_paid_is_open():
    status = payment_status(bill(1000, 1000))
    assert status == PaymentStatus(PaymentState.OPEN, 100000, 100000) and status.label == "Open"


def test_part_paid_says_how_much_of_the_total():
    status = payment_status(bill(1000, 600.0, "7"), [date(2026, 11, 2)])
    assert status.state is PaymentState.PARTLY_PAID and status.paid_cents == 40000
    assert status.label == "Partly paid: $400.00 of $1,000.00" and status.paid_on is None


def test_paid_in_full_is_dated_by_the_latest_payment():
    status = payment_status(bill(1000, 0, "7", "8"), [date(2026, 11, 2), date(2026, 11, 30), None])
    assert status.state is PaymentState.PAID and status.balance_cents == 0
    assert status.paid_on == date(2026, 11, 30) and status.label == "Paid 2026-11-30"


def test_paid_without_a_known_payment_date_still_says_paid():
    assert payment_status(bill(10, 0)).label == "Paid"


@pytest.mark.parametrize("document", [bill(0, 0), {"Id": "1"}, bill(100, 250)])
def test_nothing_to_pay_or_an_odd_balance_is_open(document):
    assert payment_status(document).state is PaymentState.OPEN


def test_a_missing_balance_counts_as_nothing_paid():
    assert payment_status({"TotalAmt": 50}).state is PaymentState.OPEN and not is_paid_in_full({"TotalAmt": 50})


@pytest.mark.parametrize("amount, cents", [(1000, 100000), (0.1, 10), ("12.345", 1235), (None, 0), ("x", 0),
                                           (float("nan"), 0), (19.99, 1999)])
def test_amounts_become_cents_without_float_drift(amount, cents):
    assert to_cents(amount) == cents


def test_pennies_left_are_partly_paid():
    status = payment_status(bill(1234.56, 0.01))
    assert status.state is PaymentState.PARTLY_PAID and status.label == "Partly paid: $1,234.55 of $1,234.56"


def test_linked_payments_are_read_from_the_document_once_each_and_only_of_the_payment_kind():
    document = bill(10, 0, "7", "8", "7")
    document["LinkedTxn"].append({"TxnId": "3", "TxnType": "PurchaseOrder"})
    document["LinkedTxn"].append("not a link")
    assert linked_payment_ids(document, "BillPayment") == ["7", "8"]
    assert linked_payment_ids({"Id": "1"}, "BillPayment") == []
    assert linked_payment_ids(bill(10, 0, "9", txn_type="Payment"), "Payment") == ["9"]


def test_the_documents_a_payment_pays_come_from_its_lines():
    payment = {"Id": "7", "Line": [
        {"Amount": 400, "LinkedTxn": [{"TxnId": "12", "TxnType": "Bill"}]},
        {"Amount": 100, "LinkedTxn": [{"TxnId": "13", "TxnType": "Bill"}, {"TxnId": "5", "TxnType": "VendorCredit"}]},
        {"Amount": 1, "LinkedTxn": [{"TxnId": "12", "TxnType": "Bill"}]}, "junk"]}
    assert paid_document_ids(payment, "Bill") == ["12", "13"]
    assert paid_document_ids({"Id": "8", "Line": None}, "Invoice") == []


def test_txn_date_reads_the_date_or_gives_none():
    assert txn_date({"TxnDate": "2026-11-30"}) == date(2026, 11, 30)
    assert txn_date({"TxnDate": "30/11/2026"}) is None and txn_date({}) is None
