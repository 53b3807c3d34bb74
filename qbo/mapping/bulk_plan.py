"""What "Create all unmapped in QuickBooks" would create: each name as QuickBooks will show it, and why it differs."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlite_utils import Database

from qbo.mapping.kinds import kind_spec
from qbo.mapping.quickbooks_bodies import NAME_LIMIT, name_source, quickbooks_name
from qbo.mapping.reference_records import list_records
from qbo.mapping.store import COST_CODE, COST_TYPE, VENDOR, mappings_for
from qbo.records import catalog as records


@dataclass(frozen=True)
class PlannedRecord:
    inbuild_id: int
    source: str  # the inBuild text the name comes from
    qbo_name: str  # the name as it will appear in QuickBooks
    notes: tuple[str, ...]  # why the name differs, or what QuickBooks will make of it


@dataclass(frozen=True)
class BulkPlan:
    kind: str
    entity: str
    records: list[PlannedRecord]

    @property
    def noted(self) -> list[PlannedRecord]:
        return [r for r in self.records if r.notes]


def _inbuild_records(db: Database, company_id: int, kind: str) -> list:
    if kind == VENDOR:
        return records.list_vendors(db, company_id)
    if kind == COST_CODE:
        return records.list_cost_codes(db, company_id)
    if kind == COST_TYPE:
        return records.list_cost_types(db, company_id)
    return records.list_projects(db, company_id)


def plan_bulk_create(db: Database, company_id: int, realm_id: str, kind: str, settings) -> BulkPlan:
    """Every record of this kind without any mapping, with its QuickBooks name and notes on it."""
    spec = kind_spec(kind, settings)
    mapped = mappings_for(db, company_id, realm_id, kind)
    unmapped = [(r.id, name_source(kind, r, settings)) for r in _inbuild_records(db, company_id, kind)
                if r.id not in mapped]
    existing = {r.name.casefold(): r for r in list_records(db, company_id, realm_id, spec.entity,
                                                           include_inactive=True)}
    names = [(inbuild_id, source, quickbooks_name(source)) for inbuild_id, source in unmapped]
    repeated = Counter(name.casefold() for _, _, name in names)
    planned = [PlannedRecord(inbuild_id, source, name, _notes(source, name, existing, repeated, spec.entity))
               for inbuild_id, source, name in names if name]
    return BulkPlan(kind, spec.entity, planned)


def _notes(source: str, name: str, existing: dict, repeated: Counter, entity: str) -> tuple[str, ...]:
    notes = []
    if ":" in source:
        notes.append("“:” becomes “-” (QuickBooks uses colons between parent and child).")
    if len(" ".join(source.split())) > NAME_LIMIT:
        notes.append(f"Shortened to {NAME_LIMIT} characters.")
    found = existing.get(name.casefold())
    if found is not None and found.active:
        notes.append(f"QuickBooks already has “{found.name}”: it will be linked, not created again.")
    elif found is not None:
        notes.append(f"An inactive QuickBooks {entity.lower()} has this name: make it active in QuickBooks first.")
    if repeated[name.casefold()] > 1:
        notes.append("Another record here gets the same name; QuickBooks keeps names unique.")
    return tuple(notes)
