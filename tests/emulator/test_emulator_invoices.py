"""Invoices over HTTP: numbering, the subtotal line, updates, void, delete, query, replay."""
from __future__ import annotations


from tests.emulator.entity_helpers import fault_of, post, rows
from tests.emulator.transaction_helpers import Books, invoice_body, ref, sales_line, stored

SUBTOTAL = "SubTotalLineDetail"


def progress_invoice(seeded: Books, **fields: object) -> dict:
    """An invoice with a priced line, a quantity line and a description line."""
    return invoice_body(
        seeded.id("Customer", "Drexel University"),
        sales_line(seeded.id("Item", "Framing"), 1500, Description="Framing, 50% complete",
                   ClassRef=ref(seeded.id("Class", "Commercial"))),
        sales_line(seeded.id("Item", "Concrete"), Qty=4, UnitPrice=185),
        {"DetailType": "DescriptionOnly", "Description": "Retainage held per contract"},
        **{"TxnDate": "2026-05-01", **fields})


def create_invoice(emulator, token: str, body: dict, **params: str) -> dict:
    response = post(emulator, token, "invoice", body, **params)
    assert response.status_code == 200, response.text
    return response.json()["Invoice"]


def test_create_numbers_totals_and_adds_the_subtotal_line(emulator, token, seeded):
    invoice = create_invoice(emulator, token, progress_invoice(seeded))
    assert invoice["SyncToken"] == "0" and invoice["DocNumber"] == "1001"
    assert invoice["TotalAmt"] == invoice["Balance"] == 2240.0
    assert invoice["CustomerRef"] == {"value": seeded.id("Customer", "Drexel University"),
                                      "name": "Drexel University"}
    assert (invoice["EmailStatus"], invoice["PrintStatus"]) == ("NotSet", "NotSet")
    assert invoice["TxnTaxDetail"] == {"TotalTax": 0} and invoice["DueDate"] == "2026-05-01"
    framing, concrete, note, subtotal = invoice["Line"]
    assert [line["LineNum"] for line in (framing, concrete, note)] == [1, 2, 3]
    assert framing["SalesItemLineDetail"]["ClassRef"]["name"] == "Commercial"
    assert concrete["Amount"] == 740.0 and concrete["SalesItemLineDetail"]["Qty"] == 4
    assert "Amount" not in note
    assert subtotal == {"Amount": 2240.0, "DetailType": SUBTOTAL, SUBTOTAL: {}}
    assert emulator.api(f"invoice/{invoice['Id']}", token).json()["Invoice"] == invoice


def test_numbering_continues_after_the_highest_number(emulator, token, seeded):
    create_invoice(emulator, token, progress_invoice(seeded, DocNumber="2040"))
    create_invoice(emulator, token, progress_invoice(seeded, DocNumber="PO-77"))
    assert create_invoice(emulator, token, progress_invoice(seeded))["DocNumber"] == "2041"


def test_sending_back_the_subtotal_line_is_harmless(emulator, token, seeded):
    invoice = create_invoice(emulator, token, progress_invoice(seeded))
    first = invoice["Line"][0]
    response = post(emulator, token, "invoice", {
        "Id": invoice["Id"], "SyncToken": "0", "sparse": True,
        "Line": [{**first, "Amount": 1000}, invoice["Line"][-1]]})
    updated = response.json()["Invoice"]
    assert [line["DetailType"] for line in updated["Line"]] == ["SalesItemLineDetail", SUBTOTAL]
    assert updated["Line"][0]["Id"] == "1" and updated["TotalAmt"] == 1000.0
    assert updated["Line"][-1]["Amount"] == 1000.0 and updated["DocNumber"] == "1001"


def test_void_zeroes_amounts_and_notes_it(emulator, token, seeded):
    invoice = create_invoice(emulator, token, progress_invoice(seeded, PrivateNote="pay app 3"))
    response = post(emulator, token, "invoice", {"Id": invoice["Id"], "SyncToken": "0"},
                    operation="void")
    assert response.status_code == 200
    voided = response.json()["Invoice"]
    assert voided["SyncToken"] == "1" and voided["Id"] == invoice["Id"]
    assert voided["TotalAmt"] == voided["Balance"] == 0
    assert voided["PrivateNote"] == "Voided pay app 3"
    assert {line.get("Amount", 0) for line in voided["Line"]} == {0}
    concrete = voided["Line"][1]["SalesItemLineDetail"]
    assert concrete["Qty"] == 0 and "UnitPrice" not in concrete
    assert voided["DocNumber"] == "1001"  # a voided invoice keeps its number and stays queryable
    assert rows(emulator, token, "select * from Invoice where DocNumber = '1001'",
                "Invoice")[0]["TotalAmt"] == 0


def test_void_needs_the_current_sync_token(emulator, token, seeded):
    invoice = create_invoice(emulator, token, progress_invoice(seeded))
    error = fault_of(post(emulator, token, "invoice", {"Id": invoice["Id"], "SyncToken": "3"},
                          operation="void"))
    assert error["code"] == "5010"
    assert emulator.api(f"invoice/{invoice['Id']}", token).json()["Invoice"] == invoice


def test_delete_an_invoice(emulator, token, seeded):
    invoice = create_invoice(emulator, token, progress_invoice(seeded))
    response = post(emulator, token, "invoice", {"Id": invoice["Id"], "SyncToken": "0"},
                    operation="delete")
    assert response.json()["Invoice"] == {"status": "Deleted", "domain": "QBO",
                                          "Id": invoice["Id"]}
    assert stored(emulator, "Invoice")["deleted_ids"] == [invoice["Id"]]
    assert fault_of(emulator.api(f"invoice/{invoice['Id']}", token))["code"] == "610"


def test_query_by_customer_doc_number_and_date(emulator, token, seeded):
    cvs = seeded.id("Customer", "CVS Health")
    create_invoice(emulator, token, progress_invoice(seeded))
    create_invoice(emulator, token, progress_invoice(seeded, CustomerRef=ref(cvs),
                                                     TxnDate="2026-06-10", DocNumber="CVS-1"))
    found = rows(emulator, token, f"select * from Invoice where CustomerRef = '{cvs}'", "Invoice")
    assert [invoice["DocNumber"] for invoice in found] == ["CVS-1"]
    june = rows(emulator, token, "select * from Invoice where TxnDate > '2026-05-31'", "Invoice")
    assert [invoice["DocNumber"] for invoice in june] == ["CVS-1"]
    assert len(rows(emulator, token, "select * from Invoice", "Invoice")) == 2


def test_requestid_replays_a_void(emulator, token, seeded):
    invoice = create_invoice(emulator, token, progress_invoice(seeded))
    void = {"Id": invoice["Id"], "SyncToken": "0"}
    first = post(emulator, token, "invoice", void, operation="void", requestid="void-1")
    again = post(emulator, token, "invoice", void, operation="void", requestid="void-1")
    assert again.status_code == 200 and again.text == first.text
    assert emulator.api(f"invoice/{invoice['Id']}", token).json()["Invoice"]["SyncToken"] == "1"


def test_requestid_replays_an_invoice_create(emulator, token, seeded):
    first = post(emulator, token, "invoice", progress_invoice(seeded), requestid="inv-1")
    again = post(emulator, token, "invoice", progress_invoice(seeded), requestid="inv-1")
    assert again.json() == first.json()
    assert stored(emulator, "Invoice")["count"] == 1
