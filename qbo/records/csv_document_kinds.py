"""The bill and invoice kinds of CSV import: one row per line, rows sharing a number make one document.

Every row of a document must agree on its header values (project, dates, approval status, commitment).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlite_utils import Database

from qbo.records import catalog_writes, document_writes
from qbo.records.csv_kinds import ImportKind
from qbo.records.csv_reading import Row, checked_amount, checked_choice, checked_day
from qbo.records.documents import ApprovalStatus, NewLine

DEFAULT_APPROVAL_STATUS = ApprovalStatus.PENDING
LINE_COLUMNS = ("cost_code", "cost_type", "amount")


class _Lookup:
    """A natural key (vendor name, project number, code) to its id: exact first, then ignoring case."""

    def __init__(self, ids: dict[str, int]):
        self.exact = ids
        self.folded: dict[str, int] = {}
        for key, record_id in ids.items():
            self.folded.setdefault(key.casefold(), record_id)

    def get(self, key: str) -> int | None:
        return self.exact.get(key) or self.folded.get(key.casefold())


@dataclass
class _Document:
    first_row: Row
    vendor_id: int | None
    header: dict
    lines: list[NewLine] = field(default_factory=list)


@dataclass(frozen=True)
class _DocumentKind:
    noun: str
    date_column: str
    header_columns: tuple[str, ...]
    existing: Callable[[Database, int], set[tuple[int | None, str]]]


def _lookups(db: Database, company_id: int) -> dict[str, _Lookup]:
    return {"vendor": _Lookup(catalog_writes.vendor_ids_by_name(db, company_id)),
            "project": _Lookup(catalog_writes.project_ids_by_number(db, company_id)),
            "cost_code": _Lookup(catalog_writes.cost_code_ids_by_code(db, company_id)),
            "cost_type": _Lookup(catalog_writes.cost_type_ids_by_code(db, company_id))}


def _reference(row: Row, column: str, lookups: dict[str, _Lookup], errors: list[str]) -> int | None:
    record_id = lookups[column].get(row[column])
    if record_id is None:
        errors.append(f"row {row.number}: unknown {column.replace('_', ' ')} '{row[column]}'")
    return record_id


def _line_number(row: Row, errors: list[str]) -> int | None:
    if not row["line_number"]:
        return None
    if not row["line_number"].isdigit() or int(row["line_number"]) < 1:
        errors.append(f"row {row.number}: line_number '{row['line_number']}' is not a whole number from 1 up")
        return None
    return int(row["line_number"])


def _document_header(kind: _DocumentKind, row: Row, lookups: dict[str, _Lookup], errors: list[str]) -> dict:
    """The values every row of one document must agree on, keyed by the column they come from."""
    header = {"project": _reference(row, "project", lookups, errors),
              kind.date_column: checked_day(row, kind.date_column, errors),
              "due_date": checked_day(row, "due_date", errors),
              "approval_status": checked_choice(row, "approval_status", tuple(ApprovalStatus),
                                                DEFAULT_APPROVAL_STATUS, errors)}
    if "commitment_number" in kind.header_columns:
        header["commitment_number"] = row["commitment_number"]
    return header


def _same_header(kind: _DocumentKind, document: _Document, header: dict, row: Row, errors: list[str]) -> None:
    first = document.first_row
    for column, value in header.items():
        if value != document.header[column]:
            errors.append(f"row {row.number}: {kind.noun} '{first['number']}' has {column} '{first[column]}' "
                          f"on row {first.number}, not '{row[column]}'")


def _add_line(kind: _DocumentKind, document: _Document, row: Row, line: dict, errors: list[str]) -> None:
    taken = {existing.line_number for existing in document.lines}
    number = line.pop("line_number") or max(taken, default=0) + 1
    if number in taken:
        errors.append(f"row {row.number}: duplicate line_number {number} for {kind.noun} '{row['number']}'")
    document.lines.append(NewLine(number, **line))


def _duplicate_document(kind: _DocumentKind, row: Row) -> str:
    if kind.noun == "bill":
        return f"row {row.number}: duplicate bill '{row['number']}' for vendor '{row['vendor']}'"
    return f"row {row.number}: duplicate invoice number '{row['number']}'"


def _document_kind(kind: _DocumentKind, required: tuple[str, ...], optional: tuple[str, ...]) -> ImportKind:
    def validate(db: Database, company_id: int, rows: list[Row], errors: list[str]) -> list[_Document]:
        lookups, existing = _lookups(db, company_id), kind.existing(db, company_id)
        found: dict[tuple[int | None, str], _Document] = {}
        for row in rows:
            row_errors: list[str] = []
            vendor_id = _reference(row, "vendor", lookups, row_errors) if "vendor" in required else None
            header = _document_header(kind, row, lookups, row_errors)
            line = {"line_number": _line_number(row, row_errors),
                    "cost_code_id": _reference(row, "cost_code", lookups, row_errors),
                    "cost_type_id": _reference(row, "cost_type", lookups, row_errors),
                    "description": row["description"], "amount_cents": checked_amount(row, row_errors)}
            errors.extend(row_errors)
            if row_errors:
                continue
            key = (vendor_id, row["number"].casefold())
            if key not in found:
                if key in existing:
                    errors.append(_duplicate_document(kind, row))
                found[key] = _Document(row, vendor_id, header)
            else:
                _same_header(kind, found[key], header, row, errors)
            _add_line(kind, found[key], row, line, errors)
        return list(found.values())

    def write(db: Database, company_id: int, plan: list[_Document]) -> dict[str, int]:
        return _write_documents(kind, db, company_id, plan)

    return ImportKind(required, optional, validate, write, numeric=("amount",))


def _write_documents(kind: _DocumentKind, db: Database, company_id: int, plan: list[_Document]) -> dict[str, int]:
    for document in plan:
        header, number = document.header, document.first_row["number"]
        if kind.noun == "bill":
            document_writes.insert_bill(db, company_id, number, document.vendor_id, header["project"], header["bill_date"],
                                  header["due_date"], header["approval_status"], document.lines,
                                  header["commitment_number"])
        else:
            document_writes.insert_invoice(db, company_id, number, header["project"], header["invoice_date"],
                                     header["due_date"], header["approval_status"], document.lines)
    lines = sum(len(document.lines) for document in plan)
    return {f"{kind.noun}s": len(plan), f"{kind.noun}_lines": lines}


def _bill_keys(db: Database, company_id: int) -> set[tuple[int | None, str]]:
    return {(vendor_id, number.casefold()) for vendor_id, number in document_writes.bill_keys(db, company_id)}


def _invoice_keys(db: Database, company_id: int) -> set[tuple[int | None, str]]:
    return {(None, number.casefold()) for number in document_writes.invoice_numbers(db, company_id)}


BILLS = _document_kind(
    _DocumentKind("bill", "bill_date", ("project", "bill_date", "due_date", "approval_status", "commitment_number"),
                  _bill_keys),
    ("number", "vendor", "project", "bill_date", *LINE_COLUMNS),
    ("commitment_number", "due_date", "approval_status", "line_number", "description"))
INVOICES = _document_kind(
    _DocumentKind("invoice", "invoice_date", ("project", "invoice_date", "due_date", "approval_status"),
                  _invoice_keys),
    ("number", "project", "invoice_date", *LINE_COLUMNS),
    ("due_date", "approval_status", "line_number", "description"))
