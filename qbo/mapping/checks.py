"""Keeping mappings true: every mapped QuickBooks id is checked against the realm's current records."""
from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

from qbo.mapping.reference_records import QboRecord
from qbo.mapping.store import all_mappings, mark_stale, set_fresh
from qbo.storage.db import immediate

GONE = "This QuickBooks record no longer exists in the connected QuickBooks company."
INACTIVE = "This QuickBooks record was made inactive in QuickBooks."
DIFFERENT = "This mapping points to a different record in the connected QuickBooks company."

RecordLookup = Callable[[str, str], QboRecord | None]  # (kind, qbo_id) -> the realm's record, inactive included


def stale_reason(mapped_name: str, record: QboRecord | None) -> str | None:
    """Why a mapping can no longer be used (None when it still points at the same, active record)."""
    if record is None:
        return GONE
    if not record.active:
        return INACTIVE
    if mapped_name and record.name.casefold() != mapped_name.casefold():
        return DIFFERENT
    return None


def validate_mappings(db: Database, company_id: int, realm_id: str, lookup: RecordLookup) -> int:
    """Mark stale every mapping whose QuickBooks record is gone, inactive or another record; returns how many."""
    stale = 0
    with immediate(db):
        for mapping in all_mappings(db, company_id, realm_id):
            if not mapping.qbo_id:
                continue
            reason = stale_reason(mapping.qbo_name, lookup(mapping.kind, mapping.qbo_id))
            if reason:
                mark_stale(db, company_id, realm_id, mapping.kind, mapping.inbuild_id, reason)
                stale += 1
            elif mapping.stale:
                set_fresh(db, company_id, realm_id, mapping.kind, mapping.inbuild_id)
    return stale
