"""Mapping work that talks to QuickBooks: refresh the realm's lists, suggest matches, create records, re-check."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlite_utils import Database

from qbo.connection.access_tokens import qbo_client
from qbo.connection.realm_settings import RealmSettings
from qbo.intuit.errors import IntuitError
from qbo.mapping.automatch_runs import forget_runs
from qbo.mapping.checks import validate_mappings
from qbo.mapping.kinds import KindSpec, candidates_for, kind_spec, one_to_one  # noqa: F401 - the wizard's names
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
    VENDOR,
    copy_mappings,
    forget_kinds,
    save_mapping,
    stale_counts,
)
from qbo.mapping.suggestions import subjects_for, suggest_matches  # noqa: F401 - the wizard's names
from qbo.storage.timeutil import utcnow

REFRESH_AFTER = timedelta(minutes=5)


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
    reason = "created in QuickBooks" if was_created else "already in QuickBooks, linked"
    save_mapping(db, company_id, realm_id, kind, inbuild_id, record.qbo_id, record.name, CREATED, now, confidence=100,
                 match_reason=reason)
    return record, was_created


def income_and_expense_accounts(db: Database, company_id: int, realm_id: str) -> tuple[list[QboRecord], list[QboRecord]]:
    return (
        list_records(db, company_id, realm_id, "Account", INCOME_ACCOUNT_TYPES),
        list_records(db, company_id, realm_id, "Account", EXPENSE_ACCOUNT_TYPES),
    )


def forget_line_mappings(db: Database, company_id: int, realm_id: str) -> None:
    forget_kinds(db, company_id, realm_id, (COST_CODE, COST_TYPE))
    forget_runs(db, company_id, realm_id, (COST_CODE, COST_TYPE))


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
