"""Resolving {"value": Id} references to list records, as QBO does on every write."""
from __future__ import annotations

import sqlite3
from typing import Callable

from .entities import get_referable
from .entity_faults import EntityFault, inactive_reference

# How QBO names each list in "Invalid Reference Id : <list> element id N not found".
_LIST_NAMES = {"Account": "Accounts", "Vendor": "Names", "Customer": "Names",
               "Employee": "Names", "Item": "Items", "Class": "Klasses"}


def display_name(record: dict) -> str:
    """What a reference to this record shows as its name."""
    return str(record.get("FullyQualifiedName") or record.get("DisplayName")
               or record.get("Name") or "")


def invalid_reference(target: str, value: str, element: str,
                      state: str = "not found") -> EntityFault:
    """2500: a reference to a record this company does not have."""
    return EntityFault("2500", "Invalid Reference Id",
                       f"Invalid Reference Id : {_LIST_NAMES.get(target, target)} element id"
                       f" {value} {state}", element)


def reference_value(ref: object) -> str:
    """The Id a reference names ("" when it names none)."""
    return str(ref.get("value") or "").strip() if isinstance(ref, dict) else ""


def resolve_ref(conn: sqlite3.Connection, realm_id: str, target: str, ref: object,
                element: str, inactive: Callable[[str, str, str], EntityFault]) -> dict:
    """The normalised reference {"value", "name"}; a fault if it names nothing usable."""
    value = reference_value(ref)
    found = get_referable(conn, realm_id, target, value) if value else None
    if found is None:
        raise invalid_reference(target, value, element)
    if found.get("Active") is False:
        raise inactive(target, value, element)
    return {"value": value, "name": display_name(found)}


def inactive_as_invalid(target: str, value: str, element: str) -> EntityFault:
    """List records refuse an inactive reference with 2500, like a missing one."""
    return invalid_reference(target, value, element, "is inactive")


def inactive_as_not_found(target: str, value: str, element: str) -> EntityFault:
    """Transactions refuse an inactive reference with 610 Object Not Found."""
    return inactive_reference()
