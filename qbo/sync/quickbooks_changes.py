"""What a change made in QuickBooks means for inBuild, as Intuit's webhooks report it.

A synced bill or invoice deleted or voided there is flagged "removed from QuickBooks" on its row, and one changed
there by someone else keeps its status with a message saying so (nothing is sent over it until the admin
resyncs). A vendor, customer, class, item or account that inBuild maps onto and that was deleted, merged away or
made inactive there marks those mappings stale at once, so no sync uses them. A BillPayment or Payment is read
back with the synced records it pays (qbo.sync.payment_changes). Webhooks carry ids only: an update is read back
from QuickBooks to see what changed.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.connection.crypto import TokenDecryptError
from qbo.connection.realm_settings import RealmSettings, get_realm_settings
from qbo.connection.store import get_connection
from qbo.connection.webhook_store import StoredEvent, claim_events, finish_event, retry_event
from qbo.intuit.api_client import QboClient
from qbo.intuit.errors import IntuitError
from qbo.intuit.faults import QboFault, QboNotFound
from qbo.mapping.checks import GONE, INACTIVE
from qbo.mapping.store import (
    COST_CODE, COST_TYPE, PROJECT_CLASS, PROJECT_CUSTOMER, PROJECT_JOB, VENDOR, all_mappings, mark_stale,
)
from qbo.storage.db import immediate
from qbo.sync.bodies import BILL, INVOICE, body_version, holds_what_was_sent
from qbo.sync.plan import body_for
from qbo.sync.payment_changes import PAYMENT_ENTITIES, apply_payment_event
from qbo.sync.payment_reads import PaymentReader
from qbo.sync.store import DELETED, SYNCED, SyncRecord, find_by_qbo_id, get_sync_record, save_state

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CLAIM_SIZE, CLAIM_ROUNDS = 200, 20  # at most 20 claims of 200 events per job; the minute sweep takes the rest
DOCUMENTS = {"Bill": BILL, "Invoice": INVOICE}
LIST_KINDS = {"Vendor": (VENDOR,), "Customer": (PROJECT_CUSTOMER, PROJECT_JOB), "Class": (PROJECT_CLASS,),
              "Item": (COST_CODE, COST_TYPE), "Account": (COST_CODE, COST_TYPE)}
DELETED_OR_INACTIVE = "This QuickBooks record was deleted or made inactive in QuickBooks."
MERGED_AWAY = "This QuickBooks record was merged into another one in QuickBooks."
ClientFor = Callable[[Database, int], QboClient]


@dataclass
class Processed:
    done: int = 0
    retrying: int = 0
    failed: int = 0


def process_company_events(db: Database, company_id: int, client_for: ClientFor, now: datetime) -> Processed:
    """Work through the company's waiting events, oldest first; transient failures wait for a later pass."""
    processed = Processed()
    context = ChangeContext(db, company_id, client_for, now)
    for _ in range(CLAIM_ROUNDS):
        events = claim_events(db, company_id, now, CLAIM_SIZE)
        for event in events:
            _settle(db, event, context, processed, now)
        if len(events) < CLAIM_SIZE:
            break
    return processed


class ChangeContext:
    """The company's connection, settings and API client, looked up once per job and only when needed."""

    def __init__(self, db: Database, company_id: int, client_for: ClientFor, now: datetime) -> None:
        connection = get_connection(db, company_id)
        self.db, self.company_id, self.now, self._client_for = db, company_id, now, client_for
        self.realm_id = connection.realm_id if connection is not None and connection.is_active else None
        self.settings: RealmSettings | None = (get_realm_settings(db, company_id, self.realm_id)
                                               if self.realm_id else None)
        self._client: QboClient | None = None

    def client(self) -> QboClient:
        if self._client is None:
            self._client = self._client_for(self.db, self.company_id)
        return self._client

    def read(self, entity: str, entity_id: str) -> dict:
        return self.client().read(entity, entity_id)


def _settle(db: Database, event: StoredEvent, context: ChangeContext, processed: Processed, now: datetime) -> None:
    try:
        outcome = apply_event(context, event)
    except (IntuitError, TokenDecryptError) as exc:  # unreachable, throttled, expired: try again on a later pass
        with immediate(db):
            again = retry_event(db, event.event_id, str(exc) or type(exc).__name__, now, MAX_ATTEMPTS)
        processed.retrying += again
        processed.failed += not again
        return
    except QboFault as fault:
        with immediate(db):
            finish_event(db, event.event_id, f"QuickBooks refused the read: {fault}", now, failed=True)
        processed.failed += 1
        return
    with immediate(db):
        finish_event(db, event.event_id, outcome, now)
    processed.done += 1
    log.info("QuickBooks %s %s %s (realm %s): %s", event.entity, event.entity_id, event.operation,
             event.realm_id, outcome)


def apply_event(context: ChangeContext, event: StoredEvent) -> str:
    """Act on one event; what was done, in a few words."""
    if event.realm_id != context.realm_id:
        return "skipped: the company is no longer connected to this QuickBooks company"
    if event.entity in DOCUMENTS:
        return _document_event(context, event, DOCUMENTS[event.entity])
    if event.entity in LIST_KINDS:
        return _list_event(context, event)
    if event.entity in PAYMENT_ENTITIES:
        reader = PaymentReader(context.db, context.company_id, event.realm_id, context.client, context.now)
        return apply_payment_event(reader, event)
    return "skipped: inBuild does not follow this kind of record"


# --- bills and invoices ---------------------------------------------------------------------------------------------

