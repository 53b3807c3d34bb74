"""The seeded lists differ per company, overlap where they should, and survive a reset unchanged."""
from __future__ import annotations

import pytest

from tests.emulator.entity_helpers import rows, token_for
from tests.emulator.emulator_helpers import HARBOR, KEYSTONE, SUMMIT

ENTITIES = ("Account", "Class", "Item", "Vendor", "Customer")
ALL = "where Active IN (true, false) MAXRESULTS 1000"


def everything(emulator, realm_id: str) -> dict[str, list[dict]]:
    token = token_for(emulator, realm_id)
    return {entity: rows(emulator, token, f"select * from {entity} {ALL}", entity, realm_id)
            for entity in ENTITIES}


def names(records: list[dict]) -> set[str]:
    return {record.get("DisplayName") or record["Name"] for record in records}


@pytest.mark.parametrize("realm_id, counts", [
    (KEYSTONE, {"Account": 17, "Class": 4, "Item": 12, "Vendor": 18, "Customer": 12}),
    (HARBOR, {"Account": 14, "Class": 4, "Item": 11, "Vendor": 20, "Customer": 10}),
    (SUMMIT, {"Account": 12, "Class": 3, "Item": 10, "Vendor": 16, "Customer": 9}),
])
def test_each_company_has_its_own_lists(emulator, realm_id, counts):
    data = everything(emulator, realm_id)
    assert {entity: len(records) for entity, records in data.items()} == counts
    accounts = {account["Name"]: account for account in data["Account"]}
    assert accounts["Accounts Payable (A/P)"]["AccountType"] == "Accounts Payable"
    types = {account["AccountType"] for account in data["Account"]}
    assert {"Expense", "Cost of Goods Sold", "Income", "Accounts Payable"} <= types
    assert all(account["AcctNum"] for account in data["Account"])
    assert all(item["Type"] == "Service" and item["IncomeAccountRef"]["name"]
               and item["ExpenseAccountRef"]["name"] for item in data["Item"])
    assert any(customer["Job"] for customer in data["Customer"])
    assert any(vendor["Active"] is False for vendor in data["Vendor"])


def test_vendors_look_like_construction_suppliers(emulator):
    vendors = everything(emulator, KEYSTONE)["Vendor"]
    for vendor in vendors:
        assert vendor["PrimaryEmailAddr"]["Address"].endswith(".example")
        assert vendor["TaxIdentifier"].startswith("XXXXX") and len(vendor["TaxIdentifier"]) == 9
        assert vendor["AcctNum"].startswith("KB-")
    assert "O'Brien Masonry" in names(vendors)


def test_keystone_and_harbor_overlap_with_different_ids(emulator):
    keystone, harbor = everything(emulator, KEYSTONE), everything(emulator, HARBOR)
    shared = 0
    for entity in ENTITIES:
        ids = {(r.get("DisplayName") or r["Name"]): r["Id"] for r in keystone[entity]}
        for record in harbor[entity]:
            name = record.get("DisplayName") or record["Name"]
            if name in ids:
                shared += 1
                assert ids[name] != record["Id"], (entity, name)
    assert shared >= 10
    # Near misses for fuzzy matching: the same firm, spelled differently.
    assert {"ABC Concrete Co.", "Allied Plumbing & Heating"} <= names(keystone["Vendor"])
    assert {"ABC Concrete Company", "Allied Plumbing and Heating"} <= names(harbor["Vendor"])
    assert "03-300 Concrete" in names(harbor["Item"]) and "Concrete" in names(keystone["Item"])


def test_summit_is_mostly_different(emulator):
    keystone, summit = everything(emulator, KEYSTONE), everything(emulator, SUMMIT)
    assert len(names(keystone["Vendor"]) & names(summit["Vendor"])) <= 2
    assert not names(keystone["Item"]) & names(summit["Item"])
    assert not names(keystone["Customer"]) & names(summit["Customer"])


def test_reset_restores_the_same_seed(emulator):
    def comparable(data: dict[str, list[dict]]) -> dict:
        return {entity: [{k: v for k, v in r.items() if k != "MetaData"} for r in records]
                for entity, records in data.items()}

    before = comparable(everything(emulator, HARBOR))
    token = token_for(emulator, HARBOR)
    emulator.api("vendor", token, realm_id=HARBOR, method="POST", json={"DisplayName": "Extra"})
    assert emulator.control("POST", "api/reset").status_code == 200
    assert comparable(everything(emulator, HARBOR)) == before
