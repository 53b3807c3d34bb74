"""Store for the inBuild (Procore) directory records that sync: projects, vendors, cost codes and cost types.

The only code naming those tables. Every function takes the company id and never returns another company's rows.
Bills and invoices, which point at these records, are in `qbo.records.documents`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlite_utils import Database

from qbo.records.search import page_clause, search_clause


class RecordError(ValueError):
    """A write the records' rules refuse (e.g. a bill pointing at another company's vendor); the message says why."""


class ProjectStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class VendorType(StrEnum):
    SUBCONTRACTOR = "subcontractor"
    SUPPLIER = "supplier"


@dataclass(frozen=True)
class Project:
    id: int
    company_id: int
    number: str
    name: str
    customer_name: str
    customer_email: str
    address: str
    status: ProjectStatus


@dataclass(frozen=True)
class Vendor:
    id: int
    company_id: int
    name: str
    vendor_type: VendorType
    tax_id: str
    email: str
    phone: str


@dataclass(frozen=True)
class CostCode:
    id: int
    company_id: int
    code: str
    description: str


@dataclass(frozen=True)
class CostType:
    id: int
    company_id: int
    code: str
    name: str


# --- projects, vendors, cost codes, cost types ------------------------------------------------------------------


@dataclass(frozen=True)
class Directory:
    """One directory table: how its rows sort, which columns a search looks in, and the dataclass a row becomes."""

    table: str
    order_by: str
    search_columns: tuple[str, ...]
    make: Callable[[dict], Any]


PROJECTS = Directory(
    "projects", "number COLLATE NOCASE", ("number", "name", "customer_name", "customer_email"),
    lambda r: Project(r["id"], r["company_id"], r["number"], r["name"], r["customer_name"], r["customer_email"],
                      r["address"], ProjectStatus(r["status"])),
)
VENDORS = Directory(
    "vendors", "name COLLATE NOCASE", ("name", "email", "tax_id"),
    lambda r: Vendor(r["id"], r["company_id"], r["name"], VendorType(r["vendor_type"]), r["tax_id"], r["email"],
                     r["phone"]),
)
COST_CODES = Directory(
    "cost_codes", "code COLLATE NOCASE", ("code", "description"),
    lambda r: CostCode(r["id"], r["company_id"], r["code"], r["description"]),
)
COST_TYPES = Directory(
    "cost_types", "code COLLATE NOCASE", ("code", "name"),
    lambda r: CostType(r["id"], r["company_id"], r["code"], r["name"]),
)


def _list(db: Database, spec: Directory, company_id: int, search: str, offset: int, limit: int | None) -> list:
    where, params = search_clause(spec.search_columns, search)
    paging, page_params = page_clause(offset, limit)
    sql = f"SELECT * FROM {spec.table} WHERE company_id = ?{where} ORDER BY {spec.order_by}, id{paging}"
    return [spec.make(row) for row in db.query(sql, [company_id, *params, *page_params])]


def _count(db: Database, spec: Directory, company_id: int, search: str) -> int:
    where, params = search_clause(spec.search_columns, search)
    sql = f"SELECT COUNT(*) FROM {spec.table} WHERE company_id = ?{where}"
    return db.execute(sql, [company_id, *params]).fetchone()[0]


def _get(db: Database, spec: Directory, company_id: int, record_id: int):
    rows = list(db.query(f"SELECT * FROM {spec.table} WHERE company_id = ? AND id = ?", [company_id, record_id]))
    return spec.make(rows[0]) if rows else None


def list_projects(db: Database, company_id: int, search: str = "", offset: int = 0,
                  limit: int | None = None) -> list[Project]:
    return _list(db, PROJECTS, company_id, search, offset, limit)


def count_projects(db: Database, company_id: int, search: str = "") -> int:
    return _count(db, PROJECTS, company_id, search)


def get_project(db: Database, company_id: int, project_id: int) -> Project | None:
    return _get(db, PROJECTS, company_id, project_id)


def list_vendors(db: Database, company_id: int, search: str = "", offset: int = 0,
                 limit: int | None = None) -> list[Vendor]:
    return _list(db, VENDORS, company_id, search, offset, limit)


def count_vendors(db: Database, company_id: int, search: str = "") -> int:
    return _count(db, VENDORS, company_id, search)


def get_vendor(db: Database, company_id: int, vendor_id: int) -> Vendor | None:
    return _get(db, VENDORS, company_id, vendor_id)


def list_cost_codes(db: Database, company_id: int, search: str = "", offset: int = 0,
                    limit: int | None = None) -> list[CostCode]:
    return _list(db, COST_CODES, company_id, search, offset, limit)


def count_cost_codes(db: Database, company_id: int, search: str = "") -> int:
    return _count(db, COST_CODES, company_id, search)


def get_cost_code(db: Database, company_id: int, cost_code_id: int) -> CostCode | None:
    return _get(db, COST_CODES, company_id, cost_code_id)


def list_cost_types(db: Database, company_id: int, search: str = "", offset: int = 0,
                    limit: int | None = None) -> list[CostType]:
    return _list(db, COST_TYPES, company_id, search, offset, limit)


def count_cost_types(db: Database, company_id: int, search: str = "") -> int:
    return _count(db, COST_TYPES, company_id, search)


def get_cost_type(db: Database, company_id: int, cost_type_id: int) -> CostType | None:
    return _get(db, COST_TYPES, company_id, cost_type_id)


def require_own(db: Database, company_id: int, spec: Directory, ids: set[int], what: str) -> None:
    """Raise RecordError unless every id is one of the company's records; the schema's foreign keys do not check."""
    marks = ", ".join("?" * len(ids))
    sql = f"SELECT COUNT(*) FROM {spec.table} WHERE company_id = ? AND id IN ({marks})"
    if ids and db.execute(sql, [company_id, *ids]).fetchone()[0] != len(ids):
        raise RecordError(f"Every {what} must belong to company {company_id}.")
