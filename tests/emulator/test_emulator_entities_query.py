"""The query language over the list entities: Active defaults, paging, ordering, escapes."""
from __future__ import annotations

import pytest

from tests.emulator.entity_helpers import query, rows
from tests.emulator.emulator_helpers import KEYSTONE


@pytest.mark.parametrize("where, expected", [
    ("", 17),  # only active records unless the query says otherwise
    ("where Active = false", 1),
    ("where Active = true", 17),
    ("where Active IN (true, false)", 18),
])
def test_queries_return_active_records_by_default(emulator, token, where, expected):
    assert query(emulator, token, f"select count(*) from Vendor {where}")["totalCount"] == expected
    assert len(rows(emulator, token, f"select * from Vendor {where}", "Vendor")) == expected


@pytest.mark.parametrize("entity, active, inactive", [
    ("Customer", 11, 1), ("Item", 11, 1), ("Account", 16, 1), ("Class", 4, 0),
])
def test_every_list_entity_hides_inactive_records(emulator, token, entity, active, inactive):
    assert query(emulator, token, f"select count(*) from {entity}")["totalCount"] == active
    total = query(emulator, token, f"select count(*) from {entity} where Active IN (true, false)")
    assert total["totalCount"] == active + inactive


def test_escaped_quote_in_a_name(emulator, token):
    found = rows(emulator, token, r"select * from Vendor where DisplayName = 'O\'Brien Masonry'",
                 "Vendor")
    assert [vendor["DisplayName"] for vendor in found] == ["O'Brien Masonry"]


def test_like_and_in(emulator, token):
    rentals = rows(emulator, token, "select * from Vendor where DisplayName LIKE '%rentals'",
                   "Vendor")
    assert sorted(v["DisplayName"] for v in rentals) == ["Sunbelt Rentals", "United Rentals"]
    picked = rows(emulator, token, "select * from Account where AccountType IN"
                                   " ('Income', 'Accounts Payable')", "Account")
    assert sorted(a["Name"] for a in picked) == ["Accounts Payable (A/P)", "Construction Income",
                                                 "Services"]


def test_paging_covers_everything_once(emulator, token):
    seen = []
    for start in (1, 6, 11, 16):
        page = query(emulator, token, "select * from Vendor ORDERBY DisplayName DESC"
                                      f" STARTPOSITION {start} MAXRESULTS 5")
        assert page["startPosition"] == start
        seen += [vendor["DisplayName"] for vendor in page["Vendor"]]
    assert len(seen) == len(set(seen)) == 17
    assert seen == sorted(seen, key=str.lower, reverse=True)
    beyond = query(emulator, token, "select * from Vendor STARTPOSITION 18 MAXRESULTS 5")
    assert beyond == {}


def test_order_by_id_is_numeric(emulator, token):
    ids = [int(c["Id"]) for c in rows(emulator, token, "select * from Customer ORDER BY Id DESC",
                                      "Customer")]
    assert ids == sorted(ids, reverse=True)


def test_jobs_and_fields(emulator, token):
    jobs = rows(emulator, token, "select * from Customer where Job = true", "Customer")
    assert {job["Level"] for job in jobs} == {1} and len(jobs) == 4
    assert all(":" in job["FullyQualifiedName"] for job in jobs)
    services = rows(emulator, token, "select *, Sku from Item where Type = 'Service'", "Item")
    assert {item["Sku"] for item in services} >= {"03-300", "26-000"}
    cogs = rows(emulator, token, "select * from Account where AccountType = 'Cost of Goods Sold'",
                "Account")
    assert {"Job Materials", "Subcontractors", "Labor", "Equipment Rental"} <= {
        account["Name"] for account in cogs}


def test_employee_is_not_served(emulator, token):
    response = emulator.api("query", token, realm_id=KEYSTONE,
                            params={"query": "select * from Employee"})
    assert response.status_code == 400
    assert response.json()["Fault"]["Error"][0]["code"] == "4001"
