"""Changes a QuickBooks user makes in QuickBooks itself (edit, make inactive, delete, void), for the control page.

They go through the same write code as the API, so they bump SyncToken and LastUpdatedTime and produce the
same webhook events an API write would.
"""
from __future__ import annotations

import sqlite3

from .entities import get_entity
from .payment_writes import delete_payment
from .resources import (
    DELETABLE_ENTITIES, LIST_ENTITIES, PAYMENT_ENTITIES, VOIDABLE_ENTITIES, WRITABLE_ENTITIES,
)
from .transaction_writes import delete_transaction, void_invoice
from .webhook_outbox import Change
from .writes import write_entity

CHANGES = ("update", "deactivate", "reactivate", "delete", "void")
EDITABLE_MEMO = ("Bill", "Invoice")  # a user's edit of these changes something a client may have sent: the memo


def apply_user_change(conn: sqlite3.Connection, realm_id: str, entity: str, entity_id: str, change: str,
                      at: float) -> tuple[dict, Change]:
    """Make the change; the record as QuickBooks now holds it and the event it makes.

    ValueError for a request that makes no sense; EntityFault when QuickBooks would refuse (closed books).
    """
    if entity not in WRITABLE_ENTITIES or change not in CHANGES:
        raise ValueError(f"entity must be one of {', '.join(sorted(WRITABLE_ENTITIES))} and change one of"
                         f" {', '.join(CHANGES)}")
    existing = get_entity(conn, realm_id, entity, entity_id)
    if existing is None:
        raise LookupError(f"{entity} {entity_id} does not exist in realm {realm_id}")
    current = {"Id": existing["Id"], "SyncToken": existing["SyncToken"]}
    if change == "delete" and entity in DELETABLE_ENTITIES:
        delete = delete_payment if entity in PAYMENT_ENTITIES else delete_transaction
        delete(conn, realm_id, entity, current, at)
        return {**existing, "status": "Deleted"}, Change(realm_id, entity, entity_id, "Delete")
    if change == "void" and entity in VOIDABLE_ENTITIES:
        return void_invoice(conn, realm_id, current, at), Change(realm_id, entity, entity_id, "Void")
    if change in ("deactivate", "reactivate") and entity in LIST_ENTITIES:
        active = change == "reactivate"
        saved = write_entity(conn, realm_id, entity, {**current, "sparse": True, "Active": active}, at)
        return saved, Change(realm_id, entity, entity_id, "Update" if active else "Delete")
    if change == "update":
        edit = {"PrivateNote": f"{existing.get('PrivateNote', '')} (edited in QuickBooks)".strip()} \
            if entity in EDITABLE_MEMO else {}
        saved = write_entity(conn, realm_id, entity, {**current, "sparse": True, **edit}, at)
        return saved, Change(realm_id, entity, entity_id, "Update")
    raise ValueError(f"{change} does not apply to a {entity}")

