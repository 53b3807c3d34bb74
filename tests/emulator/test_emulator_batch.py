"""POST /batch: independent items, per-item faults, the 30-item limit, requestid replay."""
from __future__ import annotations

import pytest

from tests.emulator.entity_helpers import fault_of, post
from tests.emulator.transaction_helpers import (
    Books, account_line, batch, bill_body, invoice_body, ref, sales_line, stored,
)


def rental_bill(seeded: Books, number: str, vendor: str = "Sunbelt Rentals") -> dict:
    return bill_body(seeded.id("Vendor", vendor),
                     account_line(seeded.id("Account", "Equipment Rental"), 480), DocNumber=number)


def results(response) -> dict[str, dict]:
    """BatchItemResponse entries by bId, after checking the envelope."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["time"]
    return {item["bId"]: item for item in body["BatchItemResponse"]}


def test_items_succeed_or_fault_on_their_own(emulator, token, seeded):
    existing = post(emulator, token, "bill", rental_bill(seeded, "R-1")).json()["Bill"]
    invoice = post(emulator, token, "invoice", invoice_body(
        seeded.id("Customer", "Main Line Health"), sales_line(seeded.id("Item", "HVAC"), 5000),
    )).json()["Invoice"]
    answer = results(batch(emulator, token, [
        {"bId": "1", "operation": "create", "Bill": rental_bill(seeded, "R-2")},
        {"bId": "2", "operation": "create",
         "Bill": {**rental_bill(seeded, "R-3"), "VendorRef": ref("9999")}},
        {"bId": "3", "operation": "update",
         "Bill": {"Id": existing["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "ok"}},
        {"bId": "4", "Query": "select * from Bill where DocNumber = 'R-1'"},
        {"bId": "5", "operation": "update", "optionsData": "void",
         "Invoice": {"Id": invoice["Id"], "SyncToken": "0"}},
        {"bId": "6", "operation": "delete", "Bill": {"Id": existing["Id"], "SyncToken": "0"}},
    ]))
    assert list(answer) == ["1", "2", "3", "4", "5", "6"]
    assert answer["1"]["Bill"]["DocNumber"] == "R-2" and answer["1"]["Bill"]["SyncToken"] == "0"
    fault = answer["2"]["Fault"]
    assert fault["type"] == "ValidationFault" and fault["Error"][0]["code"] == "2500"
    assert answer["3"]["Bill"]["SyncToken"] == "1"
    assert answer["4"]["QueryResponse"]["Bill"][0]["Id"] == existing["Id"]
    assert answer["5"]["Invoice"]["TotalAmt"] == 0 and answer["5"]["Invoice"]["SyncToken"] == "1"
    assert answer["6"]["Fault"]["Error"][0]["code"] == "5010"  # item 3 moved it to SyncToken 1
    bills = stored(emulator, "Bill")["entities"]
    assert sorted(bill["DocNumber"] for bill in bills) == ["R-1", "R-2"]


def test_an_item_cannot_use_what_an_earlier_item_created(emulator, token, seeded):
    marker = post(emulator, token, "class", {"Name": "Batch Marker"}).json()["Class"]
    vendor_id = str(int(marker["Id"]) + 1)  # the Id the next create will get
    bill = bill_body(vendor_id, account_line(seeded.id("Account", "Labor"), 75))
    answer = results(batch(emulator, token, [
        {"bId": "v", "operation": "create", "Vendor": {"DisplayName": "Batch Born Vendor"}},
        {"bId": "b", "operation": "create", "Bill": bill},
        {"bId": "u", "operation": "update",
         "Vendor": {"Id": vendor_id, "SyncToken": "0", "sparse": True, "CompanyName": "x"}},
    ]))
    assert answer["v"]["Vendor"]["Id"] == vendor_id
    assert answer["b"]["Fault"]["Error"][0]["code"] == "2500"
    assert answer["u"]["Fault"]["Error"][0]["code"] == "610"
    later = results(batch(emulator, token, [{"bId": "b", "operation": "create", "Bill": bill}]))
    assert later["b"]["Bill"]["VendorRef"]["name"] == "Batch Born Vendor"


def test_thirty_items_pass_and_thirty_one_are_1040(emulator, token, seeded):
    items = [{"bId": str(n), "operation": "create", "Bill": rental_bill(seeded, f"L-{n}")}
             for n in range(31)]
    error = fault_of(batch(emulator, token, items))
    assert (error["code"], error["Message"]) == ("1040", "Batch size exceeds allowed limit")
    assert stored(emulator, "Bill")["count"] == 0
    answer = results(batch(emulator, token, items[:30]))
    assert len(answer) == 30 and all("Bill" in item for item in answer.values())
    assert stored(emulator, "Bill")["count"] == 30


def test_requestid_replays_the_whole_batch(emulator, token, seeded):
    items = [{"bId": "a", "operation": "create", "Bill": rental_bill(seeded, "RQ-1")},
             {"bId": "b", "operation": "create", "Bill": rental_bill(seeded, "RQ-2")}]
    first = batch(emulator, token, items, requestid="batch-1")
    again = batch(emulator, token, items, requestid="batch-1")
    assert again.status_code == 200 and again.text == first.text
    assert stored(emulator, "Bill")["count"] == 2
    other = results(batch(emulator, token, items, requestid="batch-2"))
    assert {item["Fault"]["Error"][0]["code"] for item in other.values()} == {"6140"}


def test_duplicate_numbers_within_one_batch(emulator, token, seeded):
    answer = results(batch(emulator, token, [
        {"bId": "1", "operation": "create", "Bill": rental_bill(seeded, "D-1")},
        {"bId": "2", "operation": "create", "Bill": rental_bill(seeded, "D-1")},
    ]))
    assert "Bill" in answer["1"] and answer["2"]["Fault"]["Error"][0]["code"] == "6140"


@pytest.mark.parametrize("item, code", [
    ({"operation": "create", "SalesReceipt": {"TotalAmt": 1}}, "500"),
    ({"operation": "delete", "Vendor": {"Id": "34", "SyncToken": "0"}}, "500"),
    ({"operation": "void", "Bill": {"Id": "1", "SyncToken": "0"}}, "2170"),
    ({"Bill": {"DocNumber": "x"}}, "2020"),
    ({"operation": "create"}, "2010"),
    ({"Query": "select * from Estimate"}, "4001"),
    ({"Query": "select from Bill"}, "4000"),
    ({"operation": "update", "Bill": {"SyncToken": "0"}}, "2020"),
])
def test_item_faults(emulator, token, item, code):
    answer = results(batch(emulator, token, [{"bId": "x", **item}]))
    assert answer["x"]["Fault"]["Error"][0]["code"] == code


def test_an_item_without_bid_refuses_the_batch(emulator, token, seeded):
    items = [{"bId": "1", "operation": "create", "Bill": rental_bill(seeded, "N-1")},
             {"operation": "create", "Bill": rental_bill(seeded, "N-2")}]
    assert fault_of(batch(emulator, token, items))["code"] == "2020"
    assert stored(emulator, "Bill")["count"] == 0


def test_include_allowduplicatedocnum_applies_to_every_item(emulator, token, seeded):
    items = [{"bId": str(n), "operation": "create", "Bill": rental_bill(seeded, "SAME")}
             for n in range(3)]
    answer = results(batch(emulator, token, items, include="allowduplicatedocnum"))
    assert all("Bill" in item for item in answer.values())


def test_an_empty_batch_answers_an_empty_list(emulator, token):
    assert results(batch(emulator, token, [])) == {}


def test_a_batch_needs_a_valid_token(emulator, token, seeded):
    emulator.control("POST", "api/realms/9130350000000001/expire-access-token")
    response = batch(emulator, token, [{"bId": "1", "operation": "create",
                                        "Bill": rental_bill(seeded, "T-1")}])
    assert response.status_code == 401
    assert stored(emulator, "Bill")["count"] == 0
