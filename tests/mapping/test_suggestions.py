"""Auto-match runs when its inputs change or the admin asks, never over the admin's choices."""
from datetime import datetime, timezone

import pytest

from qbo.accounts import store as accounts
from qbo.mapping.bulk_plan import plan_bulk_create
from qbo.mapping.reference_records import QboRecord, replace_records, upsert_record
from qbo.mapping.store import MANUAL, VENDOR, mappings_for, save_mapping
from qbo.mapping.suggestions import suggest_matches
from qbo.records import catalog, catalog_writes

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
REALM = "111"


@pytest.fixture
def company_id(db):
    company = accounts.create_company(db, "Acme").id
    for name in ("ABC Concrete Inc.", "Summit Electric, LLC", "Zenith Paving"):
        catalog_writes.insert_vendor(db, company, name, "subcontractor")
    replace_records(db, company, REALM, "Vendor", [QboRecord("Vendor", "1", "ABC Concrete"),
                                                   QboRecord("Vendor", "2", "Summit Electric")], NOW)
    return company


def vendor_ids(db, company_id):
    return {v.name: v.id for v in catalog.list_vendors(db, company_id)}


def test_runs_once_per_set_of_inputs(db, company_id):
    assert suggest_matches(db, company_id, REALM, VENDOR, None) == 2
    suggested = mappings_for(db, company_id, REALM, VENDOR)
    assert {m.qbo_name: m.match_reason for m in suggested.values()} == {"ABC Concrete": "same name",
                                                                         "Summit Electric": "same name"}
    assert suggest_matches(db, company_id, REALM, VENDOR, None) is None  # nothing changed: no run
    upsert_record(db, company_id, REALM, QboRecord("Vendor", "3", "Zenith Paving Co"), NOW)
    assert suggest_matches(db, company_id, REALM, VENDOR, None) == 3  # the QuickBooks list changed
    catalog_writes.insert_vendor(db, company_id, "Quaker City Lumber", "supplier")
    assert suggest_matches(db, company_id, REALM, VENDOR, None) == 3  # the inBuild list changed
    assert suggest_matches(db, company_id, REALM, VENDOR, None, force=True) == 3  # the admin asked


def test_a_new_run_keeps_choices_and_offers_no_record_already_given_away(db, company_id):
    ids = vendor_ids(db, company_id)
    save_mapping(db, company_id, REALM, VENDOR, ids["Zenith Paving"], "1", "ABC Concrete", MANUAL, NOW,
                 shared_ok=False)
    suggest_matches(db, company_id, REALM, VENDOR, None, force=True)
    mapped = mappings_for(db, company_id, REALM, VENDOR)
    assert mapped[ids["Zenith Paving"]].source == MANUAL and mapped[ids["Zenith Paving"]].qbo_id == "1"
    assert ids["ABC Concrete Inc."] not in mapped  # its record is taken: one vendor each
    assert mapped[ids["Summit Electric, LLC"]].qbo_id == "2"


def test_bulk_plan_applies_quickbooks_name_rules(db, company_id):
    catalog_writes.insert_vendor(db, company_id, "Parent: Child Builders", "subcontractor")
    catalog_writes.insert_vendor(db, company_id, "L" * 120, "supplier")
    suggest_matches(db, company_id, REALM, VENDOR, None)
    plan = plan_bulk_create(db, company_id, REALM, VENDOR, None)
    by_source = {r.source: r for r in plan.records}
    assert set(by_source) == {"Zenith Paving", "Parent: Child Builders", "L" * 120}  # the others have suggestions
    assert by_source["Parent: Child Builders"].qbo_name == "Parent- Child Builders"
    assert "becomes “-”" in by_source["Parent: Child Builders"].notes[0]
    assert by_source["L" * 120].qbo_name == "L" * 100 and "Shortened" in by_source["L" * 120].notes[0]
    assert by_source["Zenith Paving"].notes == ()
