"""Writes of inBuild bills and owner invoices (all or nothing, lines included), and their natural keys."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlite_utils import Database

from qbo.records import catalog as records
from qbo.records.documents import ApprovalStatus, NewLine
from qbo.storage.db import immediate


def bill_keys(db: Database, company_id: int) -> set[tuple[int, str]]:
    """(vendor id, bill number) of every bill the company has."""
    return {(r["vendor_id"], r["number"]) for r in db.query("SELECT vendor_id, number FROM bills WHERE company_id = ?",
                                                            [company_id])}


def invoice_numbers(db: Database, company_id: int) -> set[str]:
    return {r["number"] for r in db.query("SELECT number FROM invoices WHERE company_id = ?", [company_id])}


def _insert_lines(db: Database, company_id: int, table: str, key: str, document_id: int,
                  lines: Sequence[NewLine]) -> None:
    records.require_own(db, company_id, records.COST_CODES, {line.cost_code_id for line in lines}, "cost code")
    records.require_own(db, company_id, records.COST_TYPES, {line.cost_type_id for line in lines}, "cost type")
    db.conn.executemany(
        f"INSERT INTO {table} ({key}, line_number, cost_code_id, cost_type_id, description, amount_cents) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(document_id, line.line_number, line.cost_code_id, line.cost_type_id, line.description,
          int(line.amount_cents)) for line in lines])


def insert_bill(db: Database, company_id: int, number: str, vendor_id: int, project_id: int, bill_date: date,
                due_date: date | None, approval_status: str, lines: Sequence[NewLine],
                commitment_number: str = "") -> int:
    """Insert a bill with its lines (all or nothing) and return its id."""
    with immediate(db):
        records.require_own(db, company_id, records.VENDORS, {vendor_id}, "vendor")
        records.require_own(db, company_id, records.PROJECTS, {project_id}, "project")
        cursor = db.execute(
            "INSERT INTO bills (company_id, number, vendor_id, project_id, commitment_number, bill_date, due_date, "
            "approval_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [company_id, number, vendor_id, project_id, commitment_number, bill_date.isoformat(),
             due_date.isoformat() if due_date else None, ApprovalStatus(approval_status).value])
        _insert_lines(db, company_id, "bill_lines", "bill_id", cursor.lastrowid, lines)
    return cursor.lastrowid


def insert_invoice(db: Database, company_id: int, number: str, project_id: int, invoice_date: date,
                   due_date: date | None, approval_status: str, lines: Sequence[NewLine]) -> int:
    """Insert an owner invoice with its lines (all or nothing) and return its id."""
    with immediate(db):
        records.require_own(db, company_id, records.PROJECTS, {project_id}, "project")
        cursor = db.execute(
            "INSERT INTO invoices (company_id, number, project_id, invoice_date, due_date, approval_status) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [company_id, number, project_id, invoice_date.isoformat(), due_date.isoformat() if due_date else None,
             ApprovalStatus(approval_status).value])
        _insert_lines(db, company_id, "invoice_lines", "invoice_id", cursor.lastrowid, lines)
    return cursor.lastrowid


def replace_bill_lines(db: Database, company_id: int, bill_id: int, lines: Sequence[NewLine]) -> None:
    """An edit in inBuild: the bill's lines are replaced (all or nothing)."""
    with immediate(db):
        owned = db.execute("SELECT COUNT(*) FROM bills WHERE company_id = ? AND id = ?", [company_id, bill_id])
        if owned.fetchone()[0] != 1:
            raise records.RecordError("no such bill")
        db.execute("DELETE FROM bill_lines WHERE bill_id = ?", [bill_id])
        _insert_lines(db, company_id, "bill_lines", "bill_id", bill_id, lines)


def set_approval_status(db: Database, company_id: int, kind: str, document_id: int, status: str) -> None:
    """Approve, withdraw or reject a bill or an invoice (kind "bill" or "invoice")."""
    table = {"bill": "bills", "invoice": "invoices"}[kind]
    with immediate(db):
        cursor = db.execute(f"UPDATE {table} SET approval_status = ? WHERE company_id = ? AND id = ?",
                            [ApprovalStatus(status).value, company_id, document_id])
        if cursor.rowcount != 1:
            raise records.RecordError(f"no such {kind}")
