"""Importing inBuild records from CSV files: decode, parse, validate every row, then write all or nothing.

Plain Python (no Flask). Errors name the row as a spreadsheet shows it: the header is row 1.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlite_utils import Database

from qbo import inbuild_records as records
from qbo.db import immediate
from qbo.inbuild_records import ApprovalStatus, NewLine, ProjectStatus, VendorType

KINDS = ("projects", "vendors", "cost-codes", "cost-types", "bills", "invoices")
FORMULA_STARTS = ("=", "+", "-", "@")
FORMULA_MESSAGE = "cell starts with '=', '+', '-', '@' — formulas are not accepted"
DEFAULT_APPROVAL_STATUS = ApprovalStatus.PENDING
_AMOUNT = re.compile(r"(-?)\$?(-?)(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class ImportResult:
    kind: str
    created: dict[str, int]
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Row:
    number: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without a BOM); otherwise Windows-1252 / Latin-1, as spreadsheet exports write them."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parse_cents(text: str) -> int:
    """'$1,234.50', '-12.5', '(7.25)' → integer cents, exactly; ValueError for anything else."""
    text = text.strip()
    negative = text.startswith("(") and text.endswith(")")
    match = _AMOUNT.fullmatch(text[1:-1].strip() if negative else text)
    if not match or (match[1] and match[2]) or not (match[3] or match[4]):
        raise ValueError("is not a number")
    cents = Decimal(f"{match[3].replace(',', '') or '0'}.{match[4] or '0'}") * 100
    if cents != cents.to_integral_value():
        raise ValueError("has more than two decimal places")
    sign = -1 if negative or match[1] or match[2] else 1
    return sign * int(cents)


def parse_day(text: str) -> date:
    """ISO (YYYY-MM-DD) or US (MM/DD/YYYY); ValueError for anything else."""
    text = text.strip()
    if _ISO_DATE.fullmatch(text):
        return date.fromisoformat(text)
    match = _US_DATE.fullmatch(text)
    if match:
        return date(int(match[3]), int(match[1]), int(match[2]))
    raise ValueError(text)


def _column_name(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def read_rows(text: str) -> tuple[list[str], list[Row], list[str]]:
    """The normalised header, the non-blank rows, and rows whose cell count does not fit the header."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [_column_name(cell) for cell in next(reader, [])]
    rows, errors = [], []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            errors.append(f"row {number}: {len(cells)} cells but the header has {len(header)} columns "
                          "(quote cells that contain commas)")
        rows.append(Row(number, {column: cell.strip() for column, cell in zip(header, cells)}))
    return header, rows, errors


# --- what each kind needs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    validate: Callable[[Database, int, list[Row], list[str]], list]
    write: Callable[[Database, int, list], dict[str, int]]
    numeric: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


def _cell_errors(kind: _Kind, row: Row) -> list[str]:
    """Missing required values and formula-looking cells: the row is not checked further when there are any."""
    errors = [f"row {row.number}: missing column '{column}'" for column in kind.required if not row[column]]
    for column in kind.columns:
        value = row[column]
        if value.startswith(FORMULA_STARTS) and not (column in kind.numeric and _is_amount(value)):
            errors.append(f"row {row.number}: {FORMULA_MESSAGE} (column '{column}')")
    return errors


def _is_amount(text: str) -> bool:
    try:
        parse_cents(text)
    except ValueError:
        return False
    return True


def _choice(row: Row, column: str, allowed: tuple[str, ...], default: str, errors: list[str]) -> str:
    value = row[column].lower() or default
    if value not in allowed:
        errors.append(f"row {row.number}: {column} '{row[column]}' is not one of {', '.join(allowed)}")
    return value


def _email(row: Row, column: str, errors: list[str]) -> str:
    if row[column] and "@" not in row[column]:
        errors.append(f"row {row.number}: {column} '{row[column]}' is not an e-mail address")
    return row[column]


# --- projects, vendors, cost codes, cost types ------------------------------------------------------------------


@dataclass(frozen=True)
class _Directory:
    key: str
    label: str
    plural: str
    existing: Callable[[Database, int], dict[str, int]]
    values: Callable[[Row, list[str]], dict]
    insert: Callable[..., object]


def _directory_kind(spec: _Directory, required: tuple[str, ...], optional: tuple[str, ...]) -> _Kind:
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

    return _Kind(required, optional, validate, write)


def _project(row: Row, errors: list[str]) -> dict:
    status = _choice(row, "status", tuple(ProjectStatus), ProjectStatus.ACTIVE, errors)
    return {"number": row["number"], "name": row["name"], "customer_name": row["customer_name"],
            "customer_email": _email(row, "customer_email", errors), "address": row["address"], "status": status}


def _vendor(row: Row, errors: list[str]) -> dict:
    vendor_type = _choice(row, "vendor_type", tuple(VendorType), "", errors)
    return {"name": row["name"], "vendor_type": vendor_type, "tax_id": row["tax_id"],
            "email": _email(row, "email", errors), "phone": row["phone"]}


PROJECTS = _directory_kind(
    _Directory("number", "project number", "projects", records.project_ids_by_number, _project,
               records.insert_project),
    ("number", "name"), ("customer_name", "customer_email", "address", "status"))
