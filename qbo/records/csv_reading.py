"""Reading CSV files for import: decoding, the header, the rows, and the value of each cell.

Plain Python (no Flask). Errors name the row as a spreadsheet shows it: the header is row 1.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@")
FORMULA_MESSAGE = "cell starts with '=', '+', '-', '@' — formulas are not accepted"
_AMOUNT = re.compile(r"(-?)\$?(-?)(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


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


# --- parsing cells ----------------------------------------------------------------------------------------------


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


def _is_amount(text: str) -> bool:
    try:
        parse_cents(text)
    except ValueError:
        return False
    return True


def looks_like_formula(text: str, amounts_allowed: bool) -> bool:
    """A cell a spreadsheet would evaluate; where amounts are allowed, a negative amount is not one."""
    return text.startswith(FORMULA_STARTS) and not (amounts_allowed and _is_amount(text))


# --- checked cells: the value, or an error noted for the row ------------------------------------------------------


def checked_choice(row: Row, column: str, allowed: tuple[str, ...], default: str, errors: list[str]) -> str:
    value = row[column].lower() or default
    if value not in allowed:
        errors.append(f"row {row.number}: {column} '{row[column]}' is not one of {', '.join(allowed)}")
    return value


def checked_email(row: Row, column: str, errors: list[str]) -> str:
    if row[column] and "@" not in row[column]:
        errors.append(f"row {row.number}: {column} '{row[column]}' is not an e-mail address")
    return row[column]


def checked_day(row: Row, column: str, errors: list[str]) -> date | None:
    if not row[column]:
        return None
    try:
        return parse_day(row[column])
    except ValueError:
        errors.append(f"row {row.number}: {column} '{row[column]}' is not a date (use YYYY-MM-DD or MM/DD/YYYY)")
        return None


def checked_amount(row: Row, errors: list[str]) -> int:
    try:
        return parse_cents(row["amount"])
    except ValueError as problem:
        errors.append(f"row {row.number}: amount '{row['amount']}' {problem}")
        return 0
