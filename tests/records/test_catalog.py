"""The inBuild records store (company scoping, search, paging, documents) and the demo records generator."""
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest

from qbo.accounts import store as accounts
from qbo.records import catalog as records
from qbo.records import catalog_writes, document_writes, documents
from qbo.records.catalog import RecordError
from qbo.records.demo_records import REFERENCE_DATE, load_demo_records
from qbo.records.documents import ApprovalStatus, NewLine
from qbo.storage.db import connect, migrate


@pytest.fixture
def acme(db):
    return accounts.create_company(db, "Acme Construction").id


@pytest.fixture
def cedar(db):
    return accounts.create_company(db, "Cedar Homes").id


@pytest.fixture
def both_loaded(db, acme, cedar):
    load_demo_records(db, acme)
    load_demo_records(db, cedar)
    return acme, cedar


def _one_line(db, company_id: int, amount_cents: int = 100) -> list[NewLine]:
    code = catalog_writes.insert_cost_code(db, company_id, f"99-{amount_cents}", "Test code")
    cost_type = catalog_writes.insert_cost_type(db, company_id, f"T{amount_cents}", "Test type")
    return [NewLine(1, code.id, cost_type.id, "test", amount_cents)]


# --- company scoping ----------------------------------------------------------------------------------------------


def test_lists_and_counts_hold_only_the_company_s_own_records(db, both_loaded):
    acme, cedar = both_loaded
    for list_records, count_records in [
        (records.list_projects, records.count_projects), (records.list_vendors, records.count_vendors),
        (records.list_cost_codes, records.count_cost_codes), (records.list_cost_types, records.count_cost_types),
    ]:
        for company_id in (acme, cedar):
            found = list_records(db, company_id)
            assert found and {record.company_id for record in found} == {company_id}
            assert count_records(db, company_id) == len(found)
    for company_id in (acme, cedar):
        bills = documents.list_bills(db, company_id, limit=None)
        invoices = documents.list_invoices(db, company_id, limit=None)
        assert {bill.company_id for bill in bills} == {company_id} == {invoice.company_id for invoice in invoices}
        vendor_ids = {vendor.id for vendor in records.list_vendors(db, company_id)}
        assert {bill.vendor_id for bill in bills} <= vendor_ids


def test_get_never_returns_another_company_s_record(db, both_loaded):
    acme, cedar = both_loaded
    getters = [
        (records.get_project, records.list_projects(db, cedar)[0].id),
        (records.get_vendor, records.list_vendors(db, cedar)[0].id),
        (records.get_cost_code, records.list_cost_codes(db, cedar)[0].id),
        (records.get_cost_type, records.list_cost_types(db, cedar)[0].id),
        (documents.get_bill, documents.list_bills(db, cedar, limit=1)[0].id),
        (documents.get_invoice, documents.list_invoices(db, cedar, limit=1)[0].id),
    ]
    for get, cedar_id in getters:
        assert get(db, acme, cedar_id) is None
        assert get(db, cedar, cedar_id).company_id == cedar
    assert documents.get_bill(db, acme, 10**9) is None


def test_a_search_matching_only_another_company_finds_nothing(db, acme, cedar):
    catalog_writes.insert_vendor(db, cedar, "Cedar Only Supply", "supplier", email="ap@cedaronly.example")
    assert records.list_vendors(db, acme, search="cedar only") == []
    assert records.count_vendors(db, acme, search="cedar only") == 0
    assert [v.name for v in records.list_vendors(db, cedar, search="cedar only")] == ["Cedar Only Supply"]


def test_a_bill_cannot_point_at_another_company_s_vendor_or_cost_code(db, acme, cedar):
    acme_project = catalog_writes.insert_project(db, acme, "P-1", "Acme job")
    acme_vendor = catalog_writes.insert_vendor(db, acme, "Acme Sub", "subcontractor")
    cedar_vendor = catalog_writes.insert_vendor(db, cedar, "Cedar Sub", "subcontractor")
    with pytest.raises(RecordError):
        document_writes.insert_bill(db, acme, "B-1", cedar_vendor.id, acme_project.id, date(2026, 10, 1), None, "draft",
                            _one_line(db, acme))
    with pytest.raises(RecordError):
        document_writes.insert_bill(db, acme, "B-2", acme_vendor.id, acme_project.id, date(2026, 10, 1), None, "draft",
                            _one_line(db, cedar))
    with pytest.raises(RecordError):
        document_writes.insert_invoice(db, cedar, "I-1", acme_project.id, date(2026, 10, 1), None, "draft",
                               _one_line(db, cedar, 200))
    assert documents.count_bills(db, acme) == 0 and documents.count_invoices(db, cedar) == 0
    assert db.execute("SELECT COUNT(*) FROM bill_lines").fetchone()[0] == 0


