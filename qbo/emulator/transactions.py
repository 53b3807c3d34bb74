"""What QBO checks and computes when a Bill or an Invoice is written."""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from .clock import INTUIT_ZONE
from .company_preferences import CompanyPreferences
from .entities import list_entities
from .entity_faults import (
    EntityFault, invalid_enumeration, invalid_property, required_missing, string_too_long,
)
from .references import inactive_as_not_found, reference_value, resolve_ref
from .transaction_lines import check_amounts, lines_total, own_lines, prepare_lines, with_subtotal

USD = {"value": "USD", "name": "United States Dollar"}
PARTY_REF = {"Bill": "VendorRef", "Invoice": "CustomerRef"}
HEADER_REFS = {"Bill": {"VendorRef": "Vendor", "APAccountRef": "Account"},
               "Invoice": {"CustomerRef": "Customer", "ClassRef": "Class",
                           "DepositToAccountRef": "Account"}}
STRING_LIMITS = {"DocNumber": 21, "PrivateNote": 4000}
INVOICE_DEFAULTS = {"EmailStatus": "NotSet", "PrintStatus": "NotSet",
                    "ApplyTaxAfterDiscount": False, "Deposit": 0, "TxnTaxDetail": {"TotalTax": 0}}
INVOICE_ENUMS = {"EmailStatus": ("NotSet", "NeedToSend", "EmailSent"),
                 "PrintStatus": ("NotSet", "NeedToPrint", "PrintComplete")}
# LinkedTxn names the payments applied: the server keeps it (payment_links), whatever a client sends back.
COMPUTED = ("TotalAmt", "Balance", "HomeBalance", "HomeTotalAmt", "LinkedTxn")
FIRST_INVOICE_NUMBER = 1001
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class TxnRules:
    at: float
    preferences: CompanyPreferences
    allow_duplicate_doc_number: bool = False  # include=allowduplicatedocnum on the request


def period_closed() -> EntityFault:
    """6210: the transaction date is in a period whose books are closed (Intuit's own text)."""
    # "through through" is Intuit's typo, kept so clients matching on the text see the real one.
    return EntityFault("6210", "Account Period Closed, Cannot Update Through Services API",
                       "The account period has closed and the account books cannot be updated"
                       " through through the QBO Services API. Please use the QBO website to"
                       " make these changes.")


def check_open_period(txn_date: str, preferences: CompanyPreferences) -> None:
    """6210 when a date falls on or before the company's closing date."""
    if preferences.closing_date and txn_date <= preferences.closing_date:
        raise period_closed()


def date_field(value: object, name: str) -> str:
    text = str(value).strip()
    try:
        if not _DATE.match(text):
            raise ValueError
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise invalid_property(name, value) from None


def today(at: float) -> str:
    return datetime.fromtimestamp(at, INTUIT_ZONE).date().isoformat()


def prepare_transaction(conn: sqlite3.Connection, realm_id: str, entity: str, record: dict,
                        own: dict | None, rules: TxnRules) -> dict:
    """Validate a Bill or Invoice about to be written; fill in what the server computes."""
    record = {key: value for key, value in record.items() if key not in COMPUTED}
    if record.get(PARTY_REF[entity]) is None:
        raise required_missing(PARTY_REF[entity])
    lines = prepare_lines(conn, realm_id, entity, record.get("Line"),
                          own_lines(own["Line"]) if own else [])
    record["TxnDate"] = date_field(record.get("TxnDate") or today(rules.at), "TxnDate")
    record["DueDate"] = date_field(record.get("DueDate") or record["TxnDate"], "DueDate")
    check_open_period(record["TxnDate"], rules.preferences)
    check_strings(record)
    for name, target in HEADER_REFS[entity].items():
        if record.get(name) is not None:
            record[name] = resolve_ref(conn, realm_id, target, record[name], name,
                                       inactive_as_not_found)
    total = lines_total(entity, lines)
    check_amounts(entity, lines, total)
    if entity == "Bill":
        _complete_bill(conn, realm_id, record)
    else:
        _complete_invoice(conn, realm_id, record, own)
    if rules.preferences.duplicate_doc_number_check and not rules.allow_duplicate_doc_number:
        _check_doc_number(conn, realm_id, entity, record, own)
    record["Line"] = with_subtotal(lines, total) if entity == "Invoice" else lines
    record.update(TotalAmt=total, Balance=total)
    record.setdefault("CurrencyRef", USD)
    return record


def check_strings(record: dict) -> None:
    for name, limit in STRING_LIMITS.items():
        if record.get(name) is not None:
            record[name] = str(record[name])
            if len(record[name]) > limit:
                raise string_too_long(name, len(record[name]), limit)


def _complete_bill(conn: sqlite3.Connection, realm_id: str, record: dict) -> None:
    accounts = list_entities(conn, realm_id, "Account")
    if record.get("APAccountRef") is None:
        # QBO implies the A/P account when the company has one.
        payable = [a for a in accounts if a.get("AccountType") == "Accounts Payable"
                   and a.get("Active") is not False]
        if payable:
            record["APAccountRef"] = {"value": payable[0]["Id"], "name": payable[0]["Name"]}
        return
    chosen = next(a for a in accounts if a["Id"] == record["APAccountRef"]["value"])
    if chosen.get("AccountType") != "Accounts Payable":
        raise EntityFault("6430", "Invalid account type used",
                          f"Invalid account type: {chosen.get('AccountType')}", "APAccountRef")


def _complete_invoice(conn: sqlite3.Connection, realm_id: str, record: dict,
                      own: dict | None) -> None:
    for name, allowed in INVOICE_ENUMS.items():
        if record.get(name) is not None and record[name] not in allowed:
            raise invalid_enumeration(record[name], name)
    for name, default in INVOICE_DEFAULTS.items():
        record.setdefault(name, default)
    if record.get("DocNumber") is None:
        # Without custom transaction numbers QBO numbers invoices itself.
        record["DocNumber"] = (own or {}).get("DocNumber") or _next_invoice_number(conn, realm_id)


def _next_invoice_number(conn: sqlite3.Connection, realm_id: str) -> str:
    numbers = [int(str(invoice.get("DocNumber"))) for invoice in
               list_entities(conn, realm_id, "Invoice") if str(invoice.get("DocNumber")).isdigit()]
    return str(max(numbers, default=FIRST_INVOICE_NUMBER - 1) + 1)


def _check_doc_number(conn: sqlite3.Connection, realm_id: str, entity: str, record: dict,
                      own: dict | None) -> None:
    """6140: invoices need unique numbers; bills unique numbers per vendor."""
    number = str(record.get("DocNumber") or "").strip().casefold()
    if not number:
        return
    for other in list_entities(conn, realm_id, entity):
        if own is not None and other["Id"] == own["Id"]:
            continue
        if str(other.get("DocNumber") or "").strip().casefold() != number:
            continue
        if entity == "Bill" and reference_value(other.get("VendorRef")) != reference_value(
                record.get("VendorRef")):
            continue
        raise EntityFault("6140", "Duplicate Document Number Error",
                          "Duplicate Document Number Error : You must specify a different number."
                          f" This number has already been used. DocNumber={record['DocNumber']}"
                          f" is assigned to TxnType={entity} with TxnId={other['Id']}")
