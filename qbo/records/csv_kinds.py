"""What each kind of CSV import needs: its columns, and how its rows are validated and then written.

The directory kinds (projects, vendors, cost codes, cost types) are here; bills and invoices in csv_document_kinds.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database

from qbo.records import catalog_writes
from qbo.records.catalog import ProjectStatus, VendorType
from qbo.records.csv_reading import Row, checked_choice, checked_email


@dataclass(frozen=True)
class ImportKind:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    validate: Callable[[Database, int, list[Row], list[str]], list]
    write: Callable[[Database, int, list], dict[str, int]]
    numeric: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


# --- projects, vendors, cost codes, cost types ------------------------------------------------------------------


@dataclass(frozen=True)
class _Directory:
    key: str
    label: str
    plural: str
    existing: Callable[[Database, int], dict[str, int]]
    values: Callable[[Row, list[str]], dict]
    insert: Callable[..., object]


def _directory_kind(spec: _Directory, required: tuple[str, ...], optional: tuple[str, ...]) -> ImportKind:
    def validate(db: Database, company_id: int, rows: list[Row], errors: list[str]) -> list[dict]:
        seen, plan = {key.casefold() for key in spec.existing(db, company_id)}, []
        for row in rows:
            if row[spec.key].casefold() in seen:
                errors.append(f"row {row.number}: duplicate {spec.label} '{row[spec.key]}'")
            seen.add(row[spec.key].casefold())
            plan.append(spec.values(row, errors))
        return plan

    def write(db: Database, company_id: int, plan: list[dict]) -> dict[str, int]:
        for values in plan:
            spec.insert(db, company_id, **values)
        return {spec.plural: len(plan)}

    return ImportKind(required, optional, validate, write)


def _project(row: Row, errors: list[str]) -> dict:
    status = checked_choice(row, "status", tuple(ProjectStatus), ProjectStatus.ACTIVE, errors)
    return {"number": row["number"], "name": row["name"], "customer_name": row["customer_name"],
            "customer_email": checked_email(row, "customer_email", errors), "address": row["address"],
            "status": status}


def _vendor(row: Row, errors: list[str]) -> dict:
    vendor_type = checked_choice(row, "vendor_type", tuple(VendorType), "", errors)
    return {"name": row["name"], "vendor_type": vendor_type, "tax_id": row["tax_id"],
            "email": checked_email(row, "email", errors), "phone": row["phone"]}


PROJECTS = _directory_kind(
    _Directory("number", "project number", "projects", catalog_writes.project_ids_by_number, _project,
               catalog_writes.insert_project),
    ("number", "name"), ("customer_name", "customer_email", "address", "status"))
VENDORS = _directory_kind(
    _Directory("name", "vendor name", "vendors", catalog_writes.vendor_ids_by_name, _vendor, catalog_writes.insert_vendor),
    ("name", "vendor_type"), ("tax_id", "email", "phone"))
COST_CODES = _directory_kind(
    _Directory("code", "cost code", "cost_codes", catalog_writes.cost_code_ids_by_code,
               lambda row, errors: {"code": row["code"], "description": row["description"]}, catalog_writes.insert_cost_code),
    ("code", "description"), ())
COST_TYPES = _directory_kind(
    _Directory("code", "cost type code", "cost_types", catalog_writes.cost_type_ids_by_code,
               lambda row, errors: {"code": row["code"], "name": row["name"]}, catalog_writes.insert_cost_type),
    ("code", "name"), ())
