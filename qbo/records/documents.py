"""Store for the inBuild (Procore) documents that sync: bills and owner invoices, each with its lines.

The only code naming those tables. Every function takes the company id and never returns another company's rows.
Lines point at the company's cost codes and cost types; documents at its projects and vendors (`qbo.records.catalog`).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlite_utils import Database

from qbo.records.search import page_clause, search_clause


class ApprovalStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class DocumentLine:
    line_number: int
    cost_code_id: int
    cost_code: str
    cost_type_id: int
    cost_type: str
    description: str
    amount_cents: int


@dataclass(frozen=True)
class NewLine:
    """A bill or invoice line to insert; references are ids of the same company's cost code and cost type."""

    line_number: int
    cost_code_id: int
    cost_type_id: int
    description: str
    amount_cents: int


@dataclass(frozen=True)
class Bill:
    id: int
    company_id: int
    number: str
    vendor_id: int
    vendor_name: str
    project_id: int
    project_number: str
    project_name: str
    commitment_number: str
    bill_date: date
    due_date: date | None
    approval_status: ApprovalStatus
    total_cents: int
    lines: tuple[DocumentLine, ...]


@dataclass(frozen=True)
class Invoice:
    id: int
    company_id: int
    number: str
    project_id: int
    project_number: str
    project_name: str
    invoice_date: date
    due_date: date | None
    approval_status: ApprovalStatus
    total_cents: int
    lines: tuple[DocumentLine, ...]


# --- reads ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Documents:
    select: str
    line_table: str
    line_key: str
    date_column: str
    search_columns: tuple[str, ...]
    make: Callable[[dict, tuple[DocumentLine, ...]], Any]


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


BILLS = _Documents(
    "SELECT d.*, v.name AS vendor_name, p.number AS project_number, p.name AS project_name FROM bills d "
    "JOIN vendors v ON v.id = d.vendor_id JOIN projects p ON p.id = d.project_id WHERE d.company_id = ?",
    "bill_lines", "bill_id", "bill_date",
    ("d.number", "v.name", "p.number", "p.name", "d.commitment_number"),
    lambda r, lines: Bill(r["id"], r["company_id"], r["number"], r["vendor_id"], r["vendor_name"], r["project_id"],
                          r["project_number"], r["project_name"], r["commitment_number"], _day(r["bill_date"]),
                          _day(r["due_date"]), ApprovalStatus(r["approval_status"]),
                          sum(line.amount_cents for line in lines), lines),
)
INVOICES = _Documents(
    "SELECT d.*, p.number AS project_number, p.name AS project_name FROM invoices d "
    "JOIN projects p ON p.id = d.project_id WHERE d.company_id = ?",
    "invoice_lines", "invoice_id", "invoice_date",
    ("d.number", "p.number", "p.name"),
    lambda r, lines: Invoice(r["id"], r["company_id"], r["number"], r["project_id"], r["project_number"],
                             r["project_name"], _day(r["invoice_date"]), _day(r["due_date"]),
                             ApprovalStatus(r["approval_status"]), sum(line.amount_cents for line in lines), lines),
)


def _filters(spec: _Documents, status: str | None, search: str) -> tuple[str, list]:
    where, params = search_clause(spec.search_columns, search)
    if status is not None:
        where, params = f"{where} AND d.approval_status = ?", [*params, ApprovalStatus(status).value]
    return where, params


def _lines_of(db: Database, spec: _Documents, document_ids: Sequence[int]) -> dict[int, tuple[DocumentLine, ...]]:
    if not document_ids:
        return {}
    marks = ", ".join("?" * len(document_ids))
    rows = db.query(
        f"SELECT l.{spec.line_key} AS document_id, l.*, cc.code AS cost_code, ct.code AS cost_type "
        f"FROM {spec.line_table} l JOIN cost_codes cc ON cc.id = l.cost_code_id "
        f"JOIN cost_types ct ON ct.id = l.cost_type_id WHERE l.{spec.line_key} IN ({marks}) "
        f"ORDER BY l.{spec.line_key}, l.line_number",
        list(document_ids),
    )
    lines: dict[int, list[DocumentLine]] = {}
    for r in rows:
        lines.setdefault(r["document_id"], []).append(DocumentLine(
            r["line_number"], r["cost_code_id"], r["cost_code"], r["cost_type_id"], r["cost_type"], r["description"],
            r["amount_cents"]))
    return {document_id: tuple(found) for document_id, found in lines.items()}


def _list_documents(db: Database, spec: _Documents, company_id: int, offset: int, limit: int | None,
                    status: str | None, search: str) -> list:
    where, params = _filters(spec, status, search)
    paging, page_params = page_clause(offset, limit)
    order = f" ORDER BY d.{spec.date_column} DESC, d.id DESC"
    rows = list(db.query(spec.select + where + order + paging, [company_id, *params, *page_params]))
    lines = _lines_of(db, spec, [row["id"] for row in rows])
    return [spec.make(row, lines.get(row["id"], ())) for row in rows]


def _count_documents(db: Database, spec: _Documents, company_id: int, status: str | None, search: str) -> int:
    where, params = _filters(spec, status, search)
    return db.execute(f"SELECT COUNT(*) FROM ({spec.select}{where})", [company_id, *params]).fetchone()[0]


def _get_document(db: Database, spec: _Documents, company_id: int, document_id: int):
    rows = list(db.query(spec.select + " AND d.id = ?", [company_id, document_id]))
    return spec.make(rows[0], _lines_of(db, spec, [document_id]).get(document_id, ())) if rows else None


def list_bills(db: Database, company_id: int, offset: int = 0, limit: int | None = 50, status: str | None = None,
               search: str = "") -> list[Bill]:
    """Newest first, each with its lines and total; status (an ApprovalStatus value) and search narrow it."""
    return _list_documents(db, BILLS, company_id, offset, limit, status, search)


def count_bills(db: Database, company_id: int, status: str | None = None, search: str = "") -> int:
    return _count_documents(db, BILLS, company_id, status, search)


def get_bill(db: Database, company_id: int, bill_id: int) -> Bill | None:
    return _get_document(db, BILLS, company_id, bill_id)


def list_invoices(db: Database, company_id: int, offset: int = 0, limit: int | None = 50,
                  status: str | None = None, search: str = "") -> list[Invoice]:
    """Newest first, each with its lines and total; status (an ApprovalStatus value) and search narrow it."""
    return _list_documents(db, INVOICES, company_id, offset, limit, status, search)


def count_invoices(db: Database, company_id: int, status: str | None = None, search: str = "") -> int:
    return _count_documents(db, INVOICES, company_id, status, search)


def get_invoice(db: Database, company_id: int, invoice_id: int) -> Invoice | None:
    return _get_document(db, INVOICES, company_id, invoice_id)
