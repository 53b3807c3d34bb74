"""What a bill or an owner invoice becomes in QuickBooks Online, or what it waits for. No Flask, no database.

Mappings come through a lookup the caller gives (only usable mappings: confirmed and not stale), so a record
whose vendor, project or cost code has no usable mapping waits instead of failing.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from qbo.connection.realm_settings import RealmSettings
from qbo.mapping.store import COST_CODE, COST_TYPE, PROJECT_CLASS, PROJECT_CUSTOMER, PROJECT_JOB, VENDOR
from qbo.records.documents import Bill, DocumentLine, Invoice

DOC_NUMBER_LIMIT = 21  # QuickBooks Online's DocNumber length
BILL, INVOICE = "bill", "invoice"
ENTITY = {BILL: "Bill", INVOICE: "Invoice"}
INCOME_ITEM = "income_item"  # what an invoice waits for when the wizard has no income item


@dataclass(frozen=True)
class MappedRef:
    qbo_id: str
    name: str

    def as_ref(self) -> dict:
        return {"value": self.qbo_id, "name": self.name}


@dataclass(frozen=True)
class Waiting:
    """The record cannot go yet: this mapping is missing (or only suggested, or stale)."""

    kind: str
    inbuild_id: int
    message: str


Lookup = Callable[[str, int], MappedRef | None]  # (mapping kind, inBuild id) -> usable mapping


def marker(kind: str, company_id: int, record_id: int) -> str:
    """The tag in PrivateNote that finds this record in QuickBooks again when an outcome is unknown."""
    return f"[inBuild {kind} {company_id}-{record_id}]"


def body_version(body: dict) -> str:
    """A fingerprint of what is sent: an edit in inBuild (or a new mapping) changes it, and is sent as an update."""
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:20]


COMPUTED_LINES = {"SubTotalLineDetail"}  # lines QuickBooks adds to an invoice by itself


def holds_what_was_sent(sent: dict, held: object) -> bool:
    """Whether QuickBooks' copy still says everything that was sent: the fields sent, compared value by value.

    QuickBooks adds its own fields (Id, Balance, LinkedTxn, MetaData...) and renames references as their records
    are renamed, so only the fields sent are compared, references by value, amounts to the cent.
    """
    if isinstance(sent, dict):
        if not isinstance(held, dict):
            return False
        keys = ["value"] if "value" in sent and set(sent) <= {"value", "name"} else list(sent)
        return all(holds_what_was_sent(sent[key], held.get(key)) for key in keys)
    if isinstance(sent, list):
        if not isinstance(held, list):
            return False
        held = [h for h in held if not (isinstance(h, dict) and h.get("DetailType") in COMPUTED_LINES)]
        return len(held) == len(sent) and all(holds_what_was_sent(s, h) for s, h in zip(sent, held))
    if isinstance(sent, (int, float)) and not isinstance(sent, bool):
        return isinstance(held, (int, float)) and round(float(held) - float(sent), 2) == 0
    return sent == held


def bill_body(bill: Bill, settings: RealmSettings, lookup: Lookup) -> dict | Waiting:
    vendor = lookup(VENDOR, bill.vendor_id)
    if vendor is None:
        return Waiting(VENDOR, bill.vendor_id, f"vendor '{bill.vendor_name}' is not mapped")
    job = _project_ref(bill.project_id, bill.project_name, settings, lookup)
    if isinstance(job, Waiting):
        return job
    lines = _expense_lines(bill, settings, lookup, job)
    if isinstance(lines, Waiting):
        return lines
    body = {"VendorRef": vendor.as_ref(), "TxnDate": bill.bill_date.isoformat(), "Line": lines,
            "DocNumber": bill.number[:DOC_NUMBER_LIMIT],
            "PrivateNote": f"{marker(BILL, bill.company_id, bill.id)} inBuild bill {bill.number}"
                           f" for project {bill.project_number}"}
    if settings.ap_account_id:
        body["APAccountRef"] = {"value": settings.ap_account_id, "name": settings.ap_account_name or ""}
    if bill.due_date:
        body["DueDate"] = bill.due_date.isoformat()
    return body


def invoice_body(invoice: Invoice, settings: RealmSettings, lookup: Lookup) -> dict | Waiting:
    customer = _project_ref(invoice.project_id, invoice.project_name, settings, lookup)
    if isinstance(customer, Waiting):
        return customer
    if settings.posting_style != "item" or not settings.income_ref_id:
        return Waiting(INCOME_ITEM, 0, "invoices need an income item: choose posting to items and a default "
                                       "income item in the Setup Wizard")
    item = {"value": settings.income_ref_id, "name": settings.income_ref_name or ""}
    class_ref = _class_ref(invoice.project_id, settings, lookup)
    lines = [_sales_line(line, item, class_ref) for line in invoice.lines]
    body = {"CustomerRef": customer.as_ref(), "TxnDate": invoice.invoice_date.isoformat(), "Line": lines,
            "DocNumber": invoice.number[:DOC_NUMBER_LIMIT],
            "PrivateNote": f"{marker(INVOICE, invoice.company_id, invoice.id)} inBuild invoice {invoice.number}"
                           f" for project {invoice.project_number}"}
    if invoice.due_date:
        body["DueDate"] = invoice.due_date.isoformat()
    return body


def _project_ref(project_id: int, project_name: str, settings: RealmSettings, lookup: Lookup) -> MappedRef | Waiting:
    kind = PROJECT_CUSTOMER if settings.project_mapping == "customer" else PROJECT_JOB
    ref = lookup(kind, project_id)
    if ref is None:
        return Waiting(kind, project_id, f"project '{project_name}' is not mapped to a QuickBooks "
                                         f"{'customer' if kind == PROJECT_CUSTOMER else 'job'}")
    return ref


def _class_ref(project_id: int, settings: RealmSettings, lookup: Lookup) -> dict | None:
    if not settings.use_classes:
        return None
    mapped = lookup(PROJECT_CLASS, project_id)
    return mapped.as_ref() if mapped else None


def _line_key(line: DocumentLine, settings: RealmSettings) -> tuple[str, int, str, str]:
    if settings.line_granularity == "cost_type":
        return COST_TYPE, line.cost_type_id, "cost type", line.cost_type
    return COST_CODE, line.cost_code_id, "cost code", line.cost_code


def _expense_lines(bill: Bill, settings: RealmSettings, lookup: Lookup, job: MappedRef) -> list[dict] | Waiting:
    class_ref = _class_ref(bill.project_id, settings, lookup)
    lines = []
    for line in bill.lines:
        kind, inbuild_id, title, label = _line_key(line, settings)
        target = lookup(kind, inbuild_id)
        if target is None:
            return Waiting(kind, inbuild_id, f"{title} '{label}' is not mapped")
        lines.append(_expense_line(line, settings, target, job, class_ref))
    return lines


def _expense_line(line: DocumentLine, settings: RealmSettings, target: MappedRef, job: MappedRef,
                  class_ref: dict | None) -> dict:
    amount = _dollars(line.amount_cents)
    detail: dict = {"CustomerRef": job.as_ref(), "BillableStatus": "Billable"}
    if settings.posting_style == "item":
        detail_type = "ItemBasedExpenseLineDetail"
        detail.update(ItemRef=target.as_ref(), Qty=1, UnitPrice=amount)
    else:
        detail_type = "AccountBasedExpenseLineDetail"
        detail["AccountRef"] = target.as_ref()
    if class_ref:
        detail["ClassRef"] = class_ref
    return {"Amount": amount, "DetailType": detail_type, "Description": line.description, detail_type: detail}


def _sales_line(line: DocumentLine, item: dict, class_ref: dict | None) -> dict:
    amount = _dollars(line.amount_cents)
    detail: dict = {"ItemRef": item, "Qty": 1, "UnitPrice": amount}
    if class_ref:
        detail["ClassRef"] = class_ref
    return {"Amount": amount, "DetailType": "SalesItemLineDetail", "Description": line.description,
            "SalesItemLineDetail": detail}


def _dollars(cents: int) -> float:
    return round(cents / 100, 2)
