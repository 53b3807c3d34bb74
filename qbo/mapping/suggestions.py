"""Auto-match suggestions for one mapping kind, run only when its inputs change or the admin asks."""
from __future__ import annotations

import hashlib

from sqlite_utils import Database

from qbo.connection.realm_settings import RealmSettings
from qbo.mapping.automatch import Candidate, Subject, auto_match, rank_candidates
from qbo.mapping.automatch_runs import last_inputs_digest, record_run
from qbo.mapping.kinds import COMPANY_KINDS, candidates_for, one_to_one
from qbo.mapping.reference_records import QboRecord
from qbo.mapping.store import (
    COST_CODE,
    PROJECT_CLASS,
    PROJECT_CUSTOMER,
    PROJECT_JOB,
    VENDOR,
    mappings_for,
    replace_suggestions,
)
from qbo.records import catalog as records
from qbo.storage.timeutil import utcnow

MATCHING_VERSION = "issue-8"  # a change of the rules runs auto-match again everywhere


def subjects_for(db: Database, company_id: int, kind: str, settings: RealmSettings | None) -> list[Subject]:
    if kind == VENDOR:
        return [Subject(v.id, v.name, "", v.email, v.tax_id) for v in records.list_vendors(db, company_id)]
    if kind == PROJECT_CUSTOMER and settings is not None and settings.project_mapping == "both":
        return [Subject(p.id, p.customer_name, "", p.customer_email) for p in records.list_projects(db, company_id)]
    if kind in (PROJECT_CUSTOMER, PROJECT_JOB, PROJECT_CLASS):
        return [Subject(p.id, p.name, p.number, p.customer_email, code_label="number")
                for p in records.list_projects(db, company_id)]
    if kind == COST_CODE:
        return [Subject(c.id, c.description, c.code) for c in records.list_cost_codes(db, company_id)]
    return [Subject(t.id, t.name, t.code) for t in records.list_cost_types(db, company_id)]


def as_candidate(record: QboRecord) -> Candidate:
    return Candidate(record.qbo_id, record.name, record.code, record.email, record.tax_id, record.full_name)


def inputs_digest(kind: str, subjects: list[Subject], candidates: list[Candidate], pairs_once: bool) -> str:
    """A fingerprint of everything auto-match reads: the same fingerprint gives the same suggestions."""
    fields = [f"{MATCHING_VERSION}|{kind}|{pairs_once}"]
    fields += [f"{s.inbuild_id}\x1f{s.name}\x1f{s.code}\x1f{s.email}\x1f{s.tax_id}\x1f{s.code_label}" for s in subjects]
    fields += [f"{c.qbo_id}\x1f{c.name}\x1f{c.code}\x1f{c.email}\x1f{c.tax_id}\x1f{c.full_name}" for c in candidates]
    return hashlib.sha256("\x1e".join(fields).encode()).hexdigest()


def suggest_matches(db: Database, company_id: int, realm_id: str, kind: str, settings,
                    force: bool = False) -> int | None:
    """Suggestions for every record the admin has not settled; None when nothing changed since the last run."""
    subjects = subjects_for(db, company_id, kind, settings)
    candidates = [as_candidate(r) for r in candidates_for(db, company_id, realm_id, kind, settings)]
    pairs_once = one_to_one(kind, settings)
    digest = inputs_digest(kind, subjects, candidates, pairs_once)
    if not force and last_inputs_digest(db, company_id, realm_id, kind) == digest:
        return None
    settled = {i: m for i, m in mappings_for(db, company_id, realm_id, kind).items() if m.confirmed}
    if pairs_once:  # records the admin already gave away are not on offer
        taken = {m.qbo_id for m in settled.values()}
        candidates = [c for c in candidates if c.qbo_id not in taken]
    matches = auto_match([s for s in subjects if s.inbuild_id not in settled], candidates, pairs_once,
                         kind in COMPANY_KINDS)
    now = utcnow()
    added = replace_suggestions(db, company_id, realm_id, kind, matches, now)
    record_run(db, company_id, realm_id, kind, digest, now)
    return added


def best_candidates(db: Database, company_id: int, realm_id: str, kind: str, settings, inbuild_id: int,
                    limit: int = 8) -> list:
    """One record's closest QuickBooks records, best first, each with its confidence and why."""
    subject = next((s for s in subjects_for(db, company_id, kind, settings) if s.inbuild_id == inbuild_id), None)
    if subject is None:
        return []
    candidates = [as_candidate(r) for r in candidates_for(db, company_id, realm_id, kind, settings)]
    return rank_candidates(subject, candidates, kind in COMPANY_KINDS, limit)
