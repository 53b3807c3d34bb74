"""Taking a withdrawn record out of QuickBooks, when the admin asks: a bill is deleted, an invoice voided."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from qbo.intuit.api_client import QboClient
from qbo.intuit.faults import QboFault
from qbo.storage.db import immediate
from qbo.sync.bodies import BILL, ENTITY
from qbo.sync.store import DELETED, WITHDRAWN, get_sync_record, save_state


class NotRemovable(ValueError):
    """Only a record withdrawn in inBuild after it was synced can be removed from QuickBooks."""


def remove_from_quickbooks(db: Database, company_id: int, realm_id: str, kind: str, record_id: int,
                           client: QboClient, now: datetime) -> str:
    """Delete the bill or void the invoice in QuickBooks; the message to show. QboFault if QuickBooks refuses."""
    state = get_sync_record(db, company_id, realm_id, kind, record_id)
    if state is None or state.status != WITHDRAWN or state.qbo_id is None:
        raise NotRemovable("Only a record withdrawn in inBuild after it was synced can be removed from QuickBooks.")
    remove = client.delete if kind == BILL else client.void
    try:
        remove(ENTITY[kind], state.qbo_id, state.sync_token or "0")
    except QboFault as fault:
        if fault.code != "5010":
            raise
        current = client.read(ENTITY[kind], state.qbo_id)
        remove(ENTITY[kind], state.qbo_id, current["SyncToken"])
    done = "Deleted from QuickBooks." if kind == BILL else "Voided in QuickBooks."
    with immediate(db):
        save_state(db, company_id, realm_id, kind, record_id, now, status=DELETED, message=done)
    return done
