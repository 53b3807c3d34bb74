"""Change Data Capture (GET /cdc): what changed in a company since a moment, deletions included.

QBO looks back at most 30 days and answers with at most 1,000 objects. Which 1,000 it keeps is not documented;
here the oldest changes are kept, so a client that asks again from the latest LastUpdatedTime it saw gets the rest.
"""
from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from .clock import INTUIT_ZONE, intuit_date_time
from .entities import deleted_since, list_entities
from .entity_faults import EntityFault
from .resources import WRITABLE_ENTITIES

LOOK_BACK_DAYS = 30
MAX_OBJECTS = 1000
_ENTITY_NAMES = {name.lower(): name for name in WRITABLE_ENTITIES}


@dataclass(frozen=True)
class CdcRequest:
    entities: tuple[str, ...]
    # Whole seconds: MetaData times carry none, so a change later in the same second must still count.
    since: float


@dataclass(frozen=True)
class _Changed:
    at: float
    order: int
    entity: str
    record: dict

    def sort_key(self) -> tuple:
        entity_id = str(self.record["Id"])
        return self.at, self.order, len(entity_id), entity_id


def cdc_fault(detail: str, message: str = "Invalid query") -> EntityFault:
    """The 400 ValidationFault for a CDC request QBO refuses."""
    return EntityFault("4001", message, detail)


def parse_cdc_request(entities: str | None, changed_since: str | None, at: float) -> CdcRequest:
    """The entities (QBO's spelling, in the order asked) and the moment; a fault for a request QBO refuses."""
    names = [name.strip() for name in (entities or "").split(",") if name.strip()]
    if not names:
        raise cdc_fault("QueryValidationError: the entities parameter is required (e.g. entities=Bill,Invoice)")
    unknown = [name for name in names if name.lower() not in _ENTITY_NAMES]
    if unknown:
        raise cdc_fault(f"QueryValidationError: Entity '{unknown[0]}' is not supported by change data capture")
    since = _moment(changed_since)
    if since < at - LOOK_BACK_DAYS * 86400:
        raise cdc_fault(f"Operation cdc with changedSince date {changed_since} which is older than fixed days is"
                        f" not supported: changedSince is too far back (at most {LOOK_BACK_DAYS} days).",
                        "changedSince is too far back")
    wanted = tuple(dict.fromkeys(_ENTITY_NAMES[name.lower()] for name in names))
    return CdcRequest(wanted, float(math.floor(since)))


def _moment(text: str | None) -> float:
    if not text or not text.strip():
        raise cdc_fault("QueryValidationError: the changedSince parameter is required"
                        " (ISO 8601, e.g. 2026-05-01T09:30:00-07:00)")
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise cdc_fault(f"QueryValidationError: changedSince {text!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:  # python-quickbooks sends no offset: read it in Intuit's own zone
        moment = moment.replace(tzinfo=INTUIT_ZONE)
    return moment.timestamp()


def changes_since(conn: sqlite3.Connection, realm_id: str, wanted: CdcRequest,
                  max_objects: int = MAX_OBJECTS) -> list[dict]:
    """The QueryResponse list of a CDCResponse: per entity asked, what changed or was deleted, oldest first."""
    found: list[_Changed] = []
    for order, entity in enumerate(wanted.entities):
        for record in list_entities(conn, realm_id, entity):
            updated = _last_updated(record)
            if updated >= wanted.since:
                found.append(_Changed(updated, order, entity, record))
        for entity_id, deleted_at in deleted_since(conn, realm_id, entity, wanted.since):
            found.append(_Changed(math.floor(deleted_at), order, entity, _tombstone(entity_id, deleted_at)))
    kept = sorted(found, key=_Changed.sort_key)[:max_objects]
    return [_query_response(entity, [change.record for change in kept if change.entity == entity])
            for entity in wanted.entities]


def _last_updated(record: dict) -> float:
    stamp = (record.get("MetaData") or {}).get("LastUpdatedTime")
    return datetime.fromisoformat(stamp).timestamp() if stamp else 0.0


def _tombstone(entity_id: str, deleted_at: float) -> dict:
    """How CDC shows a deleted object: its Id, status Deleted, and when."""
    return {"Id": entity_id, "status": "Deleted", "domain": "QBO",
            "MetaData": {"LastUpdatedTime": intuit_date_time(deleted_at)}}


def _query_response(entity: str, records: list[dict]) -> dict:
    if not records:
        return {"startPosition": 1, "maxResults": 0, "totalCount": 0}
    return {entity: records, "startPosition": 1, "maxResults": len(records), "totalCount": len(records)}
