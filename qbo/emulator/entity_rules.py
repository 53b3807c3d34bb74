"""What QBO checks and computes when a list entity is written: names, references, hierarchy."""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

from .entities import get_entity, list_entities
from .entity_faults import EntityFault, business_error, invalid_enumeration, required_missing
from .references import inactive_as_invalid, resolve_ref

NAME_LISTS = ("Customer", "Vendor", "Employee")
USD = {"value": "USD", "name": "United States Dollar"}
MAX_CUSTOMER_LEVEL = 4
ITEM_TYPES = ("Service", "NonInventory", "Inventory", "Category")
ACCOUNT_CLASSIFICATIONS = {
    "Bank": "Asset", "Other Current Asset": "Asset", "Fixed Asset": "Asset",
    "Other Asset": "Asset", "Accounts Receivable": "Asset", "Equity": "Equity",
    "Expense": "Expense", "Other Expense": "Expense", "Cost of Goods Sold": "Expense",
    "Accounts Payable": "Liability", "Credit Card": "Liability",
    "Long Term Liability": "Liability", "Other Current Liability": "Liability",
    "Income": "Revenue", "Other Income": "Revenue",
}
DEFAULT_SUB_TYPES = {
    "Expense": "OtherMiscellaneousServiceCost", "Cost of Goods Sold": "SuppliesMaterialsCogs",
    "Income": "ServiceFeeIncome", "Accounts Payable": "AccountsPayable", "Bank": "Checking",
}
_DUPLICATE_OWNERS = {"Customer": "customer, vendor or employee",
                     "Vendor": "customer, vendor or employee",
                     "Item": "product or service", "Account": "account", "Class": "class"}
_PERSON_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")


@dataclass(frozen=True)
class Spec:
    name_field: str
    name_scope: tuple[str, ...]
    required: tuple[str, ...] = ()
    refs: dict[str, str] = field(default_factory=dict)
    defaults: dict = field(default_factory=dict)


SPECS: dict[str, Spec] = {
    "Vendor": Spec("DisplayName", NAME_LISTS, refs={"APAccountRef": "Account"},
                   defaults={"Balance": 0, "Vendor1099": False, "CurrencyRef": USD}),
    "Customer": Spec("DisplayName", NAME_LISTS,
                     refs={"ParentRef": "Customer", "ARAccountRef": "Account"},
                     defaults={"Balance": 0, "BalanceWithJobs": 0, "BillWithParent": False,
                               "IsProject": False, "PreferredDeliveryMethod": "Print",
                               "CurrencyRef": USD}),
    "Item": Spec("Name", ("Item",), ("Name", "Type"),
                 {"IncomeAccountRef": "Account", "ExpenseAccountRef": "Account",
                  "AssetAccountRef": "Account"},
                 {"UnitPrice": 0, "PurchaseCost": 0, "Taxable": False}),
    "Account": Spec("Name", ("Account",), ("Name", "AccountType"),
                    defaults={"SubAccount": False, "CurrentBalance": 0,
                              "CurrentBalanceWithSubAccounts": 0, "CurrencyRef": USD}),
    "Class": Spec("Name", ("Class",), ("Name",), defaults={"SubClass": False}),
}
WRITE_ONLY_ONCE = ("Balance", "BalanceWithJobs", "CurrentBalance", "CurrentBalanceWithSubAccounts",
                   "CurrencyRef")


def prepare(conn: sqlite3.Connection, realm_id: str, entity: str, record: dict,
            own_id: str | None) -> dict:
    """Validate a record about to be written and fill in what the server computes."""
    spec = SPECS[entity]
    record = {**spec.defaults, **record}
    record.setdefault("Active", True)
    _check_name(entity, record, spec)
    for name in spec.required:
        if record.get(name) in (None, ""):
            raise required_missing(name)
    _resolve_refs(conn, realm_id, record, spec)
    _COMPUTE[entity](conn, realm_id, record, own_id)
    _check_unique(conn, realm_id, entity, record, spec, own_id)
    return record


def _check_name(entity: str, record: dict, spec: Spec) -> None:
    name = str(record.get(spec.name_field) or "").strip()
    if not name and spec.name_field == "DisplayName":
        # QBO builds a missing DisplayName from the person's name parts.
        name = " ".join(str(record[p]).strip() for p in _PERSON_PARTS if record.get(p))
    if not name:
        raise required_missing(spec.name_field)
    if ":" in name:
        raise business_error(f"The {spec.name_field} can't contain a colon (:).", spec.name_field)
    record[spec.name_field] = name
    if entity in NAME_LISTS:
        record.setdefault("PrintOnCheckName", name)


