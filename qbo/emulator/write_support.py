"""What every write shares: server-owned fields, the SyncToken check, version stamps."""
from __future__ import annotations

import sqlite3

from .clock import intuit_date_time
from .entities import get_referable, next_entity_id
from .entity_faults import invalid_property, not_found, required_missing, stale_object

SERVER_FIELDS = ("Id", "SyncToken", "sparse", "domain", "MetaData", "time", "status")


def require_object(body: object, entity: str) -> dict:
    """The request body as an entity dict; 2010 when it is not one."""
    if not isinstance(body, dict):
        raise invalid_property(entity)
    return body


def writable_fields(body: dict) -> dict:
    """The fields of a request body a client may set (empty values dropped)."""
    return {key: value for key, value in body.items()
            if key not in SERVER_FIELDS and value not in (None, "")}


def current_version(conn: sqlite3.Connection, realm_id: str, entity: str, body: dict) -> dict:
    """The stored entity a body names by Id, if its SyncToken is the current one."""
    entity_id = str(body.get("Id") or "").strip()
    if not entity_id:
        raise required_missing("Id")
    existing = get_referable(conn, realm_id, entity, entity_id)
    if existing is None:
        raise not_found(entity, entity_id)
    if body.get("SyncToken") in (None, ""):
        raise required_missing("SyncToken")
    if str(body["SyncToken"]) != existing["SyncToken"]:
        raise stale_object()
    return existing


def first_version(conn: sqlite3.Connection, realm_id: str, at: float) -> dict:
    """Id, SyncToken and MetaData of a record being created."""
    stamp = intuit_date_time(at)
    return {"Id": next_entity_id(conn, realm_id), "SyncToken": "0", "domain": "QBO",
            "sparse": False, "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp}}


def next_version(existing: dict, at: float) -> dict:
    """Id, SyncToken and MetaData of a record being changed."""
    return {"Id": existing["Id"], "SyncToken": str(int(existing["SyncToken"]) + 1),
            "domain": "QBO", "sparse": False,
            "MetaData": {**existing["MetaData"], "LastUpdatedTime": intuit_date_time(at)}}
