"""The faults QBO gives for bad bills and invoices; a refused write changes nothing."""
from __future__ import annotations

import pytest

from tests.emulator.entity_helpers import fault_of, post
from tests.emulator.transaction_helpers import (
    Books, account_line, bill_body, invoice_body, item_line, ref, sales_line, stored,
)

INACTIVE_DETAIL = ("Object Not Found : Something you're trying to use has been made inactive."
                   " Check the fields with accounts, customers, items, vendors or employees.")


def good_bill(seeded: Books, *lines: dict, vendor: str = "ABC Concrete Co.", **fields) -> dict:
    lines = lines or (account_line(seeded.id("Account", "Job Materials"), 250),)
    return bill_body(seeded.id("Vendor", vendor), *lines, **fields)


def good_invoice(seeded: Books, *lines: dict, customer: str = "CVS Health", **fields) -> dict:
    lines = lines or (sales_line(seeded.id("Item", "Electrical"), 900),)
    return invoice_body(seeded.id("Customer", customer), *lines, **fields)


def refused(emulator, token: str, resource: str, body: object, **params: str) -> dict:
    """The single Error of a refused write, after checking nothing was stored."""
    entity = resource.capitalize()
    before = stored(emulator, entity)["count"]
    error = fault_of(post(emulator, token, resource, body, **params))
    assert stored(emulator, entity)["count"] == before
    return error


def test_a_missing_vendor_is_2500_names(emulator, token, seeded):
    error = refused(emulator, token, "bill", good_bill(seeded, VendorRef=ref("9999")))
    assert (error["code"], error["Message"]) == ("2500", "Invalid Reference Id")
    assert error["Detail"] == "Invalid Reference Id : Names element id 9999 not found"


@pytest.mark.parametrize("line, list_name", [
    ("account:9999", "Accounts"), ("item:9999", "Items"), ("class:9999", "Klasses"),
    ("customer:9999", "Names"),
])
def test_missing_references_inside_lines_are_2500(emulator, token, seeded, line, list_name):
    kind, value = line.split(":")
    detail = {"class": {"ClassRef": ref(value)}, "customer": {"CustomerRef": ref(value)}}
    if kind == "account":
        body = good_bill(seeded, account_line(value, 10))
    elif kind == "item":
        body = good_bill(seeded, item_line(value, 10))
    else:
        body = good_bill(seeded, account_line(seeded.id("Account", "Labor"), 10, **detail[kind]))
    error = refused(emulator, token, "bill", body)
    assert error["code"] == "2500" and list_name in error["Detail"]


@pytest.mark.parametrize("resource, field, list_name", [
    ("bill", "APAccountRef", "Accounts"), ("invoice", "CustomerRef", "Names"),
    ("invoice", "ClassRef", "Klasses"),
])
def test_missing_header_references_are_2500(emulator, token, seeded, resource, field, list_name):
    body = (good_bill if resource == "bill" else good_invoice)(seeded, **{field: ref("4242")})
    error = refused(emulator, token, resource, body)
    assert (error["code"], error["element"]) == ("2500", field)
    assert error["Detail"] == f"Invalid Reference Id : {list_name} element id 4242 not found"


def test_a_vendor_that_is_a_customer_is_not_a_vendor(emulator, token, seeded):
    body = good_bill(seeded, VendorRef=ref(seeded.id("Customer", "CVS Health")))
    assert refused(emulator, token, "bill", body)["code"] == "2500"


@pytest.mark.parametrize("resource, change", [
    ("bill", {"VendorRef": "Vendor:Wissahickon Landscaping"}),
    ("bill", {"line": "Account:Bonding Costs"}),
    ("bill", {"line": "Item:Demolition"}),
    ("bill", {"line": "Customer:Liberty Property Trust"}),
    ("invoice", {"CustomerRef": "Customer:Liberty Property Trust"}),
    ("invoice", {"line": "Item:Demolition"}),
])
def test_inactive_references_are_610(emulator, token, seeded, resource, change):
    (field, target), = change.items()
    entity, name = target.split(":")
    inactive = seeded.id(entity, name)
    if field != "line":
        body = (good_bill if resource == "bill" else good_invoice)(seeded, **{field: ref(inactive)})
    elif entity == "Account":
        body = good_bill(seeded, account_line(inactive, 10))
    elif entity == "Customer":
        body = good_bill(seeded, account_line(seeded.id("Account", "Labor"), 10,
                                              CustomerRef=ref(inactive)))
    elif resource == "bill":
        body = good_bill(seeded, item_line(inactive, 10))
    else:
        body = good_invoice(seeded, sales_line(inactive, 10))
    error = refused(emulator, token, resource, body)
    assert (error["code"], error["Message"], error["Detail"]) == ("610", "Object Not Found",
                                                                 INACTIVE_DETAIL)


def test_an_ap_account_must_be_accounts_payable(emulator, token, seeded):
    body = good_bill(seeded, APAccountRef=ref(seeded.id("Account", "Checking")))
    assert refused(emulator, token, "bill", body)["code"] == "6430"


