"""Create unmapped records in QuickBooks in bulk, through the Batch endpoint, one chunk of 30 per call.

A duplicate-name fault (6240) links the record QuickBooks already has; any other fault fails that record
only. A chunk is sent under a request id of its own, so sending it again after a lost answer replays it.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from qbo.connection.access_tokens import qbo_client
from qbo.intuit.api_client import QboClient, name_field, quoted
from qbo.intuit.faults import QboDuplicateName, QboFault, fault_from
from qbo.mapping.bulk_plan import plan_bulk_create
from qbo.mapping.bulk_store import (
    CREATED as ITEM_CREATED,
    FAILED,
    FINISHED,
    LINKED,
    BulkCreate,
    BulkItem,
    finish_item,
    get_bulk,
    items_of,
    set_bulk_status,
    start_bulk,
    take_chunk,
)
from qbo.mapping.kinds import KindSpec, kind_spec, one_to_one
from qbo.mapping.quickbooks_bodies import CannotCreate, body_for
from qbo.mapping.reference_records import record_from_api, upsert_record
from qbo.mapping.store import CREATED, mappings_for, save_mapping, users_of
from qbo.storage.timeutil import utcnow

BATCH_SIZE = 30  # Intuit's limit per Batch request (docs/intuit-facts.md 2.7)


@dataclass(frozen=True)
class ChunkResult:
    bulk: BulkCreate
    finished: list[BulkItem]  # the records this chunk settled, for the rows to fill in


def start_bulk_create(db: Database, company_id: int, realm_id: str, kind: str, settings) -> int:
    plan = plan_bulk_create(db, company_id, realm_id, kind, settings)
    return start_bulk(db, company_id, realm_id, kind, [(r.inbuild_id, r.qbo_name) for r in plan.records], utcnow())


def run_next_chunk(db: Database, company_id: int, realm_id: str, bulk_id: int, settings,
                   client: QboClient | None = None) -> ChunkResult | None:
    """Send the next chunk (IntuitError when QuickBooks cannot be reached: the chunk stays to send again)."""
    bulk = get_bulk(db, company_id, realm_id, bulk_id)
    if bulk is None:
        return None
    chunk, items = take_chunk(db, bulk_id, BATCH_SIZE)
    if items:
        _send(db, company_id, realm_id, bulk, items, chunk, settings, client or qbo_client(db, company_id))
    bulk = get_bulk(db, company_id, realm_id, bulk_id)
    if bulk.done == bulk.total and bulk.status != FINISHED:
        set_bulk_status(db, bulk_id, FINISHED, utcnow())
        bulk = get_bulk(db, company_id, realm_id, bulk_id)
    return ChunkResult(bulk, items_of(db, bulk_id, (ITEM_CREATED, LINKED, FAILED), chunk) if items else [])


def _send(db: Database, company_id: int, realm_id: str, bulk: BulkCreate, items: list[BulkItem], chunk: int,
          settings, client: QboClient) -> None:
    spec = kind_spec(bulk.kind, settings)
    mapped = mappings_for(db, company_id, realm_id, bulk.kind)
    requests = {}
    for item in items:
        if item.inbuild_id in mapped:  # the admin mapped it meanwhile
            finish_item(db, bulk.id, item.inbuild_id, LINKED, mapped[item.inbuild_id].qbo_id, "Mapped meanwhile.")
            continue
        try:
            body = body_for(db, company_id, realm_id, bulk.kind, item.inbuild_id, settings, client)
        except CannotCreate as exc:
            finish_item(db, bulk.id, item.inbuild_id, FAILED, message=str(exc))
            continue
        requests[str(item.inbuild_id)] = (item, {"bId": str(item.inbuild_id), "operation": "create", spec.entity: body})
    if not requests:
        return
    try:
        answers = client.batch([request for _, request in requests.values()], f"{bulk.request_key}-{chunk}")
    except QboFault as fault:  # the batch as a whole was refused
        for item, _ in requests.values():
            finish_item(db, bulk.id, item.inbuild_id, FAILED, message=str(fault))
        return
    by_id = {str(answer.get("bId")): answer for answer in answers}
    for bid, (item, _) in requests.items():
        _settle(db, company_id, realm_id, bulk, spec, item, by_id.get(bid), client, settings)


def _settle(db: Database, company_id: int, realm_id: str, bulk: BulkCreate, spec: KindSpec, item: BulkItem,
            answer: dict | None, client: QboClient, settings) -> None:
    """Record one BatchItemResponse: created, linked after a 6240, or failed with QuickBooks' words."""
    if answer is None:
        finish_item(db, bulk.id, item.inbuild_id, FAILED, message="QuickBooks did not answer for this record.")
    elif isinstance(answer.get(spec.entity), dict):
        _map(db, company_id, realm_id, bulk, item, record_from_api(spec.entity, answer[spec.entity]), ITEM_CREATED)
    else:
        fault = fault_from(200, answer, None) or QboFault("", "No record in the answer", "", 200, None)
        if isinstance(fault, QboDuplicateName):
            _link_existing(db, company_id, realm_id, bulk, spec, item, client, one_to_one(bulk.kind, settings))
        else:
            finish_item(db, bulk.id, item.inbuild_id, FAILED, message=str(fault))


def _link_existing(db: Database, company_id: int, realm_id: str, bulk: BulkCreate, spec: KindSpec,
                   item: BulkItem, client: QboClient, pairs_once: bool) -> None:
    body = existing_by_name(client, spec.entity, item.qbo_name)
    what = spec.entity.lower()
    if body is None:
        message = f"Another QuickBooks record (a customer, vendor or employee) already uses “{item.qbo_name}”."
        return finish_item(db, bulk.id, item.inbuild_id, FAILED, message=message)
    record = record_from_api(spec.entity, body)
    if not record.active:
        message = f"An inactive QuickBooks {what} already uses “{record.name}”: make it active in QuickBooks first."
        return finish_item(db, bulk.id, item.inbuild_id, FAILED, record.qbo_id, message)
    others = [i for i in users_of(db, company_id, realm_id, bulk.kind, record.qbo_id) if i != item.inbuild_id]
    if pairs_once and others:
        message = f"“{record.name}” is already in QuickBooks and mapped to another {what}; choose it with Share."
        return finish_item(db, bulk.id, item.inbuild_id, FAILED, record.qbo_id, message)
    _map(db, company_id, realm_id, bulk, item, record, LINKED)


def _map(db: Database, company_id: int, realm_id: str, bulk: BulkCreate, item: BulkItem, record, status: str) -> None:
    now = utcnow()
    upsert_record(db, company_id, realm_id, record, now)
    reason = "created in QuickBooks" if status == ITEM_CREATED else "already in QuickBooks, linked"
    save_mapping(db, company_id, realm_id, bulk.kind, item.inbuild_id, record.qbo_id, record.name, CREATED, now,
                 confidence=100, match_reason=reason)
    finish_item(db, bulk.id, item.inbuild_id, status, record.qbo_id,
                "" if status == ITEM_CREATED else f"“{record.name}” already existed in QuickBooks and is now linked.")


def existing_by_name(client: QboClient, entity: str, name: str) -> dict | None:
    """The record using this name, inactive ones included; QuickBooks' duplicate check ignores case, so we do too."""
    found = client.find_by_name(entity, name, include_inactive=True)
    if found is not None:
        return found
    field = name_field(entity)
    like = f"{field} LIKE {quoted(name)} AND Active IN (true, false)"
    return next((row for row in client.query(entity, like) if str(row.get(field, "")).casefold() == name.casefold()),
                None)
