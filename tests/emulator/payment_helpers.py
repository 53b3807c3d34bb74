"""Helpers for the payment and CDC tests: bills and invoices to pay, payment bodies, reads."""
from __future__ import annotations

import requests

from tests.emulator.emulator_helpers import KEYSTONE, Emulator
from tests.emulator.entity_helpers import post
from tests.emulator.transaction_helpers import (
    Books, account_line, bill_body, invoice_body, ref, sales_line,
)

VENDOR = "ABC Concrete Co."
OTHER_VENDOR = "Sunbelt Rentals"
CUSTOMER = "Drexel University"
BANK = "Checking"


def ok(response: requests.Response, entity: str) -> dict:
    """The entity of a 200 answer."""
    assert response.status_code == 200, response.text
    return response.json()[entity]


def new_bill(emulator: Emulator, token: str, seeded: Books, amount: float, vendor: str = VENDOR) -> dict:
    """A one-line bill for the amount."""
    body = bill_body(seeded.id("Vendor", vendor), account_line(seeded.id("Account", "Job Materials"), amount),
                     TxnDate="2026-05-01")
    return ok(post(emulator, token, "bill", body), "Bill")


def new_invoice(emulator: Emulator, token: str, seeded: Books, amount: float, customer: str = CUSTOMER) -> dict:
    """A one-line invoice for the amount."""
    body = invoice_body(seeded.id("Customer", customer), sales_line(seeded.id("Item", "Framing"), amount),
                        TxnDate="2026-05-01")
    return ok(post(emulator, token, "invoice", body), "Invoice")


def applied(txn_type: str, *pairs: tuple[str, float]) -> list[dict]:
    """Payment lines: (transaction Id, amount) each."""
    return [{"Amount": amount, "LinkedTxn": [{"TxnId": txn_id, "TxnType": txn_type}]} for txn_id, amount in pairs]


def bill_payment_body(seeded: Books, *pairs: tuple[str, float], vendor: str = VENDOR, **fields: object) -> dict:
    """A BillPayment by check from the seeded bank account."""
    return {"VendorRef": ref(seeded.id("Vendor", vendor)), "PayType": "Check",
            "CheckPayment": {"BankAccountRef": ref(seeded.id("Account", BANK))},
            "TotalAmt": round(sum(amount for _, amount in pairs), 2), "TxnDate": "2026-05-10",
            "Line": applied("Bill", *pairs), **fields}


def payment_body(seeded: Books, *pairs: tuple[str, float], customer: str = CUSTOMER, **fields: object) -> dict:
    """A Payment received from a customer."""
    return {"CustomerRef": ref(seeded.id("Customer", customer)),
            "TotalAmt": round(sum(amount for _, amount in pairs), 2), "TxnDate": "2026-05-12",
            "Line": applied("Invoice", *pairs), **fields}


def read(emulator: Emulator, token: str, entity: str, entity_id: str, realm_id: str = KEYSTONE) -> dict:
    """GET one entity, asserting it exists."""
    return ok(emulator.api(f"{entity.lower()}/{entity_id}", token, realm_id=realm_id), entity)


def delete(emulator: Emulator, token: str, entity: str, record: dict) -> requests.Response:
    """POST ?operation=delete with the record's Id and SyncToken."""
    return post(emulator, token, entity.lower(), {"Id": record["Id"], "SyncToken": record["SyncToken"]},
                operation="delete")
