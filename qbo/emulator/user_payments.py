"""A QuickBooks user paying a bill or receiving an invoice's payment, in full or in part, for the control page.

The payment goes through the same write code as the API (same checks, same Balance and LinkedTxn effects) and
makes the same webhook event an API write would. Deleting a payment is a user change (user_changes).
"""
from __future__ import annotations

import sqlite3

from .entities import get_entity, list_entities
from .payment_links import PARTY_REF, PAYMENT_OF, applications
from .webhook_outbox import Change
from .writes import write_entity


def record_user_payment(conn: sqlite3.Connection, realm_id: str, target_entity: str, target_id: str,
                        amount: str | None, txn_date: str | None, at: float) -> tuple[dict, Change]:
    """Pay a bill or an invoice (the whole open balance when amount is empty); the payment and its event.

    ValueError for a request that makes no sense; LookupError for a missing record; EntityFault when
    QuickBooks would refuse (more than the open balance, closed books).
    """
    if target_entity not in PAYMENT_OF:
        raise ValueError(f"Pay a Bill or an Invoice, not a {target_entity or 'nothing'}")
    target = get_entity(conn, realm_id, target_entity, target_id)
    if target is None:
        raise LookupError(f"{target_entity} {target_id} does not exist in realm {realm_id}")
    entity = PAYMENT_OF[target_entity]
    paid = target.get("Balance", target["TotalAmt"]) if amount in (None, "") else amount
    body = {PARTY_REF[target_entity]: {"value": target[PARTY_REF[target_entity]]["value"]}, "TotalAmt": paid,
            "Line": [{"Amount": paid, "LinkedTxn": [{"TxnId": target["Id"], "TxnType": target_entity}]}]}
    if txn_date:
        body["TxnDate"] = txn_date
    if entity == "BillPayment":
        body.update(PayType="Check", CheckPayment={"BankAccountRef": {"value": _bank_account(conn, realm_id)}})
    saved = write_entity(conn, realm_id, entity, body, at)
    return saved, Change(realm_id, entity, saved["Id"], "Create")


def _bank_account(conn: sqlite3.Connection, realm_id: str) -> str:
    for account in list_entities(conn, realm_id, "Account"):
        if account.get("AccountType") == "Bank" and account.get("Active") is not False:
            return account["Id"]
    raise ValueError("This company has no bank account to pay bills from")


def payment_overview(conn: sqlite3.Connection, realm_id: str) -> dict:
    """For the control page: the bills and invoices still open, and every payment with what it paid."""
    open_items = []
    for entity in PAYMENT_OF:
        for record in list_entities(conn, realm_id, entity):
            if record.get("Balance", record["TotalAmt"]) > 0:
                open_items.append({"entity": entity, "id": record["Id"], "number": record.get("DocNumber") or "",
                                   "party": record[PARTY_REF[entity]].get("name", ""),
                                   "balance": record.get("Balance", record["TotalAmt"]),
                                   "total": record["TotalAmt"]})
    payments = []
    for target, entity in PAYMENT_OF.items():
        for record in list_entities(conn, realm_id, entity):
            payments.append({"entity": entity, "id": record["Id"], "date": record["TxnDate"],
                             "party": record[PARTY_REF[target]].get("name", ""), "total": record["TotalAmt"],
                             "applied": [f"{target} {txn_id}: {amount:.2f}"
                                         for txn_id, amount in applications(record).items()]})
    return {"open": open_items, "payments": payments}
