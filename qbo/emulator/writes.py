"""Create and update (full or sparse) of QBO list entities, with SyncToken checks."""
from __future__ import annotations

import sqlite3

from flask import Response

from .clock import intuit_date_time, intuit_time
from .entities import get_entity, next_entity_id, save_entity
from .entity_rules import (
    WRITE_ONLY_ONCE, EntityFault, child_customers, display_name, prepare, required_missing,
)
from .responses import json_response

WRITABLE: dict[str, str] = {"vendor": "Vendor", "customer": "Customer", "item": "Item",
                            "account": "Account", "class": "Class"}
_SERVER_FIELDS = ("Id", "SyncToken", "sparse", "domain", "MetaData", "time")


def fault_response(fault: EntityFault) -> Response:
    """The 400 ValidationFault body for a refused write."""
    error = {"Message": fault.message, "Detail": fault.detail, "code": fault.code,
             "element": fault.element}
    return json_response({"Fault": {"Error": [error], "type": "ValidationFault"},
                          "time": intuit_time()}, 400)


def not_found(entity: str, entity_id: str) -> EntityFault:
    """610: the object named by Id does not exist."""
    return EntityFault("610", "Object Not Found",
                       "Object Not Found : Something you're trying to use has been made inactive"
                       f" or deleted. {entity} Id={entity_id}")


def write_entity(conn: sqlite3.Connection, realm_id: str, entity: str, body: object,
                 at: float) -> dict:
    """Create (no Id) or update (with Id) one entity; EntityFault if QBO would refuse."""
    if not isinstance(body, dict):
        raise EntityFault("2010", "Request has invalid or unsupported property",
                          f"Property Name:{entity} specified is unsupported or invalid")
    if body.get("Id") not in (None, ""):
        return _update(conn, realm_id, entity, body, at)
    return _create(conn, realm_id, entity, body, at)


def _writable_fields(body: dict) -> dict:
    return {key: value for key, value in body.items()
            if key not in _SERVER_FIELDS and value not in (None, "")}


def _create(conn: sqlite3.Connection, realm_id: str, entity: str, body: dict, at: float) -> dict:
    record = prepare(conn, realm_id, entity, _writable_fields(body), None)
    stamp = intuit_date_time(at)
    record.update(Id=next_entity_id(conn, realm_id), SyncToken="0", domain="QBO", sparse=False,
                  MetaData={"CreateTime": stamp, "LastUpdatedTime": stamp})
    save_entity(conn, realm_id, entity, record)
    return record


def _update(conn: sqlite3.Connection, realm_id: str, entity: str, body: dict, at: float) -> dict:
    entity_id = str(body["Id"])
    existing = get_entity(conn, realm_id, entity, entity_id)
    if existing is None:
        raise not_found(entity, entity_id)
    if body.get("SyncToken") in (None, ""):
        raise required_missing("SyncToken")
    if str(body["SyncToken"]) != existing["SyncToken"]:
        raise EntityFault("5010", "Stale Object Error",
                          "Stale Object Error : You and another user were working on the same"
                          " thing at the same time. The other user finished before you did, so"
                          " your work was not saved.", "SyncToken")
    if body.get("sparse") is True:
        base = {k: v for k, v in existing.items() if k not in _SERVER_FIELDS}
    else:  # a full update: whatever the body leaves out is cleared
        base = {k: existing[k] for k in WRITE_ONLY_ONCE if k in existing}
    record = prepare(conn, realm_id, entity, {**base, **_writable_fields(body)}, entity_id)
    record.update(Id=entity_id, SyncToken=str(int(existing["SyncToken"]) + 1), domain="QBO",
                  sparse=False, MetaData={**existing["MetaData"],
                                          "LastUpdatedTime": intuit_date_time(at)})
    save_entity(conn, realm_id, entity, record)
    if entity == "Customer":
        _refresh_sub_customers(conn, realm_id, record)
    return record


def _refresh_sub_customers(conn: sqlite3.Connection, realm_id: str, parent: dict) -> None:
    """Keep Level and FullyQualifiedName of sub-customers in step with a renamed parent."""
    for child in child_customers(conn, realm_id, parent["Id"]):
        name = f"{parent['FullyQualifiedName']}:{child['DisplayName']}"
        level = parent["Level"] + 1
        if child["FullyQualifiedName"] == name and child["Level"] == level:
            continue
        child.update(FullyQualifiedName=name, Level=level,
                     ParentRef={"value": parent["Id"], "name": display_name(parent)})
        save_entity(conn, realm_id, "Customer", child)
        _refresh_sub_customers(conn, realm_id, child)
