"""What a run has to do: which records to create, which to update, which wait for a mapping, which were withdrawn."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlite_utils import Database

from qbo.connection.realm_settings import RealmSettings
from qbo.mapping.store import usable_mapping
from qbo.records import documents
from qbo.records.documents import ApprovalStatus
from qbo.sync.bodies import BILL, INVOICE, MappedRef, Waiting, bill_body, body_version, invoice_body
from qbo.sync.store import DELETED, SYNCED, WITHDRAWN, SyncRecord, sync_records, synced_in_other_realms

REQUEST_IDS = uuid.UUID("6c1f3a52-6e0b-4c38-9a43-5b1f0d2f8e11")


@dataclass(frozen=True)
class Action:
    kind: str
    record_id: int
    label: str
    number: str
    body: dict
    version: str
    existing: SyncRecord | None

    @property
    def key(self) -> tuple[str, int]:
        return self.kind, self.record_id

    @property
    def is_update(self) -> bool:
        return self.existing is not None and self.existing.qbo_id is not None and self.existing.status != DELETED

    def request_id(self, company_id: int, realm_id: str) -> str:
        """The same record, version and target always send the same requestid, so a retry is replayed."""
        operation = f"update:{self.existing.sync_token}" if self.is_update else "create"
        name = f"{company_id}:{realm_id}:{self.kind}:{self.record_id}:{self.version}:{operation}"
        return str(uuid.uuid5(REQUEST_IDS, name))


@dataclass
class Plan:
    creates: list[Action] = field(default_factory=list)
    updates: list[Action] = field(default_factory=list)
    waiting: list[tuple[tuple[str, int], Waiting, str]] = field(default_factory=list)
    withdrawn: list[tuple[str, int]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.creates) + len(self.updates)


def plan_run(db: Database, company_id: int, realm_id: str, settings: RealmSettings,
             only: set[tuple[str, int]] | None = None, exclude: set[tuple[str, int]] = frozenset()) -> Plan:
    """Every approved record on or after the wizard's start date, compared with what QuickBooks has of it."""
    states = sync_records(db, company_id, realm_id)
    elsewhere = synced_in_other_realms(db, company_id, realm_id) - set(states)
    lookup = _cached_lookup(db, company_id, realm_id)
    plan = Plan()
    for kind, record, body in _candidates(db, company_id, settings, lookup):
        key = (kind, record.id)
        if (only is not None and key not in only) or key in exclude:
            continue
        if key in elsewhere and only is None:
            continue  # sent to another QuickBooks company: only a Resync by the admin sends it here too
        _place(plan, kind, record, body, states.get(key), forced=only is not None)
    _find_withdrawn(db, company_id, states, plan)
    return plan


def _candidates(db: Database, company_id: int, settings: RealmSettings, lookup):
    start = settings.sync_start_date
    if settings.sync_bills:
        for bill in documents.list_bills(db, company_id, limit=None, status=ApprovalStatus.APPROVED):
            if start is None or bill.bill_date >= start:
                yield BILL, bill, bill_body(bill, settings, lookup)
    if settings.sync_invoices:
        for invoice in documents.list_invoices(db, company_id, limit=None, status=ApprovalStatus.APPROVED):
            if start is None or invoice.invoice_date >= start:
                yield INVOICE, invoice, invoice_body(invoice, settings, lookup)


def _place(plan: Plan, kind: str, record, body: dict | Waiting, state: SyncRecord | None, forced: bool) -> None:
    """Into the plan: a resync the admin asked for (forced) is sent even when QuickBooks already has this version."""
    if isinstance(body, Waiting):
        if state is None or state.qbo_id is None:
            plan.waiting.append(((kind, record.id), body, ""))
        return
    version = body_version(body)
    if state is not None and state.status == SYNCED and state.synced_version == version and not forced:
        return
    if state is not None and state.status in (WITHDRAWN, DELETED) and not forced:
        return  # the admin decides what happens to a withdrawn or removed record (Resync creates it again)
    label = f"{'Bill' if kind == BILL else 'Invoice'} {record.number}"
    action = Action(kind, record.id, label, record.number, body, version, state)
    (plan.updates if action.is_update else plan.creates).append(action)


def _find_withdrawn(db: Database, company_id: int, states: dict, plan: Plan) -> None:
    approved = {(BILL, b.id) for b in documents.list_bills(db, company_id, limit=None, status=ApprovalStatus.APPROVED)}
    approved |= {(INVOICE, i.id) for i in documents.list_invoices(db, company_id, limit=None,
                                                                    status=ApprovalStatus.APPROVED)}
    for key, state in states.items():
        if state.status == SYNCED and key not in approved:
            plan.withdrawn.append(key)


def body_for(db: Database, company_id: int, realm_id: str, settings: RealmSettings, kind: str,
             record_id: int) -> dict | Waiting | None:
    """What inBuild would send for this record now (None when the record is gone)."""
    lookup = _cached_lookup(db, company_id, realm_id)
    if kind == BILL:
        bill = documents.get_bill(db, company_id, record_id)
        return bill_body(bill, settings, lookup) if bill else None
    invoice = documents.get_invoice(db, company_id, record_id)
    return invoice_body(invoice, settings, lookup) if invoice else None


def _cached_lookup(db: Database, company_id: int, realm_id: str):
    cache: dict[tuple[str, int], MappedRef | None] = {}

    def lookup(kind: str, inbuild_id: int) -> MappedRef | None:
        if (kind, inbuild_id) not in cache:
            mapping = usable_mapping(db, company_id, realm_id, kind, inbuild_id)
            cache[(kind, inbuild_id)] = MappedRef(mapping.qbo_id, mapping.qbo_name) if mapping else None
        return cache[(kind, inbuild_id)]

    return lookup
