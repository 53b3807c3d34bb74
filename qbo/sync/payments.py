"""Whether a synced bill or invoice is paid, as QuickBooks says: open, partly paid or paid, and when.

Plain Python over QuickBooks' own shapes: a Bill or Invoice carries `TotalAmt`, its read-only `Balance` (what is
left to pay) and `LinkedTxn` naming the BillPayments or Payments applied to it; a payment's lines name the bills or
invoices it pays. No Flask, no database.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from qbo.sync.bodies import BILL, INVOICE

# Which QuickBooks payment entity pays which kind of inBuild record, and the TxnType it links back with.
PAYMENT_ENTITY = {BILL: "BillPayment", INVOICE: "Payment"}
DOCUMENT_ENTITY = {BILL: "Bill", INVOICE: "Invoice"}
KIND_OF_PAYMENT = {entity: kind for kind, entity in PAYMENT_ENTITY.items()}
KIND_OF_DOCUMENT = {entity: kind for kind, entity in DOCUMENT_ENTITY.items()}


class PaymentState(enum.Enum):
    OPEN = "open"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"


@dataclass(frozen=True)
class PaymentStatus:
    state: PaymentState
    total_cents: int
    balance_cents: int
    paid_on: date | None = None  # the latest payment's date, once paid in full

    @property
    def paid_cents(self) -> int:
        return self.total_cents - self.balance_cents

    @property
    def label(self) -> str:
        """What a row says: "Paid 2026-11-30", "Partly paid: $400.00 of $1,000.00" or "Open"."""
        if self.state is PaymentState.PAID:
            return f"Paid {self.paid_on.isoformat()}" if self.paid_on else "Paid"
        if self.state is PaymentState.PARTLY_PAID:
            return f"Partly paid: {dollars(self.paid_cents)} of {dollars(self.total_cents)}"
        return "Open"


def dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{part:02d}"


def to_cents(amount: object) -> int:
    """A QuickBooks amount (a JSON number or numeric string) in cents; 0 when missing or unreadable."""
    try:
        value = Decimal(str(amount)) if amount is not None else Decimal(0)
    except InvalidOperation:
        return 0
    if not value.is_finite():
        return 0
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def linked_payment_ids(document: dict, payment_entity: str) -> list[str]:
    """The Ids of the payments of this entity that a Bill or Invoice names in its LinkedTxn, in order, once each."""
    ids = [str(link.get("TxnId")) for link in _links(document.get("LinkedTxn"))
           if link.get("TxnType") == payment_entity and link.get("TxnId") not in (None, "")]
    return list(dict.fromkeys(ids))


def paid_document_ids(payment: dict, document_entity: str) -> list[str]:
    """The Ids of the bills or invoices a BillPayment or Payment applies money to (from its lines' LinkedTxn)."""
    lines = payment.get("Line") if isinstance(payment.get("Line"), list) else []
    ids = [str(link.get("TxnId")) for line in lines if isinstance(line, dict)
           for link in _links(line.get("LinkedTxn"))
           if link.get("TxnType") == document_entity and link.get("TxnId") not in (None, "")]
    return list(dict.fromkeys(ids))


def _links(value: object) -> list[dict]:
    return [link for link in value if isinstance(link, dict)] if isinstance(value, list) else []


def txn_date(record: dict) -> date | None:
    """A transaction's TxnDate, or None when missing or not a date."""
    try:
        return date.fromisoformat(str(record.get("TxnDate") or "")[:10])
    except ValueError:
        return None


def payment_status(document: dict, payment_dates: Iterable[date | None] = ()) -> PaymentStatus:
    """A Bill's or Invoice's payment status from its TotalAmt and Balance; paid on the latest payment's date."""
    total, balance = to_cents(document.get("TotalAmt")), to_cents(document.get("Balance", document.get("TotalAmt")))
    if total > 0 and balance <= 0:
        dates = [day for day in payment_dates if day is not None]
        return PaymentStatus(PaymentState.PAID, total, 0, max(dates) if dates else None)
    if 0 < balance < total:
        return PaymentStatus(PaymentState.PARTLY_PAID, total, balance)
    return PaymentStatus(PaymentState.OPEN, total, max(balance, 0))


def is_paid_in_full(document: dict) -> bool:
    """True when the paid date is worth looking up: something to pay, nothing left."""
    return to_cents(document.get("TotalAmt")) > 0 and to_cents(document.get("Balance", document.get("TotalAmt"))) <= 0
