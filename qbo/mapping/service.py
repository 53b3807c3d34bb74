"""Mapping work that talks to QuickBooks: refresh the realm's lists, suggest matches, create records, re-check."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlite_utils import Database

from qbo.connection.access_tokens import qbo_client
from qbo.connection.realm_settings import RealmSettings
from qbo.intuit.errors import IntuitError
from qbo.mapping.automatch import Candidate, Subject, auto_match
from qbo.mapping.checks import validate_mappings
from qbo.mapping.quickbooks_bodies import body_for
from qbo.mapping.reference_records import (
    EXPENSE_ACCOUNT_TYPES,
    INCOME_ACCOUNT_TYPES,
    QboRecord,
    get_record,
    last_refreshed,
    list_records,
    record_from_api,
    replace_records,
    upsert_record,
)
from qbo.mapping.store import (
    COST_CODE,
    COST_TYPE,
    CREATED,
    PROJECT_CLASS,
    PROJECT_CUSTOMER,
    PROJECT_JOB,
    VENDOR,
    copy_mappings,
    forget_kinds,
    save_mapping,
    save_suggestions,
    stale_counts,
)
from qbo.records import catalog as records
from qbo.storage.timeutil import utcnow

REFRESH_AFTER = timedelta(minutes=5)
ONE_TO_ONE_KINDS = (VENDOR, PROJECT_JOB)


@dataclass(frozen=True)
class KindSpec:
    """Which QuickBooks list a kind of mapping points into, and how to filter it."""

    entity: str
    subtypes: tuple[str, ...] = ()
    jobs: bool | None = None


def kind_spec(kind: str, settings: RealmSettings | None) -> KindSpec:
    if kind == VENDOR:
        return KindSpec("Vendor")
    if kind == PROJECT_CUSTOMER:
        return KindSpec("Customer", jobs=False)
    if kind == PROJECT_JOB:
        return KindSpec("Customer", jobs=True)
    if kind == PROJECT_CLASS:
        return KindSpec("Class")
    if settings is not None and settings.posting_style == "item":
        return KindSpec("Item", subtypes=("Service", "NonInventory"))
    return KindSpec("Account", subtypes=EXPENSE_ACCOUNT_TYPES)


def one_to_one(kind: str, settings: RealmSettings | None) -> bool:
    """Vendors and projects never share a QuickBooks record by default; in 'both' mode owners may."""
    if kind == PROJECT_CUSTOMER:
        return settings is None or settings.project_mapping != "both"
    return kind in ONE_TO_ONE_KINDS


def refresh_reference_records(db: Database, company_id: int, realm_id: str, entities, force: bool = False) -> None:
    """Copy the realm's lists (inactive records too, for the stale check) unless fetched recently."""
    client = qbo_client(db, company_id)
    now = utcnow()
    for entity in entities:
        fetched = last_refreshed(db, company_id, realm_id, entity)
        if not force and fetched is not None and now - fetched < REFRESH_AFTER:
            continue
        bodies = client.query_all(entity, where="Active IN (true, false)")
        replace_records(db, company_id, realm_id, entity, [record_from_api(entity, b) for b in bodies], now)


def subjects_for(db: Database, company_id: int, kind: str, settings: RealmSettings | None) -> list[Subject]:
    if kind == VENDOR:
        return [Subject(v.id, v.name, "", v.email, v.tax_id) for v in records.list_vendors(db, company_id)]
    if kind == PROJECT_CUSTOMER and settings is not None and settings.project_mapping == "both":
        return [Subject(p.id, p.customer_name, "", p.customer_email) for p in records.list_projects(db, company_id)]
    if kind in (PROJECT_CUSTOMER, PROJECT_JOB, PROJECT_CLASS):
        return [Subject(p.id, p.name, p.number, p.customer_email) for p in records.list_projects(db, company_id)]
    if kind == COST_CODE:
        return [Subject(c.id, f"{c.code} {c.description}", c.code) for c in records.list_cost_codes(db, company_id)]
    return [Subject(t.id, t.name, t.code) for t in records.list_cost_types(db, company_id)]


def candidates_for(db: Database, company_id: int, realm_id: str, kind: str, settings) -> list[QboRecord]:
    spec = kind_spec(kind, settings)
    return list_records(db, company_id, realm_id, spec.entity, spec.subtypes, spec.jobs)


