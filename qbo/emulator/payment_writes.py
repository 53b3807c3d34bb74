"""Deleting a BillPayment or Payment (?operation=delete): the bills or invoices it paid open up again."""
from __future__ import annotations

import sqlite3

from .company_preferences import load_preferences
from .entities import delete_entity
from .payment_links import applications, refresh_settled
from .transactions import check_open_period
from .write_support import current_version


def delete_payment(conn: sqlite3.Connection, realm_id: str, entity: str, body: dict, at: float) -> dict:
    """Delete the payment a body names by Id and current SyncToken; QBO's delete answer."""
    existing = current_version(conn, realm_id, entity, body)
    check_open_period(existing["TxnDate"], load_preferences(conn, realm_id))
    delete_entity(conn, realm_id, entity, existing["Id"], at)
    refresh_settled(conn, realm_id, entity, set(applications(existing)), at)
    return {"status": "Deleted", "domain": "QBO", "Id": existing["Id"]}
