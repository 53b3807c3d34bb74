"""Deleting a Bill or Invoice and voiding an Invoice (?operation=delete / ?operation=void)."""
from __future__ import annotations

import sqlite3

from .company_preferences import load_preferences
from .entities import delete_entity, save_entity
from .payment_links import check_no_payments
from .transactions import check_open_period
from .write_support import current_version, next_version

VOID_NOTE = "Voided"


def delete_transaction(conn: sqlite3.Connection, realm_id: str, entity: str, body: dict,
                       at: float) -> dict:
    """Delete the transaction a body names by Id and current SyncToken; QBO's delete answer."""
    existing = current_version(conn, realm_id, entity, body)
    check_open_period(existing["TxnDate"], load_preferences(conn, realm_id))
    check_no_payments(conn, realm_id, entity, existing["Id"], "deleted")
    delete_entity(conn, realm_id, entity, existing["Id"], at)
    return {"status": "Deleted", "domain": "QBO", "Id": existing["Id"]}


def void_invoice(conn: sqlite3.Connection, realm_id: str, body: dict, at: float) -> dict:
    """Void an invoice: it stays, with every amount and quantity zeroed and a "Voided" note."""
    existing = current_version(conn, realm_id, "Invoice", body)
    check_open_period(existing["TxnDate"], load_preferences(conn, realm_id))
    check_no_payments(conn, realm_id, "Invoice", existing["Id"], "voided")
    note = str(existing.get("PrivateNote") or "")
    record = {**existing, "Line": [_voided_line(line) for line in existing["Line"]],
              "TotalAmt": 0, "Balance": 0,
              "PrivateNote": f"{VOID_NOTE} {note}" if note else VOID_NOTE}
    record.update(next_version(existing, at))
    save_entity(conn, realm_id, "Invoice", record)
    return record


def _voided_line(line: dict) -> dict:
    voided = {**line, "Amount": 0} if "Amount" in line else dict(line)
    detail_type = line.get("DetailType")
    detail = line.get(detail_type)
    if isinstance(detail, dict) and detail:
        kept = {key: value for key, value in detail.items() if key != "UnitPrice"}
        if "Qty" in detail:
            kept["Qty"] = 0
        voided[detail_type] = kept
    return voided
