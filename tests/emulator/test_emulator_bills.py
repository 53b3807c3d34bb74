"""Bills over HTTP: create, read, sparse and full update, delete, query, requestid replay."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.emulator.entity_helpers import fault_of, post, query, rows
from tests.emulator.transaction_helpers import Books, account_line, bill_body, item_line, ref, stored


def materials_bill(seeded: Books, **fields: object) -> dict:
    """A two-line bill: job materials billable to a job, and two units of an item."""
    return bill_body(
        seeded.id("Vendor", "ABC Concrete Co."),
        account_line(seeded.id("Account", "Job Materials"), 100.5,
                     CustomerRef=ref(seeded.id("Customer", "Rittenhouse Lobby Renovation")),
                     BillableStatus="Billable", ClassRef=ref(seeded.id("Class", "Commercial"))),
        item_line(seeded.id("Item", "Concrete"), Qty=2, UnitPrice=12.25),
        **{"DocNumber": "INV-7781", "TxnDate": "2026-03-02", "PrivateNote": "inBuild bill 42",
           **fields})


def create_bill(emulator, token: str, body: dict, **params: str) -> dict:
    response = post(emulator, token, "bill", body, **params)
    assert response.status_code == 200, response.text
    return response.json()["Bill"]


def test_create_computes_totals_references_and_metadata(emulator, token, seeded):
    bill = create_bill(emulator, token, materials_bill(seeded))
    assert bill["Id"].isdigit() and bill["SyncToken"] == "0"
    assert (bill["domain"], bill["sparse"]) == ("QBO", False)
    assert bill["TotalAmt"] == bill["Balance"] == 125.0
    assert bill["VendorRef"] == {"value": seeded.id("Vendor", "ABC Concrete Co."),
                                 "name": "ABC Concrete Co."}
    assert bill["APAccountRef"]["name"] == "Accounts Payable (A/P)"  # implied, as QBO does
    assert bill["DueDate"] == bill["TxnDate"] == "2026-03-02"
    assert bill["CurrencyRef"]["value"] == "USD"
    assert bill["MetaData"]["CreateTime"] == bill["MetaData"]["LastUpdatedTime"]
    first, second = bill["Line"]
    assert (first["Id"], second["Id"]) == ("1", "2")
    detail = first["AccountBasedExpenseLineDetail"]
    assert detail["AccountRef"]["name"] == "Job Materials"
    assert detail["CustomerRef"]["name"] == ("Rittenhouse Square Condominiums:"
                                             "Rittenhouse Lobby Renovation")
    assert detail["ClassRef"]["name"] == "Commercial" and detail["BillableStatus"] == "Billable"
    assert second["Amount"] == 24.5  # Qty x UnitPrice when no Amount is sent
    assert second["ItemBasedExpenseLineDetail"]["BillableStatus"] == "NotBillable"
    assert second["ItemBasedExpenseLineDetail"]["TaxCodeRef"] == {"value": "NON"}
    read = emulator.api(f"bill/{bill['Id']}?minorversion=75", token)
    assert read.status_code == 200 and read.json()["Bill"] == bill


def test_txn_date_defaults_to_today_in_pacific_time(emulator, token, seeded):
    pacific = ZoneInfo("America/Los_Angeles")
    before = datetime.now(pacific).date().isoformat()
    bill = create_bill(emulator, token, materials_bill(seeded, TxnDate=None))
    assert bill["TxnDate"] in {before, datetime.now(pacific).date().isoformat()}


def test_sparse_update_changes_only_what_it_names(emulator, token, seeded):
    bill = create_bill(emulator, token, materials_bill(seeded))
    response = post(emulator, token, "bill", {"Id": bill["Id"], "SyncToken": "0", "sparse": True,
                                              "PrivateNote": "approved"})
    updated = response.json()["Bill"]
    assert updated["SyncToken"] == "1" and updated["PrivateNote"] == "approved"
    assert updated["Line"] == bill["Line"] and updated["DocNumber"] == "INV-7781"
    assert updated["MetaData"]["CreateTime"] == bill["MetaData"]["CreateTime"]
    assert emulator.api(f"bill/{bill['Id']}", token).json()["Bill"] == updated


def test_a_line_array_in_an_update_replaces_every_line(emulator, token, seeded):
    bill = create_bill(emulator, token, materials_bill(seeded))
    kept = {**bill["Line"][1], "Amount": 30.0}
    kept["ItemBasedExpenseLineDetail"] = {"ItemRef": ref(seeded.id("Item", "Concrete"))}
    added = account_line(seeded.id("Account", "Labor"), 70)
    response = post(emulator, token, "bill", {"Id": bill["Id"], "SyncToken": "0", "sparse": True,
                                              "Line": [kept, added]})
    updated = response.json()["Bill"]
    assert [line["Id"] for line in updated["Line"]] == ["2", "3"]  # line 2 updated, 1 gone
    assert [line["Amount"] for line in updated["Line"]] == [30.0, 70.0]
    assert updated["TotalAmt"] == updated["Balance"] == 100.0


def test_full_update_clears_what_it_leaves_out(emulator, token, seeded):
    bill = create_bill(emulator, token, materials_bill(seeded))
    body = {**materials_bill(seeded), "Id": bill["Id"], "SyncToken": "0"}
    del body["PrivateNote"]
    updated = post(emulator, token, "bill", body).json()["Bill"]
    assert "PrivateNote" not in updated and updated["SyncToken"] == "1"


def test_stale_sync_token_is_5010_and_changes_nothing(emulator, token, seeded):
    bill = create_bill(emulator, token, materials_bill(seeded))
    change = {"Id": bill["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "first"}
    assert post(emulator, token, "bill", change).status_code == 200
    error = fault_of(post(emulator, token, "bill", {**change, "PrivateNote": "second"}))
    assert (error["code"], error["Message"]) == ("5010", "Stale Object Error")
    current = emulator.api(f"bill/{bill['Id']}", token).json()["Bill"]
    assert (current["SyncToken"], current["PrivateNote"]) == ("1", "first")


def test_delete_answers_deleted_and_the_id_is_never_reused(emulator, token, seeded):
    bill = create_bill(emulator, token, materials_bill(seeded))
    response = post(emulator, token, "bill", {"Id": bill["Id"], "SyncToken": "0"},
                    operation="delete")
    assert response.status_code == 200
    assert response.json()["Bill"] == {"status": "Deleted", "domain": "QBO", "Id": bill["Id"]}
    assert fault_of(emulator.api(f"bill/{bill['Id']}", token))["code"] == "610"
    assert query(emulator, token, "select count(*) from Bill")["totalCount"] == 0
    listed = stored(emulator, "Bill")
    assert listed["count"] == 0 and listed["deleted_ids"] == [bill["Id"]]
    again = create_bill(emulator, token, materials_bill(seeded))  # its DocNumber is free again
    assert int(again["Id"]) > int(bill["Id"])


@pytest.mark.parametrize("body, code", [
    ({"SyncToken": "0"}, "2020"),  # no Id
    ({"Id": "99999", "SyncToken": "0"}, "610"),
    ({"Id": "{bill}"}, "2020"),  # no SyncToken
    ({"Id": "{bill}", "SyncToken": "7"}, "5010"),
])
def test_bad_deletes_change_nothing(emulator, token, seeded, body, code):
    bill = create_bill(emulator, token, materials_bill(seeded))
    body = {key: value.replace("{bill}", bill["Id"]) for key, value in body.items()}
    assert fault_of(post(emulator, token, "bill", body, operation="delete"))["code"] == code
    assert stored(emulator, "Bill")["count"] == 1


def test_deleting_twice_is_610(emulator, token, seeded):
    bill = create_bill(emulator, token, materials_bill(seeded))
    delete = {"Id": bill["Id"], "SyncToken": "0"}
    assert post(emulator, token, "bill", delete, operation="delete").status_code == 200
    error = fault_of(post(emulator, token, "bill", delete, operation="delete"))
    assert (error["code"], error["Message"]) == ("610", "Object Not Found")


@pytest.mark.parametrize("operation", ["void", "merge"])
def test_bills_cannot_be_voided_or_merged(emulator, token, seeded, operation):
    bill = create_bill(emulator, token, materials_bill(seeded))
    response = post(emulator, token, "bill", {"Id": bill["Id"], "SyncToken": "0"},
                    operation=operation)
    assert fault_of(response)["code"] == "500"
    assert emulator.api(f"bill/{bill['Id']}", token).json()["Bill"]["SyncToken"] == "0"


def test_query_filters_on_doc_number_vendor_date_note_and_amount(emulator, token, seeded):
    home_depot = seeded.id("Vendor", "Home Depot Pro")
    create_bill(emulator, token, materials_bill(seeded))
    create_bill(emulator, token, materials_bill(seeded, DocNumber="HD-1", TxnDate="2026-04-15",
                                                VendorRef=ref(home_depot), PrivateNote="tools"))
    create_bill(emulator, token, bill_body(home_depot, account_line(
        seeded.id("Account", "Small Tools and Equipment"), 1200), DocNumber="HD-2",
        TxnDate="2026-04-20"))

    def doc_numbers(where: str) -> list[str]:
        return [bill["DocNumber"] for bill in rows(emulator, token,
                                                    f"select * from Bill {where}", "Bill")]

    assert doc_numbers("where DocNumber = 'INV-7781'") == ["INV-7781"]
    assert doc_numbers(f"where VendorRef = '{home_depot}' ORDERBY DocNumber") == ["HD-1", "HD-2"]
    assert doc_numbers("where TxnDate >= '2026-04-01' AND TxnDate < '2026-04-16'") == ["HD-1"]
    assert doc_numbers("where PrivateNote = 'inBuild bill 42'") == ["INV-7781"]
    assert doc_numbers("where PrivateNote LIKE 'inbuild%'") == ["INV-7781"]
    assert doc_numbers("where TotalAmt > '1000.00'") == ["HD-2"]
    assert doc_numbers("where DocNumber IN ('HD-1', 'HD-2') ORDERBY TxnDate DESC") == ["HD-2",
                                                                                       "HD-1"]
    assert query(emulator, token, "select count(*) from Bill")["totalCount"] == 3
    assert doc_numbers("where DocNumber = 'nope'") == []


def test_requestid_replays_a_create_without_a_second_bill(emulator, token, seeded):
    first = post(emulator, token, "bill", materials_bill(seeded), requestid="bill-create-1")
    again = post(emulator, token, "bill", materials_bill(seeded, DocNumber="OTHER"),
                 requestid="bill-create-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert stored(emulator, "Bill")["count"] == 1


def test_requestid_replays_an_update_without_a_second_change(emulator, token, seeded):
    bill = create_bill(emulator, token, materials_bill(seeded))
    change = {"Id": bill["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "once"}
    first = post(emulator, token, "bill", change, requestid="bill-update-1")
    again = post(emulator, token, "bill", change, requestid="bill-update-1")
    assert again.json() == first.json() and again.json()["Bill"]["SyncToken"] == "1"
    assert emulator.api(f"bill/{bill['Id']}", token).json()["Bill"]["SyncToken"] == "1"


def test_requestid_replays_a_delete(emulator, token, seeded):
    bill = create_bill(emulator, token, materials_bill(seeded))
    delete = {"Id": bill["Id"], "SyncToken": "0"}
    first = post(emulator, token, "bill", delete, operation="delete", requestid="bill-del-1")
    again = post(emulator, token, "bill", delete, operation="delete", requestid="bill-del-1")
    assert again.status_code == 200 and again.text == first.text
