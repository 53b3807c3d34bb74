"""Mappings per (company, realm): suggestions never override choices, stale checks, nothing unusable is used."""
from datetime import datetime, timezone

import pytest

from qbo.accounts import store as accounts
from qbo.mapping.automatch import Match
from qbo.mapping.checks import DIFFERENT, GONE, INACTIVE, validate_mappings
from qbo.mapping.reference_records import QboRecord
from qbo.mapping.store import (
    MANUAL,
    VENDOR,
    accept_suggestions,
    copy_mappings,
    forget_kinds,
    mappings_for,
    save_mapping,
    save_suggestions,
    stale_counts,
    usable_mapping,
)

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
R1, R2 = "111", "222"


@pytest.fixture
def company_id(db):
    return accounts.create_company(db, "Acme").id


def test_suggestions_fill_gaps_only(db, company_id):
    save_mapping(db, company_id, R1, VENDOR, 1, "50", "Chosen By Admin", MANUAL, NOW)
    added = save_suggestions(db, company_id, R1, VENDOR, [
        Match(1, "60", "Suggested", 95, "name"), Match(2, "61", "Other", 80, "fuzzy"), Match(3, None, "", 0, "none"),
    ], NOW)
    mapped = mappings_for(db, company_id, R1, VENDOR)
    assert added == 1
    assert mapped[1].qbo_id == "50" and mapped[1].confirmed
    assert mapped[2].source == "suggested" and not mapped[2].confirmed
    assert 3 not in mapped


def test_accept_only_high_confidence(db, company_id):
    save_suggestions(db, company_id, R1, VENDOR, [Match(1, "60", "A", 95, "name"), Match(2, "61", "B", 80, "fuzzy")], NOW)
    assert accept_suggestions(db, company_id, R1, VENDOR, 90, NOW) == 1
    assert usable_mapping(db, company_id, R1, VENDOR, 1).qbo_id == "60"
    assert usable_mapping(db, company_id, R1, VENDOR, 2) is None  # suggested, not confirmed: never synced


def test_switch_copies_as_stale_and_validation_sorts_them(db, company_id):
    for inbuild_id, qbo_id, name in [(1, "1", "ABC Concrete"), (2, "2", "Bay Electric"), (3, "3", "Crest Drywall"),
                                     (4, "4", "Delta Steel")]:
        save_mapping(db, company_id, R1, VENDOR, inbuild_id, qbo_id, name, MANUAL, NOW)
    assert copy_mappings(db, company_id, R1, R2, "Mapped in another QuickBooks company.", NOW) == 4
    assert stale_counts(db, company_id, R2) == {VENDOR: 4}
    assert all(usable_mapping(db, company_id, R2, VENDOR, i) is None for i in range(1, 5))
    realm_two = {
        "1": QboRecord("Vendor", "1", "ABC Concrete"),  # same id, same name: fine
        "2": QboRecord("Vendor", "2", "Zenith Paving"),  # same id, another record: never reuse it
        "3": QboRecord("Vendor", "3", "Crest Drywall", active=False),
    }
    stale = validate_mappings(db, company_id, R2, lambda kind, qbo_id: realm_two.get(qbo_id))
    mapped = mappings_for(db, company_id, R2, VENDOR)
    assert stale == 3
    assert not mapped[1].stale and usable_mapping(db, company_id, R2, VENDOR, 1).qbo_id == "1"
    assert (mapped[2].stale_reason, mapped[3].stale_reason, mapped[4].stale_reason) == (DIFFERENT, INACTIVE, GONE)
    assert stale_counts(db, company_id, R1) == {}  # the old realm's mappings are untouched


def test_choosing_again_clears_stale(db, company_id):
    save_mapping(db, company_id, R1, VENDOR, 1, "1", "Old", MANUAL, NOW)
    validate_mappings(db, company_id, R1, lambda kind, qbo_id: None)
    assert stale_counts(db, company_id, R1) == {VENDOR: 1}
    save_mapping(db, company_id, R1, VENDOR, 1, "9", "New", MANUAL, NOW)
    assert stale_counts(db, company_id, R1) == {} and usable_mapping(db, company_id, R1, VENDOR, 1).qbo_id == "9"


def test_forget_kinds(db, company_id):
    save_mapping(db, company_id, R1, "cost_code", 1, "1", "X", MANUAL, NOW)
    save_mapping(db, company_id, R1, VENDOR, 1, "1", "Y", MANUAL, NOW)
    forget_kinds(db, company_id, R1, ("cost_code", "cost_type"))
    assert mappings_for(db, company_id, R1, "cost_code") == {} and mappings_for(db, company_id, R1, VENDOR)


def test_other_companies_mappings_are_separate(db, company_id):
    other = accounts.create_company(db, "Other").id
    save_mapping(db, company_id, R1, VENDOR, 1, "1", "A", MANUAL, NOW)
    assert mappings_for(db, other, R1, VENDOR) == {}
    assert usable_mapping(db, other, R1, VENDOR, 1) is None