def _document_event(context: ChangeContext, event: StoredEvent, kind: str) -> str:
    state = find_by_qbo_id(context.db, context.company_id, event.realm_id, kind, event.entity_id)
    if state is None:
        return "skipped: not a record inBuild sent"
    if event.operation in ("Create", "Emailed") or state.status == DELETED:
        return "nothing to do"
    if event.operation in ("Delete", "Void"):
        verb = "Deleted" if event.operation == "Delete" else "Voided"
        return _flag_removed(context, state, f"{verb} in QuickBooks")
    if state.status != SYNCED:
        return f"skipped: the record is {state.status} (inBuild's own write, or one that will be sent again)"
    try:
        current = context.read(event.entity, event.entity_id)
    except QboNotFound:
        return _flag_removed(context, state, "Deleted in QuickBooks")
    token = str(current.get("SyncToken", ""))
    if token == (state.sync_token or ""):
        return "nothing to do: QuickBooks holds what inBuild sent"
    if _still_what_was_sent(context, state, current):
        return _note_new_token(context, state, token)
    return _flag_changed(context, state, token)


def _still_what_was_sent(context: ChangeContext, state: SyncRecord, current: dict) -> bool:
    """A new SyncToken with everything inBuild sent unchanged: a payment applied, a link made, QuickBooks' own
    bookkeeping. Told only while inBuild's record is still the version sent (otherwise nothing can be compared)."""
    settings = context.settings if state.realm_id == context.realm_id else None
    body = body_for(context.db, context.company_id, state.realm_id, settings, state.kind, state.record_id) \
        if settings else None
    if not isinstance(body, dict) or body_version(body) != state.synced_version:
        return False
    return holds_what_was_sent(body, current)


def _note_new_token(context: ChangeContext, state: SyncRecord, token: str) -> str:
    """Keep the SyncToken current, so inBuild's next update is not refused as stale."""
    if not _save_unless_rewritten(context, state, sync_token=token):
        return "nothing to do: inBuild wrote it meanwhile"
    return f"nothing to do: only QuickBooks' own fields changed (SyncToken {token})"


def _flag_removed(context: ChangeContext, state: SyncRecord, what: str) -> str:
    message = f"{what} on {context.now:%b %d, %Y}. inBuild will not send it again on its own."
    with immediate(context.db):
        latest = _latest(context, state)
        if latest is None or latest.status == DELETED:
            return "nothing to do"
        save_state(context.db, context.company_id, state.realm_id, state.kind, state.record_id, context.now,
                   status=DELETED, message=message)
    return f"flagged: {what.lower()}"


def _flag_changed(context: ChangeContext, state: SyncRecord, token: str) -> str:
    message = (f"Changed in QuickBooks on {context.now:%b %d, %Y} (not by inBuild). Resync sends inBuild's version "
               f"over it; until then inBuild leaves it as it is.")
    if not _save_unless_rewritten(context, state, message=message):
        return "nothing to do: inBuild wrote it meanwhile"
    return f"flagged: changed in QuickBooks (SyncToken {token})"


def _save_unless_rewritten(context: ChangeContext, state: SyncRecord, **values) -> bool:
    """Save these values on the record unless inBuild wrote it since it was read (then False)."""
    with immediate(context.db):
        latest = _latest(context, state)
        if latest is None or latest.status != SYNCED or latest.sync_token != state.sync_token:
            return False
        save_state(context.db, context.company_id, state.realm_id, state.kind, state.record_id, context.now,
                   **values)
    return True


def _latest(context: ChangeContext, state: SyncRecord) -> SyncRecord | None:
    return get_sync_record(context.db, context.company_id, state.realm_id, state.kind, state.record_id)


# --- mapped list records ----------------------------------------------------------------------------------------------

def _list_event(context: ChangeContext, event: StoredEvent) -> str:
    if event.operation == "Merge":
        if not event.deleted_id:
            return "nothing to do"
        return _mark_stale(context, event.entity, event.deleted_id, MERGED_AWAY)
    if event.operation == "Delete":
        return _mark_stale(context, event.entity, event.entity_id, DELETED_OR_INACTIVE)
    if event.operation != "Update" or not _mapped_onto(context, event.entity, event.entity_id):
        return "nothing to do"
    try:
        current = context.read(event.entity, event.entity_id)
    except QboNotFound:
        return _mark_stale(context, event.entity, event.entity_id, GONE)
    if current.get("Active") is False:
        return _mark_stale(context, event.entity, event.entity_id, INACTIVE)
    return "nothing to do: still active"


def _entity_of(kind: str, settings: RealmSettings | None) -> str:
    """Which QuickBooks list a kind of mapping points into."""
    if kind == VENDOR:
        return "Vendor"
    if kind in (PROJECT_CUSTOMER, PROJECT_JOB):
        return "Customer"
    if kind == PROJECT_CLASS:
        return "Class"
    return "Item" if settings is not None and settings.posting_style == "item" else "Account"


def _mapped_onto(context: ChangeContext, entity: str, qbo_id: str) -> list:
    return [mapping for mapping in all_mappings(context.db, context.company_id, context.realm_id)
            if mapping.qbo_id == qbo_id and mapping.kind in LIST_KINDS[entity]
            and _entity_of(mapping.kind, context.settings) == entity]


def _mark_stale(context: ChangeContext, entity: str, qbo_id: str, reason: str) -> str:
    with immediate(context.db):
        mappings = [mapping for mapping in _mapped_onto(context, entity, qbo_id) if not mapping.stale]
        for mapping in mappings:
            mark_stale(context.db, context.company_id, context.realm_id, mapping.kind, mapping.inbuild_id, reason)
    return f"{len(mappings)} mapping(s) marked stale" if mappings else "nothing to do: not mapped"
