"""Writes of QBO entities: create, update (full or sparse), delete and void, by operation."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .company_preferences import load_preferences
from .entities import note_created, save_entity
from .entity_faults import EntityFault, fault_response, not_found, unsupported_operation
from .entity_rules import WRITE_ONLY_ONCE, child_customers, prepare
from .references import display_name
from .payment_links import applications, refresh_settled, settle_update
from .payment_writes import delete_payment
from .payments import prepare_payment
from .resources import PAYMENT_ENTITIES, TRANSACTION_ENTITIES, VOIDABLE_ENTITIES, WRITABLE
from .transaction_writes import delete_transaction, void_invoice
from .transactions import TxnRules, check_open_period, prepare_transaction
from .write_support import (
    SERVER_FIELDS, current_version, first_version, next_version, require_object, writable_fields,
)

__all__ = ["WRITABLE", "EntityFault", "WriteOptions", "fault_response", "not_found", "perform",
           "write_entity"]


@dataclass(frozen=True)
class WriteOptions:
    at: float
    allow_duplicate_doc_number: bool = False


def perform(conn: sqlite3.Connection, realm_id: str, entity: str, operation: str | None,
            body: object, options: WriteOptions) -> dict:
    """Run one write (operation None: the body's Id decides create or update); the saved entity."""
    if operation == "delete":
        if entity in PAYMENT_ENTITIES:
            return delete_payment(conn, realm_id, entity, require_object(body, entity), options.at)
        if entity not in TRANSACTION_ENTITIES:
            raise unsupported_operation("Delete", entity)
        return delete_transaction(conn, realm_id, entity, require_object(body, entity), options.at)
    if operation == "void":
        if entity not in VOIDABLE_ENTITIES:
            raise unsupported_operation("Void", entity)
        return void_invoice(conn, realm_id, require_object(body, entity), options.at)
    if operation == "update":  # an update must name its object (2020 from current_version)
        return _update(conn, realm_id, entity, require_object(body, entity), options)
    if operation == "create":
        body = {k: v for k, v in require_object(body, entity).items() if k != "Id"}
    return write_entity(conn, realm_id, entity, body, options.at,
                        allow_duplicate_doc_number=options.allow_duplicate_doc_number)


def write_entity(conn: sqlite3.Connection, realm_id: str, entity: str, body: object,
                 at: float, *, allow_duplicate_doc_number: bool = False) -> dict:
    """Create (no Id) or update (with Id) one entity; EntityFault if QBO would refuse."""
    body = require_object(body, entity)
    options = WriteOptions(at, allow_duplicate_doc_number)
    if body.get("Id") not in (None, ""):
        return _update(conn, realm_id, entity, body, options)
    return _create(conn, realm_id, entity, body, options)


def _prepare(conn: sqlite3.Connection, realm_id: str, entity: str, record: dict,
             own: dict | None, options: WriteOptions) -> dict:
    if entity in PAYMENT_ENTITIES:
        return prepare_payment(conn, realm_id, entity, record, own, _txn_rules(conn, realm_id, options))
    if entity in TRANSACTION_ENTITIES:
        prepared = prepare_transaction(conn, realm_id, entity, record, own, _txn_rules(conn, realm_id, options))
        return settle_update(conn, realm_id, entity, {**prepared, "Id": own["Id"]}) if own else prepared
    return prepare(conn, realm_id, entity, record, own["Id"] if own else None)


def _txn_rules(conn: sqlite3.Connection, realm_id: str, options: WriteOptions) -> TxnRules:
    return TxnRules(options.at, load_preferences(conn, realm_id), options.allow_duplicate_doc_number)


def _create(conn: sqlite3.Connection, realm_id: str, entity: str, body: dict,
            options: WriteOptions) -> dict:
    record = _prepare(conn, realm_id, entity, writable_fields(body), None, options)
    record.update(first_version(conn, realm_id, options.at))
    save_entity(conn, realm_id, entity, record)
    note_created(realm_id, entity, record["Id"])
    if entity in PAYMENT_ENTITIES:
        refresh_settled(conn, realm_id, entity, set(applications(record)), options.at)
    return record


def _update(conn: sqlite3.Connection, realm_id: str, entity: str, body: dict,
            options: WriteOptions) -> dict:
    existing = current_version(conn, realm_id, entity, body)
    if entity in TRANSACTION_ENTITIES or entity in PAYMENT_ENTITIES:
        check_open_period(existing["TxnDate"], load_preferences(conn, realm_id))
    if body.get("sparse") is True:
        base = {k: v for k, v in existing.items() if k not in SERVER_FIELDS}
        if entity in PAYMENT_ENTITIES and "Line" in body and "TotalAmt" not in body:
            base.pop("TotalAmt", None)  # new lines without a total: the total follows the lines
    else:  # a full update: whatever the body leaves out is cleared
        base = {k: existing[k] for k in WRITE_ONLY_ONCE if k in existing}
    record = _prepare(conn, realm_id, entity, {**base, **writable_fields(body)}, existing, options)
    record.update(next_version(existing, options.at))
    save_entity(conn, realm_id, entity, record)
    if entity in PAYMENT_ENTITIES:
        touched = set(applications(existing)) | set(applications(record))
        refresh_settled(conn, realm_id, entity, touched, options.at)
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