@pytest.mark.parametrize("resource, body, code, element", [
    ("bill", {"Line": []}, "2020", "VendorRef"),
    ("invoice", {"Line": []}, "2020", "CustomerRef"),
    ("bill", {"VendorRef": {"value": "{vendor}"}}, "6000", "Line"),
    ("bill", {"VendorRef": {"value": "{vendor}"}, "Line": []}, "6000", "Line"),
    ("bill", {"VendorRef": {"value": "{vendor}"}, "Line": [{"Amount": 5}]}, "2020", "DetailType"),
    ("bill", {"VendorRef": {"value": "{vendor}"}, "Line": [
        {"Amount": 5, "DetailType": "AccountBasedExpenseLineDetail",
         "AccountBasedExpenseLineDetail": {}}]}, "2020", "AccountRef"),
    ("bill", {"VendorRef": {"value": "{vendor}"}, "Line": [
        {"Amount": 5, "DetailType": "SalesItemLineDetail",
         "SalesItemLineDetail": {"ItemRef": {"value": "24"}}}]}, "2010", "Line.DetailType"),
    ("bill", [], "2010", "Bill"),
])
def test_shape_faults(emulator, token, seeded, resource, body, code, element):
    vendor = seeded.id("Vendor", "ABC Concrete Co.")
    if isinstance(body, dict) and "VendorRef" in body:
        body = {**body, "VendorRef": ref(vendor)}
    error = refused(emulator, token, resource, body)
    assert (error["code"], error["element"]) == (code, element)


def test_a_bill_without_lines_says_so_in_intuits_words(emulator, token, seeded):
    error = refused(emulator, token, "bill", bill_body(seeded.id("Vendor", "Sunbelt Rentals")))
    assert error["Message"] == ("A business validation error has occurred while processing"
                                " your request")
    assert error["Detail"] == ("Business Validation Error: You must fill out at least one"
                               " split line.")


@pytest.mark.parametrize("resource, lines", [
    ("bill", "account:-25"), ("bill", "item:-1"), ("invoice", "sales:-900"),
])
def test_negative_amounts_are_6000(emulator, token, seeded, resource, lines):
    kind, amount = lines.split(":")
    if kind == "account":
        body = good_bill(seeded, account_line(seeded.id("Account", "Labor"), 100),
                         account_line(seeded.id("Account", "Labor"), float(amount)))
    elif kind == "item":
        body = good_bill(seeded, item_line(seeded.id("Item", "Concrete"), float(amount)))
    else:
        body = good_invoice(seeded, sales_line(seeded.id("Item", "Electrical"), float(amount)))
    assert refused(emulator, token, resource, body)["code"] == "6000"


def test_a_negative_invoice_line_is_fine_while_the_total_is_not(emulator, token, seeded):
    item = seeded.id("Item", "Electrical")
    body = good_invoice(seeded, sales_line(item, 900), sales_line(item, -100))
    assert post(emulator, token, "invoice", body).json()["Invoice"]["TotalAmt"] == 800.0


@pytest.mark.parametrize("resource, fields, code, element", [
    ("bill", {"TxnDate": "2026-02-30"}, "2010", "TxnDate"),
    ("bill", {"DueDate": "next week"}, "2010", "DueDate"),
    ("bill", {"DocNumber": "X" * 22}, "2050", "DocNumber"),
    ("invoice", {"PrivateNote": "n" * 4001}, "2050", "PrivateNote"),
    ("invoice", {"EmailStatus": "Sometimes"}, "2170", "EmailStatus"),
])
def test_field_faults(emulator, token, seeded, resource, fields, code, element):
    body = (good_bill if resource == "bill" else good_invoice)(seeded, **fields)
    error = refused(emulator, token, resource, body)
    assert (error["code"], error["element"]) == (code, element)


def test_string_length_fault_reads_like_intuits(emulator, token, seeded):
    error = refused(emulator, token, "bill", good_bill(seeded, DocNumber="D" * 25))
    assert error["Message"] == ("String length is either shorter or longer than supported by"
                                " specification")
    assert error["Detail"] == ("String length specified does not match the supported length."
                               " Min:0 Max:21 supported. Supplied length:25")


@pytest.mark.parametrize("detail, code", [
    ({"BillableStatus": "Maybe"}, "2170"), ({"Qty": "two", "UnitPrice": 3}, "2010"),
])
def test_line_detail_faults(emulator, token, seeded, detail, code):
    body = good_bill(seeded, item_line(seeded.id("Item", "Concrete"), 10, **detail))
    assert refused(emulator, token, "bill", body)["code"] == code


def test_a_non_numeric_amount_is_2010(emulator, token, seeded):
    body = good_bill(seeded, account_line(seeded.id("Account", "Labor"), "lots"))
    assert refused(emulator, token, "bill", body)["code"] == "2010"


def test_a_refused_update_changes_nothing(emulator, token, seeded):
    bill = post(emulator, token, "bill", good_bill(seeded)).json()["Bill"]
    change = {"Id": bill["Id"], "SyncToken": "0", "sparse": True,
              "Line": [account_line(seeded.id("Account", "Bonding Costs"), 10)]}
    assert fault_of(post(emulator, token, "bill", change))["code"] == "610"
    assert emulator.api(f"bill/{bill['Id']}", token).json()["Bill"] == bill
