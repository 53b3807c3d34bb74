"""Importing inBuild records from CSV files: decode, parse, validate every row, then write all or nothing.

Plain Python (no Flask). Errors name the row as a spreadsheet shows it: the header is row 1.
Reading the file is in csv_reading; what each kind needs in csv_kinds and csv_document_kinds.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from qbo.records.csv_document_kinds import BILLS, INVOICES
from qbo.records.csv_kinds import COST_CODES, COST_TYPES, PROJECTS, VENDORS, ImportKind
from qbo.records.csv_reading import FORMULA_MESSAGE, Row, decode_csv, looks_like_formula, read_rows
from qbo.storage.db import immediate

KINDS = ("projects", "vendors", "cost-codes", "cost-types", "bills", "invoices")
KIND_SPECS = {"projects": PROJECTS, "vendors": VENDORS, "cost-codes": COST_CODES, "cost-types": COST_TYPES,
              "bills": BILLS, "invoices": INVOICES}


@dataclass(frozen=True)
class ImportResult:
    kind: str
    created: dict[str, int]
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell_errors(kind: ImportKind, row: Row) -> list[str]:
    """Missing required values and formula-looking cells: the row is not checked further when there are any."""
    errors = [f"row {row.number}: missing column '{column}'" for column in kind.required if not row[column]]
    for column in kind.columns:
        if looks_like_formula(row[column], amounts_allowed=column in kind.numeric):
            errors.append(f"row {row.number}: {FORMULA_MESSAGE} (column '{column}')")
    return errors


def _row_of(message: str) -> int:
    return int(message.split(":", 1)[0].removeprefix("row "))


def import_csv(db: Database, company_id: int, kind: str, data: bytes) -> ImportResult:
    """Validate every row, then create the records in one transaction; any error and nothing is created."""
    if kind not in KIND_SPECS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    spec = KIND_SPECS[kind]
    header, rows, errors = read_rows(decode_csv(data))
    missing = [column for column in spec.required if column not in header]
    if not header:
        return ImportResult(kind, {}, ("row 1: the file is empty; it needs a header row",))
    if missing:
        names = ", ".join(f"'{column}'" for column in missing)
        return ImportResult(kind, {}, (f"row 1: missing column{'s' if len(missing) > 1 else ''} {names}",))
    if not rows:
        return ImportResult(kind, {}, ("row 2: there are no rows to import below the header",))
    with immediate(db):
        checked = []
        for row in rows:
            problems = _cell_errors(spec, row)
            errors.extend(problems)
            if not problems:
                checked.append(row)
        plan = spec.validate(db, company_id, checked, errors)
        if errors:
            return ImportResult(kind, {}, tuple(sorted(errors, key=_row_of)))
        created = spec.write(db, company_id, plan)
    return ImportResult(kind, created, ())
