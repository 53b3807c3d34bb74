"""What a bill or invoice becomes in QuickBooks, or what it waits for: plain domain code, no app."""
from __future__ import annotations

from datetime import date

from qbo.connection.realm_settings import RealmSettings
from qbo.mapping.store import COST_CODE, COST_TYPE, PROJECT_CLASS, PROJECT_CUSTOMER, PROJECT_JOB, VENDOR
from qbo.records.documents import ApprovalStatus, Bill, DocumentLine, Invoice
from qbo.sync.bodies import MappedRef, Waiting, bill_body, body_version, invoice_body, marker

LINE = DocumentLine(1, 7, "16-100", 3, "S", "Rough-in electrical", 12_500_00)
BILL = Bill(11, 1, "INV-881-" + "X" * 30, 4, "Summit Electric, LLC", 2, "P-2001", "Evergreen Fire Station",
            "SC-2001-01", date(2026, 10, 1), date(2026, 10, 31), ApprovalStatus.APPROVED, 12_500_00, (LINE,))
INVOICE = Invoice(12, 1, "P-2001-PA01", 2, "P-2001", "Evergreen Fire Station", date(2026, 10, 5), None,
                  ApprovalStatus.APPROVED, 12_500_00, (LINE,))


def settings(**changes) -> RealmSettings:
    base = dict(company_id=1, realm_id="r1", sync_bills=True, sync_invoices=True, sync_start_date=date(2026, 1, 1),
                setup_complete=True, sync_enabled=True, ap_account_id="33", ap_account_name="Accounts Payable",
                income_ref_id="9", income_ref_name="Progress billing")
    return RealmSettings(**{**base, **changes})


def lookup_of(mapped: dict):
    return lambda kind, inbuild_id: mapped.get((kind, inbuild_id))


ALL = {(VENDOR, 4): MappedRef("56", "Summit Electric"), (PROJECT_CUSTOMER, 2): MappedRef("58", "Evergreen"),
       (PROJECT_JOB, 2): MappedRef("59", "Evergreen:Fire Station"), (COST_CODE, 7): MappedRef("80", "Electrical"),
       (COST_TYPE, 3): MappedRef("81", "Subcontract"), (PROJECT_CLASS, 2): MappedRef("5", "Fire stations")}


def test_an_account_based_bill_with_job_costing():
    body = bill_body(BILL, settings(), lookup_of(ALL))
    line = body["Line"][0]
    assert body["VendorRef"] == {"value": "56", "name": "Summit Electric"}
    assert body["APAccountRef"]["value"] == "33" and body["TxnDate"] == "2026-10-01" and body["DueDate"] == "2026-10-31"
    assert len(body["DocNumber"]) == 21 and body["DocNumber"] == BILL.number[:21]
    assert marker("bill", 1, 11) in body["PrivateNote"] and BILL.number in body["PrivateNote"]
    assert line["Amount"] == 12500.0 and line["DetailType"] == "AccountBasedExpenseLineDetail"
    detail = line["AccountBasedExpenseLineDetail"]
    assert detail["AccountRef"]["value"] == "80" and detail["CustomerRef"]["value"] == "58"
    assert detail["BillableStatus"] == "Billable" and "ClassRef" not in detail


def test_item_based_lines_by_cost_type_on_the_job_with_classes():
    body = bill_body(BILL, settings(posting_style="item", line_granularity="cost_type", project_mapping="job",
                                    use_classes=True), lookup_of(ALL))
    detail = body["Line"][0]["ItemBasedExpenseLineDetail"]
    assert detail["ItemRef"]["value"] == "81" and detail["CustomerRef"]["value"] == "59"
    assert detail["ClassRef"]["value"] == "5" and detail["Qty"] == 1 and detail["UnitPrice"] == 12500.0


def test_each_missing_mapping_is_named_in_order():
    missing_vendor = {k: v for k, v in ALL.items() if k != (VENDOR, 4)}
    assert bill_body(BILL, settings(), lookup_of(missing_vendor)) == Waiting(
        VENDOR, 4, "vendor 'Summit Electric, LLC' is not mapped")
    missing_code = {k: v for k, v in ALL.items() if k != (COST_CODE, 7)}
    assert bill_body(BILL, settings(), lookup_of(missing_code)) == Waiting(COST_CODE, 7, "cost code '16-100' is not mapped")
    missing_job = {k: v for k, v in ALL.items() if k != (PROJECT_JOB, 2)}
    waiting = bill_body(BILL, settings(project_mapping="both"), lookup_of(missing_job))
    assert waiting.kind == PROJECT_JOB and "Evergreen Fire Station" in waiting.message


def test_an_invoice_is_sales_lines_on_the_income_item_and_waits_without_one():
    body = invoice_body(INVOICE, settings(posting_style="item"), lookup_of(ALL))
    line = body["Line"][0]
    assert body["CustomerRef"]["value"] == "58" and body["DocNumber"] == "P-2001-PA01" and "DueDate" not in body
    assert line["DetailType"] == "SalesItemLineDetail" and line["SalesItemLineDetail"]["ItemRef"]["value"] == "9"
    assert isinstance(invoice_body(INVOICE, settings(posting_style="account"), lookup_of(ALL)), Waiting)


def test_the_version_changes_with_what_is_sent_and_only_then():
    first = bill_body(BILL, settings(), lookup_of(ALL))
    assert body_version(first) == body_version(bill_body(BILL, settings(), lookup_of(ALL)))
    edited = Bill(**{**BILL.__dict__, "lines": (DocumentLine(**{**LINE.__dict__, "amount_cents": 1}),)})
    assert body_version(first) != body_version(bill_body(edited, settings(), lookup_of(ALL)))
