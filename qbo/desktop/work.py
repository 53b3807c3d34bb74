"""What one Web Connector session does, as ordered qbXML steps: read lists, create vendors and customers, look up
records whose outcome is unknown, add bills and invoices from the same plan QuickBooks Online uses, then read back
the payments of those already there (`payment_reads`)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from qbo.connection.realm_settings import RealmSettings, get_realm_settings
from qbo.desktop import qbxml_requests as rq
from qbo.desktop.list_add_store import open_list_adds
from qbo.desktop.lists import LIST_ENTITIES
from qbo.desktop.payment_reads import payment_reads_due, plan_payment_reads
from qbo.desktop.session_store import add_step, has_steps
from qbo.mapping.reference_records import last_refreshed
from qbo.mapping.store import PROJECT_JOB, VENDOR
from qbo.records import catalog, documents
from qbo.sync.bodies import BILL, ENTITY
from qbo.sync.plan import Action, plan_run
from qbo.sync.store import SENDING, WAITING, WITHDRAWN, add_to_run, save_state, sync_records

LIST_REFRESH_AFTER = timedelta(hours=1)
LISTS, LIST_ADDS, FINDS, ADDS = 1, 2, 3, 4  # phases, in the order steps are sent
LIST, LIST_ADD, PARENT, LIST_FIND, FIND, ADD, HELLO = "list", "list_add", "parent", "list_find", "find", "add", "hello"
MOD, FRESHEN = "mod", "freshen"  # a BillMod/InvoiceMod; a lookup of the current EditSequence after a stale one


def sync_allowed(settings: RealmSettings | None) -> bool:
    return settings is not None and settings.setup_complete and settings.sync_enabled


def lists_due(db: Database, company_id: int, realm_id: str, now: datetime) -> list[str]:
    due = []
    for entity in LIST_ENTITIES:
        fetched = last_refreshed(db, company_id, realm_id, entity)
        if fetched is None or now - fetched >= LIST_REFRESH_AFTER:
            due.append(entity)
    return due


def has_work(db: Database, company_id: int, realm_id: str, now: datetime) -> bool:
    """Whether a session would send anything (authenticate answers "none" otherwise)."""
    if lists_due(db, company_id, realm_id, now) or open_list_adds(db, company_id, realm_id):
        return True
    if payment_reads_due(db, company_id, realm_id, now):
        return True
    settings = get_realm_settings(db, company_id, realm_id)
    if not sync_allowed(settings):
        return False
    plan = plan_run(db, company_id, realm_id, settings)
    return bool(sync_records(db, company_id, realm_id, [SENDING])) or bool(plan.creates or plan.updates)


def plan_session(db: Database, session_id: int, company_id: int, realm_id: str, run_id: int | None,
                 now: datetime) -> None:
    """Write the session's steps (inside the caller's transaction)."""
    for entity in lists_due(db, company_id, realm_id, now):
        add_step(db, session_id, LISTS, LIST, entity, rq.list_query(entity))
    _plan_list_adds(db, session_id, company_id, realm_id)
    settings = get_realm_settings(db, company_id, realm_id)
    if run_id is not None and sync_allowed(settings):
        _plan_records(db, session_id, company_id, realm_id, settings, run_id, now)
    plan_payment_reads(db, session_id, company_id, realm_id, now)
    if not has_steps(db, session_id):
        add_step(db, session_id, LISTS, HELLO, "Company", "<CompanyQueryRq/>")


def _plan_list_adds(db: Database, session_id: int, company_id: int, realm_id: str) -> None:
    for wanted in open_list_adds(db, company_id, realm_id):
        if wanted.kind == VENDOR:
            vendor = catalog.get_vendor(db, company_id, wanted.inbuild_id)
            if vendor is not None:
                add_step(db, session_id, LIST_ADDS, LIST_ADD, "Vendor",
                         rq.vendor_add(vendor.name, vendor.email, vendor.phone, vendor.tax_id), wanted.kind,
                         wanted.inbuild_id, {"name": vendor.name[:rq.NAME_LIMIT]})
            continue
        project = catalog.get_project(db, company_id, wanted.inbuild_id)
        if project is None:
            continue
        parent = project.customer_name[:rq.NAME_LIMIT] if wanted.kind == PROJECT_JOB else ""
        if parent:
            add_step(db, session_id, LIST_ADDS, PARENT, "Customer", rq.customer_add(parent, "", project.customer_email))
        name = project.name[:rq.NAME_LIMIT]
        full_name = f"{parent}:{name}" if parent else name
        add_step(db, session_id, LIST_ADDS, LIST_ADD, "Customer", rq.customer_add(name, parent, project.customer_email),
                 wanted.kind, wanted.inbuild_id, {"name": full_name})


def _plan_records(db: Database, session_id: int, company_id: int, realm_id: str, settings: RealmSettings,
                  run_id: int, now: datetime) -> None:
    plan = plan_run(db, company_id, realm_id, settings)
    unknown = {key: state for key, state in sync_records(db, company_id, realm_id, [SENDING]).items()
               if state.qbo_id is None}
    for kind, record_id in unknown:
        plan_find(db, session_id, company_id, kind, record_id)
    creates = [action for action in plan.creates if action.key not in unknown]
    for action in creates:
        plan_add(db, session_id, action)
    for action in plan.updates:
        plan_mod(db, session_id, action)
    _record_waiting_and_withdrawn(db, company_id, realm_id, plan, now)
    add_to_run(db, run_id, planned=len(unknown) + len(creates) + len(plan.updates), waiting=len(plan.waiting))


def plan_find(db: Database, session_id: int, company_id: int, kind: str, record_id: int) -> None:
    """Before anything is sent again for a record whose add may have arrived: look for it by number."""
    record = (documents.get_bill if kind == BILL else documents.get_invoice)(db, company_id, record_id)
    if record is not None:
        entity = ENTITY[kind]
        add_step(db, session_id, FINDS, FIND, entity, rq.query_by_ref_number(entity, rq.ref_number_for(entity,
                 record.number)), kind, record_id)


def plan_add(db: Database, session_id: int, action: Action) -> None:
    entity = ENTITY[action.kind]
    request = rq.bill_add(action.body) if action.kind == BILL else rq.invoice_add(action.body)
    add_step(db, session_id, ADDS, ADD, entity, request, action.kind, action.record_id,
             {"version": action.version, "attempts": action.existing.attempts if action.existing else 0})


def plan_mod(db: Database, session_id: int, action: Action, edit_sequence: str | None = None) -> None:
    """The edited record over the one QuickBooks has: its stored TxnID and EditSequence (or a fresher one)."""
    existing = action.existing
    build = rq.bill_mod if action.kind == BILL else rq.invoice_mod
    request = build(action.body, existing.qbo_id, edit_sequence or existing.sync_token or "")
    add_step(db, session_id, ADDS, MOD, ENTITY[action.kind], request, action.kind, action.record_id,
             {"version": action.version, "attempts": existing.attempts, "txn_id": existing.qbo_id,
              "freshened": edit_sequence is not None})


def plan_freshen(db: Database, session_id: int, kind: str, record_id: int, txn_id: str) -> None:
    """QuickBooks said our EditSequence is out of date: read the current one (once per record and session)."""
    entity = ENTITY[kind]
    add_step(db, session_id, FINDS, FRESHEN, entity, rq.query_by_txn_id(entity, txn_id), kind, record_id,
             {"txn_id": txn_id})


def replan_mod(db: Database, session_id: int, company_id: int, realm_id: str, kind: str, record_id: int,
               edit_sequence: str) -> bool:
    """Send the Mod again over the EditSequence just read; False if the record no longer needs sending."""
    settings = get_realm_settings(db, company_id, realm_id)
    if not sync_allowed(settings):
        return False
    updates = plan_run(db, company_id, realm_id, settings, only={(kind, record_id)}).updates
    for action in updates:
        plan_mod(db, session_id, action, edit_sequence)
    return bool(updates)


def replan_record(db: Database, session_id: int, company_id: int, realm_id: str, kind: str, record_id: int) -> bool:
    """Add one record again after a lookup found it absent; False if it no longer needs sending."""
    settings = get_realm_settings(db, company_id, realm_id)
    if not sync_allowed(settings):
        return False
    creates = plan_run(db, company_id, realm_id, settings, only={(kind, record_id)}).creates
    for action in creates:
        plan_add(db, session_id, action)
    return bool(creates)


def _record_waiting_and_withdrawn(db: Database, company_id: int, realm_id: str, plan, now: datetime) -> None:
    for (kind, record_id), waiting, version in plan.waiting:
        save_state(db, company_id, realm_id, kind, record_id, now, status=WAITING, version=version,
                   message=f"Waiting: {waiting.message}", fix_kind=waiting.kind, fix_inbuild_id=waiting.inbuild_id)
    for kind, record_id in plan.withdrawn:
        save_state(db, company_id, realm_id, kind, record_id, now, status=WITHDRAWN,
                   message="Withdrawn in inBuild after it was synced: delete it from QuickBooks Desktop, or approve "
                           "it again in inBuild.")
