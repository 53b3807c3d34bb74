"""Payments back from QuickBooks Desktop: the synced bills and invoices a session reads again (BillQuery/InvoiceQuery
by TxnID with their linked payments, after every add and mod), and what those answers store.

At most one read per company file an hour (the Web Connector's hourly list refresh brings a session anyway), of the
records not known paid, plus those known paid for more than a week (a payment voided in QuickBooks). A TxnID
QuickBooks does not know (deleted there) leaves its record's status as it was. ModifiedDateRangeFilter cannot narrow
a TxnID query (qbXML puts them in one choice), and whether a payment changes a bill's TimeModified is unconfirmed.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from qbo.desktop import qbxml_requests as rq
from qbo.desktop.payment_read_store import last_payment_read, note_payment_read
from qbo.desktop.payment_rets import read_payment
from qbo.desktop.qbxml import QbxmlResponse
from qbo.desktop.session_store import DesktopSession, Step, add_step
from qbo.sync.bodies import BILL, ENTITY, INVOICE
from qbo.sync.payment_store import has_synced_documents, payment_statuses, save_payment_status, synced_documents
from qbo.sync.payments import PaymentState

PAYMENTS, PAYMENT_READ = 5, "payment_read"  # the phase after ADDS, and the steps' purpose
READ_EVERY = timedelta(hours=1)
PAID_READ_EVERY = timedelta(days=7)
CHUNK = 50  # TxnIDs per query: an answer without lines stays small
MOST_PER_KIND = 500  # per session: a large backlog is read over several sessions, the longest unread first
NOT_FOUND = 500  # "the query request has not been fully completed": some TxnID is not in the company file


def payment_reads_due(db: Database, company_id: int, realm_id: str, now: datetime) -> bool:
    last = last_payment_read(db, company_id, realm_id)
    return (last is None or now - last >= READ_EVERY) and has_synced_documents(db, company_id, realm_id)


def plan_payment_reads(db: Database, session_id: int, company_id: int, realm_id: str, now: datetime) -> None:
    """Queue this session's payment reads, when due (inside the caller's transaction)."""
    last = last_payment_read(db, company_id, realm_id)
    if last is not None and now - last < READ_EVERY:
        return
    note_payment_read(db, company_id, realm_id, now)
    for kind in (BILL, INVOICE):
        txn_ids = txn_ids_to_read(db, company_id, realm_id, kind, now)[:MOST_PER_KIND]
        for start in range(0, len(txn_ids), CHUNK):
            plan_read(db, session_id, kind, txn_ids[start:start + CHUNK])


def txn_ids_to_read(db: Database, company_id: int, realm_id: str, kind: str, now: datetime) -> list[str]:
    """TxnIDs of the kind's synced records due a read, those read longest ago (or never) first."""
    stored = payment_statuses(db, company_id, realm_id, kind)
    due = []
    for txn_id, record_id in synced_documents(db, company_id, realm_id, kind).items():
        known = stored.get(record_id)
        if known is None or known.status.state is not PaymentState.PAID or now - known.checked_at >= PAID_READ_EVERY:
            due.append((known.checked_at.isoformat() if known else "", txn_id))
    return [txn_id for _, txn_id in sorted(due)]


def plan_read(db: Database, session_id: int, kind: str, txn_ids: list[str]) -> None:
    add_step(db, session_id, PAYMENTS, PAYMENT_READ, ENTITY[kind], rq.payment_query(ENTITY[kind], txn_ids), kind,
             None, {"txn_ids": txn_ids})


def apply_payment_answer(db: Database, session: DesktopSession, step: Step, answer: QbxmlResponse,
                         now: datetime) -> bool:
    """Store the payment of each record asked for and answered; False (the step failed) for an error status or a
    record that could not be read. A chunk with a TxnID QuickBooks does not know is asked again in halves, so the
    others are still read (about 2·log2(50) more requests for one unknown TxnID, not 50)."""
    if not (answer.ok or answer.no_match or answer.status_code == NOT_FOUND):
        return False
    asked = [str(txn_id) for txn_id in step.detail.get("txn_ids", [])]
    synced = synced_documents(db, session.company_id, session.realm_id, step.record_kind, asked)
    reads = [read_payment(step.entity, ret) for ret in answer.rets]
    saved: set[str] = set()
    for found in reads:
        if found is not None and found.txn_id in synced and found.txn_id not in saved:  # asked, and once only
            saved.add(found.txn_id)
            save_payment_status(db, session.company_id, session.realm_id, step.record_kind, synced[found.txn_id],
                                found.status, found.edit_sequence, now)
    unanswered = [txn_id for txn_id in asked if txn_id not in saved]
    if answer.status_code == NOT_FOUND and len(unanswered) > 1:
        half = len(unanswered) // 2
        for part in (unanswered[:half], unanswered[half:]):
            plan_read(db, session.id, step.record_kind, part)
    return all(found is not None for found in reads)


def save_added(db: Database, session: DesktopSession, kind: str, record_id: int, ret, now: datetime) -> None:
    """A bill or invoice QuickBooks just added: its payment as the BillRet/InvoiceRet reports it (open, surely)."""
    found = read_payment(ENTITY[kind], ret)
    if found is not None:
        save_payment_status(db, session.company_id, session.realm_id, kind, record_id, found.status,
                            found.edit_sequence, now)
