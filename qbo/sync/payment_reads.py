"""Payments read back from QuickBooks: a payment seen (or gone) → the synced bills or invoices it pays, read again →
their payment status stored. Shared by the webhook job and the change-data-capture pass.

Only records this company synced to this realm are read or given a status; a payment that pays nothing inBuild
sent is remembered by its date alone. A BillPayment or Payment that QuickBooks reports deleted comes as an Id only:
the records it paid are found again through the links stored when it was seen.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

from sqlite_utils import Database

from qbo.storage.db import immediate
from qbo.sync.payment_store import (
    documents_paid_by, forget_payment, link_payment, payment_dates, replace_document_links, save_payment,
    save_payment_status, synced_documents,
)
from qbo.sync.payments import (
    DOCUMENT_ENTITY, KIND_OF_PAYMENT, PAYMENT_ENTITY, is_paid_in_full, linked_payment_ids, paid_document_ids,
    payment_status, txn_date,
)


class PaymentApi(Protocol):
    """What of QboClient the payment reads use."""

    def read(self, entity: str, entity_id: str) -> dict: ...

    def read_many(self, entity: str, ids: Iterable[str]) -> list[dict]: ...


class PaymentReader:
    """One company's payments in one realm: what QuickBooks says, stored; the client is made on first use."""

    def __init__(self, db: Database, company_id: int, realm_id: str, client: Callable[[], PaymentApi],
                 now: datetime) -> None:
        self.db, self.company_id, self.realm_id, self.now = db, company_id, realm_id, now
        self._client_factory, self._client = client, None
        self.statuses_saved = 0

    @property
    def client(self) -> PaymentApi:
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def payment_seen(self, entity: str, payment: dict) -> set[str]:
        """Store a payment as read; the Ids of the synced records it pays now or paid before."""
        payment_id, kind = str(payment.get("Id")), KIND_OF_PAYMENT[entity]
        paid_now = paid_document_ids(payment, DOCUMENT_ENTITY[kind])
        synced = synced_documents(self.db, self.company_id, self.realm_id, kind, paid_now)
        with immediate(self.db):
            before = documents_paid_by(self.db, self.company_id, self.realm_id, entity, payment_id)
            save_payment(self.db, self.company_id, self.realm_id, entity, payment_id, txn_date(payment))
            link_payment(self.db, self.company_id, self.realm_id, entity, payment_id, synced)
        return set(synced) | set(before)

    def payment_gone(self, entity: str, payment_id: str) -> set[str]:
        """Forget a payment deleted in QuickBooks; the Ids of the synced records it paid."""
        with immediate(self.db):
            before = documents_paid_by(self.db, self.company_id, self.realm_id, entity, payment_id)
            forget_payment(self.db, self.company_id, self.realm_id, entity, payment_id)
        return set(before)

    def refresh(self, kind: str, qbo_ids: Iterable[str] | None, already_read: dict[str, dict] | None = None) -> int:
        """Read these synced records again (all of the realm's when None) and store their payment status."""
        synced = synced_documents(self.db, self.company_id, self.realm_id, kind, qbo_ids)
        documents = {qbo_id: document for qbo_id, document in (already_read or {}).items() if qbo_id in synced}
        missing = [qbo_id for qbo_id in synced if qbo_id not in documents]
        if missing:
            documents.update({str(d.get("Id")): d for d in self.client.read_many(DOCUMENT_ENTITY[kind], missing)
                              if str(d.get("Id")) in synced})
        dates = self._payment_dates(kind, [d for d in documents.values() if is_paid_in_full(d)])
        saved = 0
        with immediate(self.db):
            for qbo_id, document in documents.items():
                saved += self._save(kind, synced[qbo_id], qbo_id, document, dates)
        self.statuses_saved += saved
        return saved

    def _save(self, kind: str, record_id: int, qbo_id: str, document: dict, dates: dict) -> bool:
        entity = PAYMENT_ENTITY[kind]
        payments = linked_payment_ids(document, entity)
        status = payment_status(document, [dates.get(payment_id) for payment_id in payments])
        if not save_payment_status(self.db, self.company_id, self.realm_id, kind, record_id, status,
                                   str(document.get("SyncToken", "")), self.now):
            return False  # an older read than the one stored: its links are older too
        replace_document_links(self.db, self.company_id, self.realm_id, entity, qbo_id, payments)
        return True

    def _payment_dates(self, kind: str, paid_documents: list[dict]) -> dict:
        """payment Id -> TxnDate for every payment of these records; payments not seen yet are read (in chunks)."""
        entity = PAYMENT_ENTITY[kind]
        wanted = [payment_id for d in paid_documents for payment_id in linked_payment_ids(d, entity)]
        if not wanted:
            return {}
        dates = payment_dates(self.db, self.company_id, self.realm_id, entity, wanted)
        unread = [payment_id for payment_id in dict.fromkeys(wanted) if payment_id not in dates]
        if unread:
            payments = self.client.read_many(entity, unread)
            with immediate(self.db):
                for payment in payments:
                    save_payment(self.db, self.company_id, self.realm_id, entity, str(payment.get("Id")),
                                 txn_date(payment))
            dates.update({str(payment.get("Id")): txn_date(payment) for payment in payments})
        return dates