# --- search and paging ------------------------------------------------------------------------------------------


def test_search_is_case_insensitive_over_name_number_and_email(db, acme):
    catalog_writes.insert_project(db, acme, "P-1001", "Riverside Clinic", "Riverside Health", "owner@riverside.example")
    catalog_writes.insert_project(db, acme, "P-1002", "Oak Street Townhomes", "Oak LLC", "pm@oak.example")
    catalog_writes.insert_vendor(db, acme, "ABC Concrete Inc.", "subcontractor", "12-3456789", "ap@abc.example")
    catalog_writes.insert_cost_code(db, acme, "09-250", "Gypsum Board")
    catalog_writes.insert_cost_type(db, acme, "L", "Labor")
    assert [p.number for p in records.list_projects(db, acme, search="riverSIDE")] == ["P-1001"]
    assert [p.number for p in records.list_projects(db, acme, search="p-1002")] == ["P-1002"]
    assert [p.number for p in records.list_projects(db, acme, search="pm@oak")] == ["P-1002"]
    assert [v.name for v in records.list_vendors(db, acme, search="abc concrete")] == ["ABC Concrete Inc."]
    assert [v.name for v in records.list_vendors(db, acme, search="AP@ABC")] == ["ABC Concrete Inc."]
    assert [c.code for c in records.list_cost_codes(db, acme, search="gypsum")] == ["09-250"]
    assert [c.code for c in records.list_cost_codes(db, acme, search="09-2")] == ["09-250"]
    assert [t.code for t in records.list_cost_types(db, acme, search="lab")] == ["L"]
    assert records.count_projects(db, acme, search="  ") == 2


def test_search_treats_percent_and_underscore_literally(db, acme):
    for name in ("100% Electric", "1000 Electric", "A_B Supply", "AxB Supply", "Back\\slash Co"):
        catalog_writes.insert_vendor(db, acme, name, "supplier")
    assert [v.name for v in records.list_vendors(db, acme, search="%")] == ["100% Electric"]
    assert [v.name for v in records.list_vendors(db, acme, search="a_b")] == ["A_B Supply"]
    assert [v.name for v in records.list_vendors(db, acme, search="k\\s")] == ["Back\\slash Co"]
    assert records.count_vendors(db, acme, search="_") == 1


def test_paging_is_ordered_and_stable(db, acme):
    load_demo_records(db, acme)
    everything = records.list_cost_codes(db, acme)
    assert [c.code for c in everything] == sorted(c.code for c in everything)
    assert records.list_cost_codes(db, acme, offset=10, limit=10) == everything[10:20]
    assert records.list_cost_codes(db, acme, offset=25) == everything[25:]
    assert records.list_cost_codes(db, acme, offset=40, limit=10) == []
    vendors = records.list_vendors(db, acme)
    assert [v.name.lower() for v in vendors] == sorted(v.name.lower() for v in vendors)
    bills = documents.list_bills(db, acme, limit=None)
    assert documents.list_bills(db, acme) == bills[:50]
    assert documents.list_bills(db, acme, offset=50) == bills[50:100]
    assert [b.bill_date for b in bills] == sorted((b.bill_date for b in bills), reverse=True)


# --- bills and invoices -----------------------------------------------------------------------------------------


def test_bills_carry_lines_totals_and_names(db, acme):
    project = catalog_writes.insert_project(db, acme, "P-7", "Depot")
    vendor = catalog_writes.insert_vendor(db, acme, "Summit Electric, LLC", "subcontractor")
    code = catalog_writes.insert_cost_code(db, acme, "16-100", "Electrical")
    labor, material = (catalog_writes.insert_cost_type(db, acme, c, n) for c, n in (("L", "Labor"), ("M", "Material")))
    lines = [NewLine(2, code.id, material.id, "Wire", 1_234_56), NewLine(1, code.id, labor.id, "Rough-in", 500_00),
             NewLine(3, code.id, material.id, "Credit", -12_50)]
    bill_id = document_writes.insert_bill(db, acme, "INV-1", vendor.id, project.id, date(2026, 10, 1), date(2026, 10, 31),
                                  "approved", lines, "SC-0007-01")
    bill = documents.get_bill(db, acme, bill_id)
    assert (bill.vendor_name, bill.project_number, bill.project_name) == ("Summit Electric, LLC", "P-7", "Depot")
    assert bill.approval_status is ApprovalStatus.APPROVED and bill.commitment_number == "SC-0007-01"
    assert (bill.bill_date, bill.due_date) == (date(2026, 10, 1), date(2026, 10, 31))
    assert [line.line_number for line in bill.lines] == [1, 2, 3]
    assert (bill.lines[0].cost_code, bill.lines[0].cost_type) == ("16-100", "L")
    assert bill.total_cents == 500_00 + 1_234_56 - 12_50
    assert documents.list_bills(db, acme) == [bill]