def _resolve_refs(conn: sqlite3.Connection, realm_id: str, record: dict, spec: Spec) -> None:
    for name, target in spec.refs.items():
        if record.get(name) is not None:
            record[name] = resolve_ref(conn, realm_id, target, record[name], name,
                                       inactive_as_invalid)


def _compute_customer(conn: sqlite3.Connection, realm_id: str, record: dict,
                      own_id: str | None) -> None:
    parent_ref = record.get("ParentRef")
    if parent_ref is None:
        if record.get("Job") is True:
            raise required_missing("ParentRef")
        record.update(Job=False, Level=0, FullyQualifiedName=record["DisplayName"])
        return
    parent = get_entity(conn, realm_id, "Customer", parent_ref["value"])
    if own_id is not None and own_id in _ancestor_ids(conn, realm_id, parent):
        raise business_error("A customer can't be its own parent or sub-customer.", "ParentRef")
    if parent.get("Level", 0) >= MAX_CUSTOMER_LEVEL:
        raise business_error("Sub-customers can only be nested 4 levels deep.", "ParentRef")
    record.setdefault("Job", True)
    record.update(Level=parent.get("Level", 0) + 1,
                  FullyQualifiedName=f"{parent['FullyQualifiedName']}:{record['DisplayName']}")


def _ancestor_ids(conn: sqlite3.Connection, realm_id: str, customer: dict | None) -> list[str]:
    ids = []
    while customer is not None and customer["Id"] not in ids:
        ids.append(customer["Id"])
        parent = customer.get("ParentRef")
        customer = get_entity(conn, realm_id, "Customer", parent["value"]) if parent else None
    return ids


def _compute_vendor(conn: sqlite3.Connection, realm_id: str, record: dict,
                    own_id: str | None) -> None:
    tax_id = str(record.get("TaxIdentifier") or "")
    if tax_id and "X" not in tax_id:
        digits = re.sub(r"\D", "", tax_id)  # QBO only ever returns the last four digits
        record["TaxIdentifier"] = "X" * max(len(digits) - 4, 0) + digits[-4:]


def _compute_item(conn: sqlite3.Connection, realm_id: str, record: dict,
                  own_id: str | None) -> None:
    item_type = record["Type"]
    if item_type not in ITEM_TYPES:
        raise invalid_enumeration(item_type, "Type")
    if item_type in ("Service", "NonInventory") and not (
            record.get("IncomeAccountRef") or record.get("ExpenseAccountRef")):
        raise required_missing("IncomeAccountRef")
    if item_type == "Inventory":
        for name in ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef", "QtyOnHand",
                     "InvStartDate"):
            if record.get(name) in (None, ""):
                raise required_missing(name)
    record.update(FullyQualifiedName=record["Name"], TrackQtyOnHand=item_type == "Inventory")


def _compute_account(conn: sqlite3.Connection, realm_id: str, record: dict,
                     own_id: str | None) -> None:
    account_type = record["AccountType"]
    if account_type not in ACCOUNT_CLASSIFICATIONS:
        raise invalid_enumeration(account_type, "AccountType")
    record.setdefault("AccountSubType", DEFAULT_SUB_TYPES.get(account_type, ""))
    record.update(Classification=ACCOUNT_CLASSIFICATIONS[account_type],
                  FullyQualifiedName=record["Name"])
    number = record.get("AcctNum")
    if number and any(other.get("AcctNum") == number and other["Id"] != own_id
                      for other in list_entities(conn, realm_id, "Account")):
        raise business_error("Another account is already using this number.", "AcctNum")


def _compute_class(conn: sqlite3.Connection, realm_id: str, record: dict,
                   own_id: str | None) -> None:
    record["FullyQualifiedName"] = record["Name"]


_COMPUTE = {"Customer": _compute_customer, "Vendor": _compute_vendor, "Item": _compute_item,
            "Account": _compute_account, "Class": _compute_class}


def _check_unique(conn: sqlite3.Connection, realm_id: str, entity: str, record: dict,
                  spec: Spec, own_id: str | None) -> None:
    wanted = record[spec.name_field].casefold()
    for other_entity in spec.name_scope:
        for other in list_entities(conn, realm_id, other_entity):
            same = other_entity == entity and other["Id"] == own_id
            if not same and str(other.get(spec.name_field, "")).strip().casefold() == wanted:
                raise EntityFault("6240", "Duplicate Name Exists Error",
                                  "The name supplied already exists. : Another"
                                  f" {_DUPLICATE_OWNERS[entity]} is already using this name."
                                  " Please use a different name.", spec.name_field)


def child_customers(conn: sqlite3.Connection, realm_id: str, parent_id: str) -> list[dict]:
    """The direct sub-customers of a customer."""
    return [customer for customer in list_entities(conn, realm_id, "Customer")
            if (customer.get("ParentRef") or {}).get("value") == parent_id]
