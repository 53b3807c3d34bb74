"""What a BillRet or InvoiceRet says of its payment: open, partly paid or paid, and on which day (no database).

A bill carries `AmountDue` (its total), `OpenAmount` (what is left to pay) and `IsPaid`; an invoice `Subtotal`,
`SalesTaxTotal`, `BalanceRemaining` and `IsPaid`; with IncludeLinkedTxns both list the payments applied to them as
`LinkedTxn` (TxnType, TxnDate, Amount). Anything missing, contradictory or out of range reads as None: a doubtful
answer never changes what inBuild shows.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from qbo.desktop.safe_xml import child_text, local_name
from qbo.sync.payments import PaymentStatus, payment_status, txn_date

# The LinkedTxn types that pay a bill or an invoice (a credit memo or a discount lowers the balance but pays nothing).
PAYMENT_TXN_TYPES = {"Bill": ("BillPaymentCheck", "BillPaymentCreditCard"), "Invoice": ("ReceivePayment",)}
AMOUNT_LIMIT = Decimal(10) ** 11  # far above any real bill; keeps cents inside a database integer
ID_LIMIT, TOKEN_LIMIT = 100, 40


@dataclass(frozen=True)
class PaymentRead:
    txn_id: str
    edit_sequence: str  # the read token: a later read of the record carries a higher one
    status: PaymentStatus


def read_payment(entity: str, ret: ET.Element) -> PaymentRead | None:
    """The payment a `<entity>Ret` reports, or None when it cannot be trusted."""
    if local_name(ret) != f"{entity}Ret":
        return None
    txn_id, edit_sequence = child_text(ret, "TxnID"), child_text(ret, "EditSequence")
    if not txn_id or len(txn_id) > ID_LIMIT or not _is_number(edit_sequence):
        return None
    amounts = _bill_amounts(ret) if entity == "Bill" else _invoice_amounts(ret)
    is_paid = child_text(ret, "IsPaid").lower()
    if amounts is None or is_paid not in ("true", "false", ""):
        return None
    total, balance = amounts
    if total > 0 and is_paid and (is_paid == "true") != (balance <= 0):
        return None  # IsPaid and the amounts disagree
    status = payment_status({"TotalAmt": str(total), "Balance": str(balance)}, payment_dates(entity, ret))
    return PaymentRead(txn_id, edit_sequence, status)


def payment_dates(entity: str, ret: ET.Element) -> list:
    """The TxnDate of each payment linked to the record (unreadable dates are left out)."""
    kinds = PAYMENT_TXN_TYPES[entity]
    links = [link for link in ret if local_name(link) == "LinkedTxn" and child_text(link, "TxnType") in kinds]
    return [txn_date({"TxnDate": child_text(link, "TxnDate")}) for link in links]


def _bill_amounts(ret: ET.Element) -> tuple[Decimal, Decimal] | None:
    total, balance = _amount(child_text(ret, "AmountDue")), _amount(child_text(ret, "OpenAmount"))
    return (total, balance) if total is not None and balance is not None else None


def _invoice_amounts(ret: ET.Element) -> tuple[Decimal, Decimal] | None:
    subtotal, balance = _amount(child_text(ret, "Subtotal")), _amount(child_text(ret, "BalanceRemaining"))
    tax = _amount(child_text(ret, "SalesTaxTotal") or "0")
    if subtotal is None or balance is None or tax is None:
        return None
    return subtotal + tax, balance


def _amount(text: str) -> Decimal | None:
    if not text or len(text) > 30:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value) < AMOUNT_LIMIT else None


def _is_number(text: str) -> bool:
    return 0 < len(text) <= TOKEN_LIMIT and text.isascii() and text.isdigit()