def suggest_matches(db: Database, company_id: int, realm_id: str, kind: str, settings) -> int:
    """Pre-fill unmapped rows with auto-match suggestions; returns how many were added."""
    candidates = [
        Candidate(r.qbo_id, r.name, r.code, r.email, r.tax_id)
        for r in candidates_for(db, company_id, realm_id, kind, settings)
    ]
    companies = kind in (VENDOR, PROJECT_CUSTOMER)
    matches = auto_match(subjects_for(db, company_id, kind, settings), candidates, one_to_one(kind, settings), companies)
    return save_suggestions(db, company_id, realm_id, kind, matches, utcnow())


def check_mappings(db: Database, company_id: int, realm_id: str, settings) -> int:
    """Re-read the realm's lists and mark stale mappings; returns how many are stale."""
    entities = {kind_spec(k, settings).entity for k in (VENDOR, PROJECT_CUSTOMER, PROJECT_CLASS, COST_CODE)}
    refresh_reference_records(db, company_id, realm_id, sorted(entities), force=True)

    def lookup(kind: str, qbo_id: str) -> QboRecord | None:
        return get_record(db, company_id, realm_id, kind_spec(kind, settings).entity, qbo_id)

    return validate_mappings(db, company_id, realm_id, lookup)


def create_in_quickbooks(db: Database, company_id: int, realm_id: str, kind: str, inbuild_id: int, settings) -> tuple[QboRecord, bool]:
    """Create the QuickBooks record for an unmatched inBuild record (or link the existing one of that name)."""
    spec = kind_spec(kind, settings)
    client = qbo_client(db, company_id)
    body = body_for(db, company_id, realm_id, kind, inbuild_id, settings, client)
    created, was_created = client.create_or_link(spec.entity, body)
    record = record_from_api(spec.entity, created)
    now = utcnow()
    upsert_record(db, company_id, realm_id, record, now)
    save_mapping(db, company_id, realm_id, kind, inbuild_id, record.qbo_id, record.name, CREATED, now, confidence=100)
    return record, was_created


def income_and_expense_accounts(db: Database, company_id: int, realm_id: str) -> tuple[list[QboRecord], list[QboRecord]]:
    return (
        list_records(db, company_id, realm_id, "Account", INCOME_ACCOUNT_TYPES),
        list_records(db, company_id, realm_id, "Account", EXPENSE_ACCOUNT_TYPES),
    )


def forget_line_mappings(db: Database, company_id: int, realm_id: str) -> None:
    forget_kinds(db, company_id, realm_id, (COST_CODE, COST_TYPE))


@dataclass(frozen=True)
class ReviewNeeded:
    count: int
    step_slug: str | None  # the first wizard step with something to review


def review_needed(db: Database, company_id: int, realm_id: str, settings: RealmSettings | None) -> ReviewNeeded:
    """How many mappings (and default accounts) need the admin's attention, and where to start."""
    from qbo.mapping.wizard_steps import kinds_for_step, missing_defaults

    stale = stale_counts(db, company_id, realm_id)
    missing = len(missing_defaults(settings)) if settings is not None and settings.setup_complete else 0
    first = "accounts" if missing else None
    for slug in ("vendors", "projects", "lines"):
        if first is None and any(stale.get(k) for k in kinds_for_step(slug, settings)):
            first = slug
    return ReviewNeeded(sum(stale.values()) + missing, first)


def carry_mappings_to_new_realm(db: Database, company_id: int, from_realm: str, to_realm: str, settings) -> None:
    """After a switch: bring the mappings along, all stale until checked against the new QuickBooks company."""
    copy_mappings(db, company_id, from_realm, to_realm, "Mapped in another QuickBooks company.", utcnow())
    try:
        check_mappings(db, company_id, to_realm, settings)
    except IntuitError:
        pass  # they stay stale; the admin sees "need review" and can refresh from the wizard


def mapping_summary(db: Database, company_id: int, realm_id: str, settings) -> list[tuple[str, str, dict]]:
    """(title, wizard step, progress counts) for each mapping the settings use."""
    from qbo.mapping.rows import progress
    from qbo.mapping.wizard_steps import KIND_TITLES, kinds_for_step

    return [(KIND_TITLES[kind], slug, progress(db, company_id, realm_id, kind))
            for slug in ("vendors", "projects", "lines") for kind in kinds_for_step(slug, settings)]
