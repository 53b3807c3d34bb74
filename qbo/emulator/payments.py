"""What QBO checks and computes when a BillPayment (paying bills) or a Payment (settling invoices) is written."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .entities import get_entity, get_referable
from .entity_faults import (
    EntityFault, business_error, invalid_enumeration, invalid_property, required_missing,
)
from .payment_links import open_balance
from .references import inactive_as_not_found, reference_value, resolve_ref
from .transaction_lines import number
from .transactions import USD, TxnRules, check_open_period, check_strings, date_field, today

COMPUTED = ("UnappliedAmt", "HomeTotalAmt")


@dataclass(frozen=True)
class PaymentKind:
    party_ref: str  # who pays or is paid: VendorRef or CustomerRef
    party: str
    target: str  # what the lines settle: Bill or Invoice
    needs_lines: bool


PAYMENT_KINDS = {"BillPayment": PaymentKind("VendorRef", "Vendor", "Bill", needs_lines=True),
                 "Payment": PaymentKind("CustomerRef", "Customer", "Invoice", needs_lines=False)}
# PayType -> (the detail object, its account reference, the AccountType that reference must name)
PAY_TYPES = {"Check": ("CheckPayment", "BankAccountRef", "Bank"),
             "CreditCard": ("CreditCardPayment", "CCAccountRef", "Credit Card")}


def prepare_payment(conn: sqlite3.Connection, realm_id: str, entity: str, record: dict,
                    own: dict | None, rules: TxnRules) -> dict:
    """Validate a BillPayment or Payment about to be written; fill in what the server computes."""
    kind = PAYMENT_KINDS[entity]
    record = {key: value for key, value in record.items() if key not in COMPUTED}
    if record.get(kind.party_ref) is None:
        raise required_missing(kind.party_ref)
    record[kind.party_ref] = resolve_ref(conn, realm_id, kind.party, record[kind.party_ref], kind.party_ref,
                                         inactive_as_not_found)
    record["TxnDate"] = date_field(record.get("TxnDate") or today(rules.at), "TxnDate")
    check_open_period(record["TxnDate"], rules.preferences)
    check_strings(record)
    if entity == "BillPayment":
        _pay_from(conn, realm_id, record)
    elif record.get("DepositToAccountRef") is not None:
        record["DepositToAccountRef"] = resolve_ref(conn, realm_id, "Account", record["DepositToAccountRef"],
                                                    "DepositToAccountRef", inactive_as_not_found)
    lines = [_prepare_line(kind, line) for line in _raw_lines(record.get("Line"), kind)]
    _check_targets(conn, realm_id, kind, record, lines, own["Id"] if own else None)
    record["Line"] = lines
    _total(record, entity, lines)
    record.setdefault("CurrencyRef", USD)
    return record


def _pay_from(conn: sqlite3.Connection, realm_id: str, record: dict) -> None:
    """PayType and the bank or credit card account a bill payment comes out of."""
    pay_type = record.get("PayType")
    if pay_type in (None, ""):
        raise required_missing("PayType")
    if pay_type not in PAY_TYPES:
        raise invalid_enumeration(pay_type, "PayType")
    detail_key, ref_key, account_type = PAY_TYPES[pay_type]
    detail = record.get(detail_key)
    element = f"{detail_key}.{ref_key}"
    if not isinstance(detail, dict) or detail.get(ref_key) is None:
        raise required_missing(element)
    account_ref = resolve_ref(conn, realm_id, "Account", detail[ref_key], element, inactive_as_not_found)
    account = get_entity(conn, realm_id, "Account", account_ref["value"]) or {}
    if account.get("AccountType") != account_type:
        raise EntityFault("6430", "Invalid account type used",
                          f"Invalid account type: {account.get('AccountType')}", element)
    record[detail_key] = {**detail, ref_key: account_ref}
    if pay_type == "Check":
        record[detail_key].setdefault("PrintStatus", "NotSet")
    for other, _, _ in PAY_TYPES.values():
        if other != detail_key:
            record.pop(other, None)


def _raw_lines(lines: object, kind: PaymentKind) -> list:
    if lines is None:
        lines = []
    if not isinstance(lines, list):
        raise invalid_property("Line")
    if kind.needs_lines and not lines:
        raise business_error(f"A bill payment must pay at least one {kind.target.lower()}.", "Line")
    return lines


def _prepare_line(kind: PaymentKind, line: object) -> dict:
    """{"Amount", "LinkedTxn": [{"TxnId", "TxnType"}]}: one amount applied to one transaction."""
    if not isinstance(line, dict):
        raise invalid_property("Line")
    if line.get("Amount") in (None, ""):
        raise required_missing("Line.Amount")
    amount = round(number(line["Amount"], "Line.Amount"), 2)
    if amount <= 0:
        raise business_error("The amount applied to a transaction must be greater than zero.", "Line.Amount")
    links = line.get("LinkedTxn")
    if not isinstance(links, list) or len(links) != 1 or not isinstance(links[0], dict):
        raise invalid_property("Line.LinkedTxn")
    txn_id = str(links[0].get("TxnId") or "").strip()
    if not txn_id:
        raise required_missing("Line.LinkedTxn.TxnId")
    if links[0].get("TxnType") != kind.target:
        raise invalid_enumeration(links[0].get("TxnType"), "Line.LinkedTxn.TxnType")
    return {"Amount": amount, "LinkedTxn": [{"TxnId": txn_id, "TxnType": kind.target}]}


def _check_targets(conn: sqlite3.Connection, realm_id: str, kind: PaymentKind, record: dict,
                   lines: list[dict], own_id: str | None) -> None:
    """2500 for a missing bill or invoice; 6000 for another party's, or for paying more than is open."""
    wanted: dict[str, float] = {}
    for line in lines:
        txn_id = line["LinkedTxn"][0]["TxnId"]
        wanted[txn_id] = round(wanted.get(txn_id, 0) + line["Amount"], 2)
    for txn_id, amount in wanted.items():
        target = get_referable(conn, realm_id, kind.target, txn_id)
        if target is None:
            raise EntityFault("2500", "Invalid Reference Id",
                              f"Invalid Reference Id : {kind.target} element id {txn_id} not found",
                              "Line.LinkedTxn.TxnId")
        if reference_value(target.get(kind.party_ref)) != record[kind.party_ref]["value"]:
            raise business_error(f"{kind.target} {txn_id} is not for {record[kind.party_ref]['name']}: a payment"
                                 f" can only apply to its own {kind.party.lower()}'s transactions.", kind.party_ref)
        available = open_balance(conn, realm_id, target, kind.target, own_id)
        if round(amount - available, 2) > 0:
            raise business_error(f"The amount applied to {kind.target} {txn_id} ({amount:.2f}) is more than its"
                                 f" open balance ({available:.2f}).", "Line.Amount")


def _total(record: dict, entity: str, lines: list[dict]) -> None:
    """TotalAmt (the lines' sum unless sent; never less than it) and, for a Payment, UnappliedAmt."""
    applied = round(sum(line["Amount"] for line in lines), 2)
    if record.get("TotalAmt") in (None, ""):
        if not lines:
            raise required_missing("TotalAmt")
        total = applied
    else:
        total = round(number(record["TotalAmt"], "TotalAmt"), 2)
    if total < 0:
        raise business_error("Transaction amount must be greater than or equal to zero.", "TotalAmt")
    if round(applied - total, 2) > 0:
        raise business_error(f"The amounts applied ({applied:.2f}) add up to more than the payment's total"
                             f" ({total:.2f}).", "TotalAmt")
    record["TotalAmt"] = total
    if entity == "Payment":
        record["UnappliedAmt"] = round(total - applied, 2)