def test_bill_and_invoice_filters(db, acme):
    load_demo_records(db, acme)
    total = documents.count_bills(db, acme)
    by_status = {status: documents.count_bills(db, acme, status=status) for status in ApprovalStatus}
    assert sum(by_status.values()) == total and all(by_status.values())
    approved = documents.list_bills(db, acme, status="approved", limit=None)
    assert len(approved) == by_status[ApprovalStatus.APPROVED]
    assert {b.approval_status for b in approved} == {ApprovalStatus.APPROVED}
    abc = documents.list_bills(db, acme, search="abc concrete", limit=None)
    assert abc and {b.vendor_name for b in abc} == {"ABC Concrete Inc."}
    assert documents.count_bills(db, acme, search="abc concrete") == len(abc)
    by_project = documents.list_invoices(db, acme, search="P-1001", limit=None)
    assert by_project and {i.project_number for i in by_project} == {"P-1001"}
    assert documents.count_invoices(db, acme, status="approved") >= 14
    with pytest.raises(ValueError):
        documents.list_bills(db, acme, status="paid")


# --- demo records -----------------------------------------------------------------------------------------------


def test_demo_records_counts_and_shape(db, acme):
    counts = load_demo_records(db, acme)
    assert counts == {"projects": 6, "vendors": 20, "cost_codes": 30, "cost_types": 5, "bills": 100,
                      "invoices": 20}
    assert documents.count_bills(db, acme) == 100 and documents.count_invoices(db, acme) == 20
    projects = records.list_projects(db, acme)
    assert all(p.name and p.address and p.customer_name and "@" in p.customer_email for p in projects)
    vendors = records.list_vendors(db, acme)
    assert all(re.fullmatch(r"\d{2}-\d{7}", v.tax_id) and "@" in v.email for v in vendors)
    assert {v.vendor_type for v in vendors} == {"subcontractor", "supplier"}
    assert {"01-100", "03-300", "06-100", "09-250", "16-100"} <= {c.code for c in records.list_cost_codes(db, acme)}
    assert [t.code for t in records.list_cost_types(db, acme)] == ["E", "L", "M", "O", "S"]
    bills = documents.list_bills(db, acme, limit=None)
    assert all(1 <= len(b.lines) <= 4 and b.total_cents == sum(l.amount_cents for l in b.lines) for b in bills)
    assert all(REFERENCE_DATE - timedelta(days=183) <= b.bill_date <= REFERENCE_DATE for b in bills)
    assert any(re.fullmatch(r"SC-\d{4}-\d{2}", b.commitment_number) for b in bills)
    assert {b.approval_status for b in bills} == set(ApprovalStatus)


def test_demo_records_are_idempotent(db, acme):
    load_demo_records(db, acme)
    again = load_demo_records(db, acme)
    assert set(again.values()) == {0}
    assert records.count_projects(db, acme) == 6 and documents.count_bills(db, acme) == 100


def test_demo_records_are_deterministic(tmp_path, db, acme):
    load_demo_records(db, acme)
    other = connect(str(tmp_path / "other.sqlite3"))
    migrate(other)
    accounts.create_company(other, "Acme Construction")
    load_demo_records(other, acme)
    assert documents.list_bills(other, acme, limit=None) == documents.list_bills(db, acme, limit=None)
    assert documents.list_invoices(other, acme, limit=None) == documents.list_invoices(db, acme, limit=None)
    assert records.list_vendors(other, acme) == records.list_vendors(db, acme)
    other.close()


def test_demo_records_differ_between_companies_but_keep_their_names(db, both_loaded):
    acme, cedar = both_loaded
    names = [v.name for v in records.list_vendors(db, acme)]
    assert names == [v.name for v in records.list_vendors(db, cedar)]
    acme_bills = [replace(b, id=0, company_id=0, vendor_id=0, project_id=0, lines=())
                  for b in documents.list_bills(db, acme, limit=None)]
    cedar_bills = [replace(b, id=0, company_id=0, vendor_id=0, project_id=0, lines=())
                   for b in documents.list_bills(db, cedar, limit=None)]
    assert acme_bills != cedar_bills
