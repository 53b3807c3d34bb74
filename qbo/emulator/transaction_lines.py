"""Bill and Invoice lines: the detail types QBO accepts, their references, amounts and Ids."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from .entity_faults import (
    business_error, invalid_enumeration, invalid_property, required_missing, string_too_long,
)
from .references import inactive_as_not_found, resolve_ref

BILLABLE_STATUSES = ("Billable", "NotBillable", "HasBeenBilled")
MAX_DESCRIPTION = 4000
SUBTOTAL = "SubTotalLineDetail"
NO_TAX = {"value": "NON"}  # US companies: purchases and untaxed sales carry the NON tax code


@dataclass(frozen=True)
class LineKind:
    detail_key: str
    refs: dict[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    billable: bool = False
    priced: bool = False
    counts: bool = True  # whether Amount adds up into TotalAmt


_EXPENSE_REFS = {"CustomerRef": "Customer", "ClassRef": "Class"}
LINE_KINDS: dict[str, dict[str, LineKind]] = {
    "Bill": {
        "AccountBasedExpenseLineDetail": LineKind(
            "AccountBasedExpenseLineDetail", {"AccountRef": "Account", **_EXPENSE_REFS},
            ("AccountRef",), billable=True),
        "ItemBasedExpenseLineDetail": LineKind(
            "ItemBasedExpenseLineDetail", {"ItemRef": "Item", **_EXPENSE_REFS},
            ("ItemRef",), billable=True, priced=True),
    },
    "Invoice": {
        "SalesItemLineDetail": LineKind(
            "SalesItemLineDetail", {"ItemRef": "Item", "ClassRef": "Class"}, ("ItemRef",),
            priced=True),
        "DescriptionOnly": LineKind("DescriptionLineDetail", counts=False),
    },
}


def number(value: object, name: str) -> float:
    """A decimal QBO field as a float; 2010 if it is not a number."""
    if isinstance(value, bool):
        raise invalid_property(name, value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise invalid_property(name, value) from None


def _plain(value: float) -> float | int:
    """Whole quantities and prices come back as integers (QBO writes "Qty": 8, not 8.0)."""
    return int(value) if value.is_integer() else value


def _cleaned(data: dict) -> dict:
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def _amount(line: dict, detail: dict, kind: LineKind) -> float | None:
    if line.get("Amount") not in (None, ""):
        return round(number(line["Amount"], "Line.Amount"), 2)
    if kind.priced and "Qty" in detail and "UnitPrice" in detail:
        return round(detail["Qty"] * detail["UnitPrice"], 2)
    if kind.counts:
        raise required_missing("Amount")
    return None


def _detail(conn: sqlite3.Connection, realm_id: str, line: dict, kind: LineKind) -> dict:
    raw = line.get(kind.detail_key)
    if raw is None and kind.required:
        raise required_missing(kind.detail_key)
    if raw is not None and not isinstance(raw, dict):
        raise invalid_property(kind.detail_key)
    detail = _cleaned(raw or {})
    for name in kind.required:
        if detail.get(name) is None:
            raise required_missing(name)
    for name, target in kind.refs.items():
        if name in detail:
            detail[name] = resolve_ref(conn, realm_id, target, detail[name],
                                       f"Line.{kind.detail_key}.{name}", inactive_as_not_found)
    for name in ("Qty", "UnitPrice"):
        if name in detail:
            detail[name] = _plain(number(detail[name], f"Line.{kind.detail_key}.{name}"))
    if kind.billable:
        status = detail.get("BillableStatus", "NotBillable")
        if status not in BILLABLE_STATUSES:
            raise invalid_enumeration(status, "BillableStatus")
        detail["BillableStatus"] = status
    if kind.required:
        detail.setdefault("TaxCodeRef", NO_TAX)
    return detail


def _prepare_line(conn: sqlite3.Connection, realm_id: str, kinds: dict[str, LineKind],
                  line: object) -> dict:
    if not isinstance(line, dict):
        raise invalid_property("Line")
    detail_type = line.get("DetailType")
    if not detail_type:
        raise required_missing("DetailType")
    if detail_type not in kinds:
        raise invalid_property("Line.DetailType", detail_type)
    kind = kinds[detail_type]
    description = str(line.get("Description") or "")
    if len(description) > MAX_DESCRIPTION:
        raise string_too_long("Description", len(description), MAX_DESCRIPTION)
    detail = _detail(conn, realm_id, line, kind)
    prepared = {key: value for key, value in _cleaned(line).items()
                if key not in ("Id", "LineNum", "Amount", kind.detail_key)}
    amount = _amount(line, detail, kind)
    if amount is not None:
        prepared["Amount"] = amount
    prepared[kind.detail_key] = detail
    prepared["Id"] = line.get("Id")
    return prepared


def prepare_lines(conn: sqlite3.Connection, realm_id: str, entity: str, lines: object,
                  previous: list[dict]) -> list[dict]:
    """Validated lines with resolved references and Ids; the server's subtotal line left out."""
    if lines is None:
        lines = []
    if not isinstance(lines, list):
        raise invalid_property("Line")
    wanted = [line for line in lines
              if not (isinstance(line, dict) and line.get("DetailType") == SUBTOTAL)]
    if not wanted:
        raise business_error("You must fill out at least one split line.", "Line")
    prepared = [_prepare_line(conn, realm_id, LINE_KINDS[entity], line) for line in wanted]
    return _numbered(prepared, previous)


def _numbered(lines: list[dict], previous: list[dict]) -> list[dict]:
    """Keep the Id of a line that names an existing one (a line update); number the rest."""
    known = {str(line.get("Id")) for line in previous if line.get("Id")}
    kept = {str(line["Id"]) for line in lines if str(line.get("Id")) in known}
    top = max((int(i) for i in known | kept if i.isdigit()), default=0)
    numbered = []
    for position, line in enumerate(lines, start=1):
        line_id = str(line["Id"]) if str(line.get("Id")) in kept else None
        if line_id is None:
            top += 1
            line_id = str(top)
        kept.discard(line_id)  # a repeated Id in one request counts once
        numbered.append({"Id": line_id, "LineNum": position,
                         **{k: v for k, v in line.items() if k != "Id"}})
    return numbered


def lines_total(entity: str, lines: list[dict]) -> float:
    """TotalAmt: the sum of the amounts of lines that count."""
    kinds = LINE_KINDS[entity]
    return round(sum(line.get("Amount", 0) for line in lines
                     if kinds[line["DetailType"]].counts), 2)


def check_amounts(entity: str, lines: list[dict], total: float) -> None:
    """6000 for amounts QBO refuses: a negative bill line, a negative total."""
    if entity == "Bill" and any(line.get("Amount", 0) < 0 for line in lines):
        raise business_error("Bill line amounts can't be negative.", "Line.Amount")
    if total < 0:
        raise business_error("Transaction amount must be greater than or equal to zero.",
                             "TotalAmt")


def with_subtotal(lines: list[dict], total: float) -> list[dict]:
    """Invoice lines as QBO returns them: the sales lines, then one SubTotalLineDetail."""
    return [*lines, {"Amount": total, "DetailType": SUBTOTAL, SUBTOTAL: {}}]


def own_lines(lines: list[dict]) -> list[dict]:
    """Stored lines without the server-added subtotal."""
    return [line for line in lines if line.get("DetailType") != SUBTOTAL]

