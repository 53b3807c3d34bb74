"""Write the per-company list data through the same rules the API applies to clients."""
from __future__ import annotations

import re
import sqlite3

from .entities import has_entities
from .qbo_entities_seed import REALM_SEEDS, RealmSeed
from .request_ids import ensure_request_id_table
from .writes import write_entity


def _benchmark_seed(realm_id: str) -> RealmSeed | None:
    """Benchmark realms (91303500001xxxxx) get the first demo company's lists."""
    return next(iter(REALM_SEEDS.values())) if realm_id.startswith("91303500001") else None


def seed_company_entities(conn: sqlite3.Connection, realm_id: str, at: float) -> None:
    """Create a company's accounts, classes, items, vendors and customers once (idempotent)."""
    ensure_request_id_table(conn)
    seed = REALM_SEEDS.get(realm_id) or _benchmark_seed(realm_id)
    if seed is None or has_entities(conn, realm_id):
        return
    inactive = set(seed.inactive)
    ids: dict[tuple[str, str], str] = {}

    def create(entity: str, name: str, body: dict) -> None:
        body = {**body, "Active": (entity, name) not in inactive}
        ids[entity, name] = write_entity(conn, realm_id, entity, body, at)["Id"]

    def ref(entity: str, name: str) -> dict:
        return {"value": ids[entity, name]}

    for number, name, account_type, sub_type in seed.accounts:
        create("Account", name, {"Name": name, "AcctNum": number, "AccountType": account_type,
                                 "AccountSubType": sub_type})
    for name in seed.classes:
        create("Class", name, {"Name": name})
    for sku, name, income, expense, price in seed.items:
        create("Item", name, {"Name": name, "Sku": sku, "Type": "Service", "UnitPrice": price,
                              "Description": name, "IncomeAccountRef": ref("Account", income),
                              "ExpenseAccountRef": ref("Account", expense)})
    for index, vendor in enumerate(seed.vendors):
        create("Vendor", vendor[0], _vendor(seed, index, *vendor))
    for index, (name, parent) in enumerate(seed.customers):
        body = _customer(seed, index, name)
        if parent:
            body.update(ParentRef=ref("Customer", parent), Job=True, BillWithParent=True)
        create("Customer", name, body)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())[:24]


def _address(seed: RealmSeed, index: int) -> dict:
    city, region, zip_prefix = seed.city
    return {"Line1": f"{100 + index * 37} Industrial Way", "City": city,
            "CountrySubDivisionCode": region, "PostalCode": f"{zip_prefix}{index % 90 + 10:02d}",
            "Country": "USA"}


def _vendor(seed: RealmSeed, index: int, name: str, given: str, family: str,
            subcontractor: bool) -> dict:
    body = {"DisplayName": name, "CompanyName": name,
            "PrimaryEmailAddr": {"Address": f"ap@{_slug(name)}.example"},
            "PrimaryPhone": {"FreeFormNumber": f"({seed.area_code}) 555-01{index:02d}"},
            "BillAddr": _address(seed, index), "Vendor1099": subcontractor,
            "AcctNum": f"{seed.vendor_prefix}-{1001 + index}",
            # Raw EINs go in; the write rules keep only the last four digits, as QBO does.
            "TaxIdentifier": f"{(index * 7919 + int(seed.area_code)) % 90 + 10}-"
                             f"{(index * 104729 + 3571) % 10_000_000:07d}"}
    if given:
        body.update(GivenName=given, FamilyName=family)
    return body


def _customer(seed: RealmSeed, index: int, name: str) -> dict:
    return {"DisplayName": name, "CompanyName": name, "BillAddr": _address(seed, index + 50),
            "PrimaryEmailAddr": {"Address": f"billing@{_slug(name)}.example"},
            "PrimaryPhone": {"FreeFormNumber": f"({seed.area_code}) 555-01{index + 50:02d}"}}