VENDORS = _directory_kind(
    _Directory("name", "vendor name", "vendors", records.vendor_ids_by_name, _vendor, records.insert_vendor),
    ("name", "vendor_type"), ("tax_id", "email", "phone"))
COST_CODES = _directory_kind(
    _Directory("code", "cost code", "cost_codes", records.cost_code_ids_by_code,
               lambda row, errors: {"code": row["code"], "description": row["description"]}, records.insert_cost_code),
    ("code", "description"), ())
COST_TYPES = _directory_kind(
    _Directory("code", "cost type code", "cost_types", records.cost_type_ids_by_code,
               lambda row, errors: {"code": row["code"], "name": row["name"]}, records.insert_cost_type),
    ("code", "name"), ())


# --- bills and invoices -----------------------------------------------------------------------------------------


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
    return {"vendor": _Lookup(records.vendor_ids_by_name(db, company_id)),
            "project": _Lookup(records.project_ids_by_number(db, company_id)),
            "cost_code": _Lookup(records.cost_code_ids_by_code(db, company_id)),
            "cost_type": _Lookup(records.cost_type_ids_by_code(db, company_id))}


def _reference(row: Row, column: str, lookups: dict[str, _Lookup], errors: list[str]) -> int | None:
    record_id = lookups[column].get(row[column])
    if record_id is None:
        errors.append(f"row {row.number}: unknown {column.replace('_', ' ')} '{row[column]}'")
    return record_id


def _day(row: Row, column: str, errors: list[str]) -> date | None:
    if not row[column]:
        return None
    try:
        return parse_day(row[column])
    except ValueError:
        errors.append(f"row {row.number}: {column} '{row[column]}' is not a date (use YYYY-MM-DD or MM/DD/YYYY)")
        return None


def _amount(row: Row, errors: list[str]) -> int:
    try:
        return parse_cents(row["amount"])
    except ValueError as problem:
        errors.append(f"row {row.number}: amount '{row['amount']}' {problem}")
        return 0


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
              kind.date_column: _day(row, kind.date_column, errors), "due_date": _day(row, "due_date", errors),
              "approval_status": _choice(row, "approval_status", tuple(ApprovalStatus), DEFAULT_APPROVAL_STATUS,
                                         errors)}
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


def _document_kind(kind: _DocumentKind, required: tuple[str, ...], optional: tuple[str, ...]) -> _Kind:
    def validate(db: Database, company_id: int, rows: list[Row], errors: list[str]) -> list[_Document]:
        lookups, existing = _lookups(db, company_id), kind.existing(db, company_id)
        documents: dict[tuple[int | None, str], _Document] = {}
        for row in rows:
            row_errors: list[str] = []
            vendor_id = _reference(row, "vendor", lookups, row_errors) if "vendor" in required else None
            header = _document_header(kind, row, lookups, row_errors)
            line = {"line_number": _line_number(row, row_errors),
                    "cost_code_id": _reference(row, "cost_code", lookups, row_errors),
                    "cost_type_id": _reference(row, "cost_type", lookups, row_errors),
                    "description": row["description"], "amount_cents": _amount(row, row_errors)}
            errors.extend(row_errors)
            if row_errors:
                continue
            key = (vendor_id, row["number"].casefold())
            if key not in documents:
                if key in existing:
                    errors.append(_duplicate_document(kind, row))
                documents[key] = _Document(row, vendor_id, header)
            else:
                _same_header(kind, documents[key], header, row, errors)
            _add_line(kind, documents[key], row, line, errors)
        return list(documents.values())

    def write(db: Database, company_id: int, plan: list[_Document]) -> dict[str, int]:
        return _write_documents(kind, db, company_id, plan)

    return _Kind(required, optional, validate, write, numeric=("amount",))


def _write_documents(kind: _DocumentKind, db: Database, company_id: int, plan: list[_Document]) -> dict[str, int]:
    for document in plan:
        header, number = document.header, document.first_row["number"]
        if kind.noun == "bill":
            records.insert_bill(db, company_id, number, document.vendor_id, header["project"], header["bill_date"],
                                header["due_date"], header["approval_status"], document.lines,
                                header["commitment_number"])
        else:
            records.insert_invoice(db, company_id, number, header["project"], header["invoice_date"],
                                   header["due_date"], header["approval_status"], document.lines)
    lines = sum(len(document.lines) for document in plan)
    return {f"{kind.noun}s": len(plan), f"{kind.noun}_lines": lines}


def _bill_keys(db: Database, company_id: int) -> set[tuple[int | None, str]]:
    return {(vendor_id, number.casefold()) for vendor_id, number in records.bill_keys(db, company_id)}


def _invoice_keys(db: Database, company_id: int) -> set[tuple[int | None, str]]:
    return {(None, number.casefold()) for number in records.invoice_numbers(db, company_id)}


LINE_COLUMNS = ("cost_code", "cost_type", "amount")
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
KIND_SPECS = {"projects": PROJECTS, "vendors": VENDORS, "cost-codes": COST_CODES, "cost-types": COST_TYPES,
              "bills": BILLS, "invoices": INVOICES}


# --- the import -----------------------------------------------------------------------------------------------


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
