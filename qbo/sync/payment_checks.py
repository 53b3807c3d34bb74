"""The periodic payments pass: QuickBooks' change data capture since the last pass, for what webhooks missed.

One company, its connected realm: ask `cdc` for Bills, Invoices, BillPayments and Payments changed since the
cursor, store the payment status of the synced records among them or paid by them, and move the cursor on only
when everything was read. An answer holding the most QuickBooks sends at once (1000 objects) is followed by
another from the latest LastUpdatedTime in it. With no cursor yet, or one older than QuickBooks lets CDC reach
back (30 days), the balances of all the realm's synced records are read again instead. An unusable connection is
skipped quietly (the health job owns its state); 429, 5xx and timeouts leave the cursor where it was.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Protocol

from sqlite_utils import Database

from qbo.connection.crypto import TokenDecryptError
from qbo.connection.state import StoredState
from qbo.connection.store import get_connection
from qbo.intuit.api_client import ChangedData
from qbo.intuit.errors import IntuitError, IntuitUnavailable
from qbo.intuit.faults import QboFault
from qbo.storage.db import immediate
from qbo.sync.bodies import BILL, INVOICE
from qbo.sync.payment_reads import PaymentApi, PaymentReader
from qbo.sync.payment_store import advance_cursor, get_cursor, has_synced_documents, note_attempt
from qbo.sync.payments import DOCUMENT_ENTITY, KIND_OF_PAYMENT

log = logging.getLogger(__name__)

CDC_ENTITIES = ("Bill", "Invoice", "BillPayment", "Payment")
CDC_PAGE_LIMIT = 1000  # the most objects QuickBooks puts in one CDC answer
CDC_REACH = timedelta(days=29)  # QuickBooks refuses changedSince over 30 days back; a day's margin
OVERLAP = timedelta(minutes=1)  # ask again from a little before the last answer's time: nothing at the edge is lost


class ChangesApi(PaymentApi, Protocol):
    def change_data_capture(self, entities, changed_since: str) -> ChangedData: ...


def check_payments(db: Database, company_id: int, client_for: Callable[[Database, int], ChangesApi], now: datetime,
                   page_limit: int = CDC_PAGE_LIMIT) -> str:
    """One pass for one company; what happened, in a few words (also kept as the cursor's last outcome)."""
    connection = get_connection(db, company_id)
    if connection is None or connection.state not in (StoredState.CONNECTED, StoredState.ERROR):
        return "skipped: QuickBooks Online is not connected"
    realm_id = connection.realm_id
    with immediate(db):
        note_attempt(db, company_id, realm_id, "checking", now)
    if not has_synced_documents(db, company_id, realm_id):
        return _settled(db, company_id, realm_id, "nothing synced to this QuickBooks company yet", now)
    reader = PaymentReader(db, company_id, realm_id, lambda: client_for(db, company_id), now)
    cursor = get_cursor(db, company_id, realm_id)
    try:
        if cursor is not None and _within_reach(cursor.changed_since, now):
            next_since, how = _follow_changes(reader, cursor.changed_since, now, page_limit)
        else:
            next_since, how = _read_everything(reader, now), "balances of every synced record read again"
    except (IntuitError, TokenDecryptError, QboFault) as exc:
        return _settled(db, company_id, realm_id, _why_not(exc), now)
    with immediate(db):
        outcome = f"{how}; {reader.statuses_saved} payment status(es) stored"
        advance_cursor(db, company_id, realm_id, next_since, outcome, now)
    log.info("payments pass, company %s realm %s: %s", company_id, realm_id, outcome)
    return outcome


def _settled(db: Database, company_id: int, realm_id: str, outcome: str, now: datetime) -> str:
    with immediate(db):
        note_attempt(db, company_id, realm_id, outcome, now)
    return outcome


def _why_not(exc: Exception) -> str:
    if isinstance(exc, IntuitUnavailable):
        return f"try later: {exc}"
    if isinstance(exc, QboFault):
        return f"try later: QuickBooks refused the read: {exc}"
    return f"skipped: {exc or type(exc).__name__}"  # not connected, expired, tokens unreadable: the health job's


def _within_reach(changed_since: str | None, now: datetime) -> bool:
    since = _instant(changed_since) if changed_since else None
    return since is not None and since >= now - CDC_REACH


def _read_everything(reader: PaymentReader, now: datetime) -> str:
    """Every synced record's balance read again; the cursor to follow changes from afterwards."""
    for kind in (BILL, INVOICE):
        reader.refresh(kind, None)
    return _stamp(now - OVERLAP)


def _follow_changes(reader: PaymentReader, changed_since: str, now: datetime, page_limit: int) -> tuple[str, str]:
    since, pages = changed_since, 0
    while True:
        try:
            changes = reader.client.change_data_capture(CDC_ENTITIES, since)
        except QboFault as fault:
            if fault.status != 400:
                raise
            log.warning("CDC refused changedSince %s (%s): reading every balance instead", since, fault)
            return _read_everything(reader, now), "change data capture refused; every balance read again"
        apply_changes(reader, changes)
        pages += 1
        if changes.count < page_limit:
            server_time = _instant(changes.server_time) or now
            return _stamp(min(server_time, now) - OVERLAP), f"{pages} change data capture answer(s) applied"
        latest = _latest_update(changes)
        previous = _instant(since)
        if latest is None or previous is None or latest <= previous:  # a full answer stuck at one instant
            return _read_everything(reader, now), "change data capture could not page; every balance read again"
        since = _stamp(latest)


def apply_changes(reader: PaymentReader, changes: ChangedData) -> None:
    """Payments first (their dates and links), then the synced records changed or paid, read once each."""
    paid: dict[str, set[str]] = {BILL: set(), INVOICE: set()}
    for entity, kind in KIND_OF_PAYMENT.items():
        for payment in changes.objects.get(entity, []):
            if _deleted(payment):
                paid[kind] |= reader.payment_gone(entity, str(payment.get("Id")))
            else:
                paid[kind] |= reader.payment_seen(entity, payment)
    for kind in (BILL, INVOICE):
        changed = {str(document.get("Id")): document for document in changes.objects.get(DOCUMENT_ENTITY[kind], [])
                   if not _deleted(document)}
        if paid[kind] or changed:
            reader.refresh(kind, paid[kind] | set(changed), already_read=changed)


def _deleted(record: dict) -> bool:
    return str(record.get("status", "")).lower() == "deleted"


def _latest_update(changes: ChangedData) -> datetime | None:
    stamps = [_instant(str((record.get("MetaData") or {}).get("LastUpdatedTime") or ""))
              for found in changes.objects.values() for record in found if isinstance(record.get("MetaData"), dict)]
    stamps = [stamp for stamp in stamps if stamp is not None]
    return max(stamps) if stamps else None


def _instant(text: str) -> datetime | None:
    """An ISO 8601 instant from QuickBooks or the cursor (UTC when it has no offset); None when unreadable."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")
