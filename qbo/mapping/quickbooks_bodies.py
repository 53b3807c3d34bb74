"""The QuickBooks API bodies for records created from the wizard ("Create in QuickBooks")."""
from __future__ import annotations

from sqlite_utils import Database

from qbo.mapping.reference_records import (
    EXPENSE_ACCOUNT_TYPES,
    INCOME_ACCOUNT_TYPES,
    find_by_name,
    list_records,
    record_from_api,
    upsert_record,
)
from qbo.mapping.store import (
    COST_CODE,
    COST_TYPE,
    CREATED,
    PROJECT_CLASS,
    PROJECT_CUSTOMER,
    PROJECT_JOB,
    VENDOR,
    mappings_for,
    save_mapping,
    usable_mapping,
)
from qbo.records import catalog as records
from qbo.storage.timeutil import utcnow

NAME_LIMIT = 100


class CannotCreate(ValueError):
    """The record cannot be created in QuickBooks yet; the message says what to do first."""


def quickbooks_name(text: str) -> str:
    """QuickBooks refuses colons in names (they separate parent and child) and long names."""
    return " ".join(text.replace(":", "-").split())[:NAME_LIMIT]


def name_source(kind: str, record, settings) -> str:
    """The inBuild text a new QuickBooks record is named after (before the QuickBooks name rules)."""
    if kind == VENDOR:
        return record.name
    if kind == PROJECT_CUSTOMER and settings is not None and settings.project_mapping == "both":
        return record.customer_name
    if kind in (PROJECT_CUSTOMER, PROJECT_JOB, PROJECT_CLASS):
        return record.name
    if kind == COST_CODE:
        return f"{record.code} {record.description}"
    return record.name


def body_for(db: Database, company_id: int, realm_id: str, kind: str, inbuild_id: int, settings, client) -> dict:
    if kind == VENDOR:
        return _vendor_body(_required(records.get_vendor(db, company_id, inbuild_id)))
    project = records.get_project(db, company_id, inbuild_id) if kind.startswith("project") else None
    if kind == PROJECT_CUSTOMER:
        project = _required(project)
        owner_mode = settings is not None and settings.project_mapping == "both"
        return _customer_body(project.customer_name if owner_mode else project.name, project.customer_email)
    if kind == PROJECT_JOB:
        project = _required(project)
        parent_id = _parent_customer_id(db, company_id, realm_id, project, client)
        return {"DisplayName": quickbooks_name(project.name), "ParentRef": {"value": parent_id}, "Job": True,
                "BillWithParent": True}
    if kind == PROJECT_CLASS:
        return {"Name": quickbooks_name(_required(project).name)}
    if kind == COST_CODE:
        code = _required(records.get_cost_code(db, company_id, inbuild_id))
        return _line_body(db, company_id, realm_id, settings, code.code, f"{code.code} {code.description}")
    if kind == COST_TYPE:
        cost_type = _required(records.get_cost_type(db, company_id, inbuild_id))
        return _line_body(db, company_id, realm_id, settings, cost_type.code, cost_type.name)
    raise CannotCreate(f"Unknown mapping kind {kind!r}.")


def _required(record):
    if record is None:
        raise CannotCreate("That inBuild record does not exist in this company.")
    return record


def _vendor_body(vendor) -> dict:
    body = {"DisplayName": quickbooks_name(vendor.name), "CompanyName": quickbooks_name(vendor.name)}
    if vendor.email:
        body["PrimaryEmailAddr"] = {"Address": vendor.email}
    if vendor.phone:
        body["PrimaryPhone"] = {"FreeFormNumber": vendor.phone}
    return body


def _customer_body(name: str, email: str) -> dict:
    if not name.strip():
        raise CannotCreate("The project has no customer name to create in QuickBooks.")
    body = {"DisplayName": quickbooks_name(name)}
    if email:
        body["PrimaryEmailAddr"] = {"Address": email}
    return body


def _parent_customer_id(db: Database, company_id: int, realm_id: str, project, client) -> str:
    """A job needs its owner as parent: the project's customer mapping, or the customer of that name."""
    mapped = usable_mapping(db, company_id, realm_id, PROJECT_CUSTOMER, project.id)
    if mapped is not None:
        return mapped.qbo_id
    existing = find_by_name(db, company_id, realm_id, "Customer", quickbooks_name(project.customer_name))
    if existing is not None:
        return existing.qbo_id
    created, _ = client.create_or_link("Customer", _customer_body(project.customer_name, project.customer_email))
    owner = record_from_api("Customer", created)
    now = utcnow()
    upsert_record(db, company_id, realm_id, owner, now)
    if not mappings_for(db, company_id, realm_id, PROJECT_CUSTOMER).get(project.id):
        save_mapping(db, company_id, realm_id, PROJECT_CUSTOMER, project.id, owner.qbo_id, owner.name, CREATED, now,
                     confidence=100)
    return owner.qbo_id


def _line_body(db: Database, company_id: int, realm_id: str, settings, code: str, name: str) -> dict:
    if settings is None or settings.posting_style != "item":
        return {"Name": quickbooks_name(name), "AccountType": "Cost of Goods Sold", "AcctNum": code[:20]}
    expense = list_records(db, company_id, realm_id, "Account", EXPENSE_ACCOUNT_TYPES)
    income = list_records(db, company_id, realm_id, "Account", INCOME_ACCOUNT_TYPES)
    if not expense or not income:
        raise CannotCreate("The QuickBooks company needs an income and an expense account to create items.")
    return {
        "Name": quickbooks_name(name), "Type": "Service", "Sku": code[:100],
        "IncomeAccountRef": {"value": income[0].qbo_id, "name": income[0].name},
        "ExpenseAccountRef": {"value": expense[0].qbo_id, "name": expense[0].name},
    }
