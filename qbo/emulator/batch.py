"""POST /batch: up to 30 independent BatchItemRequests, each answered or faulted on its own."""
from __future__ import annotations

import sqlite3

from .entities import batch_visibility
from .entity_faults import (
    EntityFault, invalid_enumeration, invalid_property, required_missing, unsupported_operation,
)
from .query import QueryError
from .resources import WRITABLE_ENTITIES
from .selects import query_fault, select
from .writes import WriteOptions, perform

MAX_BATCH_ITEMS = 30
ITEM_OPERATIONS = ("create", "update", "delete")
_ITEM_KEYS = ("bId", "operation", "optionsData")


def is_batch_request(body: object) -> bool:
    """Whether a body carries a BatchItemRequest list."""
    return isinstance(body, dict) and isinstance(body.get("BatchItemRequest"), list)


def batch_too_large(count: int) -> EntityFault:
    """1040: more items than one batch may hold."""
    return EntityFault("1040", "Batch size exceeds allowed limit",
                       f"The number of BatchItemRequest objects ({count}) exceeds the maximum"
                       f" allowed ({MAX_BATCH_ITEMS}).", "BatchItemRequest")


def run_batch(conn: sqlite3.Connection, realm_id: str, items: list,
              options: WriteOptions) -> list[dict]:
    """The BatchItemResponse list; EntityFault only for faults of the whole batch."""
    if len(items) > MAX_BATCH_ITEMS:
        raise batch_too_large(len(items))
    for item in items:
        if not isinstance(item, dict) or item.get("bId") in (None, ""):
            raise required_missing("bId")
    # Items are independent: none sees what another item of this batch created.
    with batch_visibility():
        return [_run_item(conn, realm_id, item, options) for item in items]


def _run_item(conn: sqlite3.Connection, realm_id: str, item: dict,
              options: WriteOptions) -> dict:
    conn.execute("SAVEPOINT batch_item")
    try:
        result = _item_result(conn, realm_id, item, options)
    except EntityFault as fault:
        conn.execute("ROLLBACK TO batch_item")
        result = {"Fault": fault.as_json()}
    conn.execute("RELEASE batch_item")
    return {"bId": str(item["bId"]), **result}


def _item_result(conn: sqlite3.Connection, realm_id: str, item: dict,
                 options: WriteOptions) -> dict:
    if "Query" in item:
        try:
            return {"QueryResponse": select(conn, realm_id, str(item["Query"]))}
        except QueryError as error:
            raise query_fault(error) from None
    entity = _item_entity(item)
    operation = item.get("operation")
    if not operation:
        raise required_missing("operation")
    if operation not in ITEM_OPERATIONS:
        raise invalid_enumeration(operation, "operation")
    if operation == "update" and str(item.get("optionsData", "")).lower() == "void":
        operation = "void"
    return {entity: perform(conn, realm_id, entity, operation, item[entity], options)}


def _item_entity(item: dict) -> str:
    named = [key for key in item if key not in _ITEM_KEYS]
    if not named:
        raise invalid_property("BatchItemRequest")
    served = [key for key in named if key in WRITABLE_ENTITIES]
    if len(served) != 1:
        raise unsupported_operation(str(item.get("operation") or "create"), named[0])
    return served[0]
