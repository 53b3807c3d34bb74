"""Writes to the inBuild directory records, and their natural keys (for CSV imports and demo data)."""
from __future__ import annotations

from sqlite_utils import Database

from qbo.records.catalog import (
    CostCode,
    CostType,
    Project,
    ProjectStatus,
    Vendor,
    VendorType,
    get_cost_code,
    get_cost_type,
    get_project,
    get_vendor,
)


def _keys(db: Database, table: str, key: str, company_id: int) -> dict[str, int]:
    rows = db.query(f"SELECT id, {key} FROM {table} WHERE company_id = ?", [company_id])
    return {row[key]: row["id"] for row in rows}


def project_ids_by_number(db: Database, company_id: int) -> dict[str, int]:
    return _keys(db, "projects", "number", company_id)


def vendor_ids_by_name(db: Database, company_id: int) -> dict[str, int]:
    return _keys(db, "vendors", "name", company_id)


def cost_code_ids_by_code(db: Database, company_id: int) -> dict[str, int]:
    return _keys(db, "cost_codes", "code", company_id)


def cost_type_ids_by_code(db: Database, company_id: int) -> dict[str, int]:
    return _keys(db, "cost_types", "code", company_id)


def insert_project(db: Database, company_id: int, number: str, name: str, customer_name: str = "",
                   customer_email: str = "", address: str = "", status: str = ProjectStatus.ACTIVE) -> Project:
    cursor = db.execute(
        "INSERT INTO projects (company_id, number, name, customer_name, customer_email, address, status) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [company_id, number, name, customer_name, customer_email, address, ProjectStatus(status).value])
    return get_project(db, company_id, cursor.lastrowid)


def insert_vendor(db: Database, company_id: int, name: str, vendor_type: str, tax_id: str = "", email: str = "",
                  phone: str = "") -> Vendor:
    cursor = db.execute(
        "INSERT INTO vendors (company_id, name, vendor_type, tax_id, email, phone) VALUES (?, ?, ?, ?, ?, ?)",
        [company_id, name, VendorType(vendor_type).value, tax_id, email, phone])
    return get_vendor(db, company_id, cursor.lastrowid)


def insert_cost_code(db: Database, company_id: int, code: str, description: str) -> CostCode:
    cursor = db.execute("INSERT INTO cost_codes (company_id, code, description) VALUES (?, ?, ?)",
                        [company_id, code, description])
    return get_cost_code(db, company_id, cursor.lastrowid)


def insert_cost_type(db: Database, company_id: int, code: str, name: str) -> CostType:
    cursor = db.execute("INSERT INTO cost_types (company_id, code, name) VALUES (?, ?, ?)", [company_id, code, name])
    return get_cost_type(db, company_id, cursor.lastrowid)
