"""BillPayment and Payment over HTTP: Balance and LinkedTxn of what they pay, updates, deletes, faults."""
from __future__ import annotations

import pytest

from tests.emulator.entity_helpers import fault_of, post, query, rows
from tests.emulator.payment_helpers import (
    BANK, CUSTOMER, OTHER_VENDOR, VENDOR, applied, bill_payment_body, delete, new_bill, new_invoice, ok, payment_body,
    read,
)
from tests.emulator.transaction_helpers import Books, batch, close_books, ref


def pay_bill(emulator, token, seeded, *pairs, **fields) -> dict:
    return ok(post(emulator, token, "billpayment", bill_payment_body(seeded, *pairs, **fields)), "BillPayment")


def pay_invoice(emulator, token, seeded, *pairs, **fields) -> dict:
    return ok(post(emulator, token, "payment", payment_body(seeded, *pairs, **fields)), "Payment")


def test_a_partial_then_a_full_bill_payment_settle_the_bill(emulator, token, seeded):
    bill = new_bill(emulator, token, seeded, 500)
    assert bill["Balance"] == bill["TotalAmt"] == 500 and "LinkedTxn" not in bill
    first = pay_bill(emulator, token, seeded, (bill["Id"], 200))
    assert first["SyncToken"] == "0" and first["MetaData"]["CreateTime"] and first["TxnDate"] == "2026-05-10"
    assert first["VendorRef"] == {"value": seeded.id("Vendor", VENDOR), "name": VENDOR}
    assert first["PayType"] == "Check" and first["TotalAmt"] == 200
    assert first["CheckPayment"]["BankAccountRef"] == {"value": seeded.id("Account", BANK), "name": BANK}
    assert first["Line"] == [{"Amount": 200, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}]
    assert first["CurrencyRef"]["value"] == "USD"
    partly = read(emulator, token, "Bill", bill["Id"])
    assert partly["Balance"] == 300 and partly["TotalAmt"] == 500 and partly["SyncToken"] == "1"
    assert partly["LinkedTxn"] == [{"TxnId": first["Id"], "TxnType": "BillPayment"}]
    second = pay_bill(emulator, token, seeded, (bill["Id"], 300), TxnDate="2026-05-20")
    paid = read(emulator, token, "Bill", bill["Id"])
    assert paid["Balance"] == 0 and paid["SyncToken"] == "2"
    assert paid["LinkedTxn"] == [{"TxnId": first["Id"], "TxnType": "BillPayment"},
                                 {"TxnId": second["Id"], "TxnType": "BillPayment"}]
    assert read(emulator, token, "BillPayment", first["Id"]) == first


def test_one_bill_payment_can_pay_several_bills(emulator, token, seeded):
    one, two = new_bill(emulator, token, seeded, 120), new_bill(emulator, token, seeded, 80.5)
    payment = pay_bill(emulator, token, seeded, (one["Id"], 120), (two["Id"], 40.25))
    assert payment["TotalAmt"] == 160.25
    assert read(emulator, token, "Bill", one["Id"])["Balance"] == 0
    assert read(emulator, token, "Bill", two["Id"])["Balance"] == 40.25


def test_an_invoice_payment_settles_the_invoice_and_keeps_the_rest_unapplied(emulator, token, seeded):
    invoice = new_invoice(emulator, token, seeded, 1000)
    payment = pay_invoice(emulator, token, seeded, (invoice["Id"], 1000), TotalAmt=1200)
    assert payment["TotalAmt"] == 1200 and payment["UnappliedAmt"] == 200
    assert payment["CustomerRef"] == {"value": seeded.id("Customer", CUSTOMER), "name": CUSTOMER}
    paid = read(emulator, token, "Invoice", invoice["Id"])
    assert paid["Balance"] == 0 and paid["TotalAmt"] == 1000 and paid["SyncToken"] == "1"
    assert paid["LinkedTxn"] == [{"TxnId": payment["Id"], "TxnType": "Payment"}]
    assert paid["MetaData"]["LastUpdatedTime"] >= invoice["MetaData"]["LastUpdatedTime"]


def test_updating_a_payment_resettles_the_bills_it_left_and_the_ones_it_pays(emulator, token, seeded):
    left, paid = new_bill(emulator, token, seeded, 300), new_bill(emulator, token, seeded, 400)
    payment = pay_bill(emulator, token, seeded, (left["Id"], 100))
    moved = ok(post(emulator, token, "billpayment", {
        "Id": payment["Id"], "SyncToken": "0", "sparse": True,
        "Line": [{"Amount": 150, "LinkedTxn": [{"TxnId": paid["Id"], "TxnType": "Bill"}]}]}), "BillPayment")
    assert moved["SyncToken"] == "1" and moved["TotalAmt"] == 150  # the total follows new lines sent without one
    reopened = read(emulator, token, "Bill", left["Id"])
    assert reopened["Balance"] == 300 and "LinkedTxn" not in reopened and reopened["SyncToken"] == "2"
    partly = read(emulator, token, "Bill", paid["Id"])
    assert partly["Balance"] == 250 and partly["LinkedTxn"] == [{"TxnId": payment["Id"], "TxnType": "BillPayment"}]


def test_a_payment_may_be_raised_to_the_whole_balance_it_already_holds_part_of(emulator, token, seeded):
    invoice = new_invoice(emulator, token, seeded, 500)
    payment = pay_invoice(emulator, token, seeded, (invoice["Id"], 400))
    body = {**payment, "TotalAmt": 500, "Line": [{"Amount": 500, "LinkedTxn": payment["Line"][0]["LinkedTxn"]}]}
    assert ok(post(emulator, token, "payment", body), "Payment")["UnappliedAmt"] == 0
    assert read(emulator, token, "Invoice", invoice["Id"])["Balance"] == 0


def test_deleting_a_payment_reopens_what_it_paid(emulator, token, seeded):
    bill = new_bill(emulator, token, seeded, 250)
    payment = pay_bill(emulator, token, seeded, (bill["Id"], 250))
    answer = delete(emulator, token, "BillPayment", payment)
    assert answer.status_code == 200
    assert answer.json()["BillPayment"] == {"status": "Deleted", "domain": "QBO", "Id": payment["Id"]}
    reopened = read(emulator, token, "Bill", bill["Id"])
    assert reopened["Balance"] == 250 and "LinkedTxn" not in reopened and reopened["SyncToken"] == "2"
    gone = emulator.api(f"billpayment/{payment['Id']}", token)
    assert gone.status_code == 400 and gone.json()["Fault"]["Error"][0]["code"] == "610"
    assert fault_of(delete(emulator, token, "BillPayment", payment))["code"] == "610"


@pytest.mark.parametrize("entity", ["Bill", "Invoice"])
def test_a_bill_or_invoice_with_payments_cannot_be_deleted(emulator, token, seeded, entity):
    if entity == "Bill":
        target = new_bill(emulator, token, seeded, 90)
        payment_entity, payment = "BillPayment", pay_bill(emulator, token, seeded, (target["Id"], 10))
    else:
        target = new_invoice(emulator, token, seeded, 90)
        payment_entity, payment = "Payment", pay_invoice(emulator, token, seeded, (target["Id"], 10))
    current = read(emulator, token, entity, target["Id"])
    error = fault_of(delete(emulator, token, entity, current))
    assert error["code"] == "6000" and "has payments applied" in error["Detail"]
    assert read(emulator, token, entity, target["Id"]) == current
    assert delete(emulator, token, payment_entity, payment).status_code == 200
    assert delete(emulator, token, entity, read(emulator, token, entity, target["Id"])).status_code == 200


def test_a_paid_invoice_cannot_be_voided(emulator, token, seeded):
    invoice = new_invoice(emulator, token, seeded, 75)
    pay_invoice(emulator, token, seeded, (invoice["Id"], 75))
    current = read(emulator, token, "Invoice", invoice["Id"])
    response = post(emulator, token, "invoice", {"Id": current["Id"], "SyncToken": current["SyncToken"]},
                    operation="void")
    assert fault_of(response)["code"] == "6000"


def test_editing_a_paid_bill_keeps_the_server_balance_and_links(emulator, token, seeded):
    bill = new_bill(emulator, token, seeded, 500)
    payment = pay_bill(emulator, token, seeded, (bill["Id"], 200))
    current = read(emulator, token, "Bill", bill["Id"])
    stale = {**current, "Balance": 500, "LinkedTxn": [], "Line": [{**current["Line"][0], "Amount": 600}]}
    edited = ok(post(emulator, token, "bill", stale), "Bill")  # a full update sending back old computed fields
    assert edited["TotalAmt"] == 600 and edited["Balance"] == 400
    assert edited["LinkedTxn"] == [{"TxnId": payment["Id"], "TxnType": "BillPayment"}]
    too_small = {"Id": bill["Id"], "SyncToken": edited["SyncToken"], "sparse": True,
                 "Line": [{**edited["Line"][0], "Amount": 150}]}
    assert fault_of(post(emulator, token, "bill", too_small))["code"] == "6000"
    other = {"Id": bill["Id"], "SyncToken": edited["SyncToken"], "sparse": True,
             "VendorRef": ref(seeded.id("Vendor", OTHER_VENDOR))}
    assert fault_of(post(emulator, token, "bill", other))["code"] == "6000"


def test_payments_are_queryable(emulator, token, seeded):
    bill, invoice = new_bill(emulator, token, seeded, 40), new_invoice(emulator, token, seeded, 60)
    bill_payment = pay_bill(emulator, token, seeded, (bill["Id"], 40))
    payment = pay_invoice(emulator, token, seeded, (invoice["Id"], 60))
    vendor = seeded.id("Vendor", VENDOR)
    found = rows(emulator, token, f"select * from BillPayment where VendorRef = '{vendor}'", "BillPayment")
    assert [record["Id"] for record in found] == [bill_payment["Id"]]
    assert rows(emulator, token, "select * from Payment where TotalAmt > '50'", "Payment") == [payment]
    assert query(emulator, token, "select count(*) from Payment") == {"totalCount": 1}


def test_a_repeated_requestid_pays_once(emulator, token, seeded):
    bill = new_bill(emulator, token, seeded, 100)
    body = bill_payment_body(seeded, (bill["Id"], 30))
    first = post(emulator, token, "billpayment", body, requestid="pay-once-1")
    again = post(emulator, token, "billpayment", body, requestid="pay-once-1")
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert read(emulator, token, "Bill", bill["Id"])["Balance"] == 70
    assert query(emulator, token, "select count(*) from BillPayment") == {"totalCount": 1}


def test_payments_in_a_batch(emulator, token, seeded):
    bill, invoice = new_bill(emulator, token, seeded, 100), new_invoice(emulator, token, seeded, 200)
    response = batch(emulator, token, [
        {"bId": "1", "operation": "create", "BillPayment": bill_payment_body(seeded, (bill["Id"], 100))},
        {"bId": "2", "operation": "create", "Payment": payment_body(seeded, (invoice["Id"], 50))},
        {"bId": "3", "operation": "create", "Payment": payment_body(seeded, (invoice["Id"], 500))},
    ])
    items = {item["bId"]: item for item in response.json()["BatchItemResponse"]}
    assert items["1"]["BillPayment"]["TotalAmt"] == 100 and items["2"]["Payment"]["TotalAmt"] == 50
    assert items["3"]["Fault"]["Error"][0]["code"] == "6000"
    assert read(emulator, token, "Bill", bill["Id"])["Balance"] == 0
    assert read(emulator, token, "Invoice", invoice["Id"])["Balance"] == 150
    payment = items["2"]["Payment"]
    removed = batch(emulator, token, [{"bId": "d", "operation": "delete",
                                       "Payment": {"Id": payment["Id"], "SyncToken": payment["SyncToken"]}}])
    assert removed.json()["BatchItemResponse"][0]["Payment"]["status"] == "Deleted"
    assert read(emulator, token, "Invoice", invoice["Id"])["Balance"] == 200


def test_closed_books_refuse_a_payment_dated_in_them(emulator, token, seeded):
    bill = new_bill(emulator, token, seeded, 100)
    close_books(emulator, "2026-05-31")
    assert fault_of(post(emulator, token, "billpayment",
                         bill_payment_body(seeded, (bill["Id"], 10))))["code"] == "6210"


def bill_payment_faults(seeded: Books, bill_id: str) -> dict[str, tuple[dict, str]]:
    """Bodies QBO refuses, with the fault code each gets (bill_id is a 100.00 bill of VENDOR)."""
    good = bill_payment_body(seeded, (bill_id, 10))
    no_vendor = {key: value for key, value in good.items() if key != "VendorRef"}
    return {
        "missing-bill": (bill_payment_body(seeded, ("99999", 10)), "2500"),
        "more-than-the-balance": (bill_payment_body(seeded, (bill_id, 100.01)), "6000"),
        "another-vendor": (bill_payment_body(seeded, (bill_id, 10), vendor=OTHER_VENDOR), "6000"),
        "no-vendor": (no_vendor, "2020"),
        "zero-amount": (bill_payment_body(seeded, (bill_id, 0)), "6000"),
        "total-under-lines": ({**good, "TotalAmt": 5}, "6000"),
        "no-lines": ({**good, "Line": []}, "6000"),
        "pay-type": ({**good, "PayType": "Cash"}, "2170"),
        "no-bank": ({**good, "CheckPayment": {}}, "2020"),
        "not-a-bank": ({**good, "CheckPayment": {"BankAccountRef": ref(seeded.id("Account", "Job Materials"))}},
                       "6430"),
        "invoice-link": ({**good, "Line": applied("Invoice", (bill_id, 10))}, "2170"),
        "bad-amount": ({**good, "Line": applied("Bill", (bill_id, "ten"))}, "2010"),
    }


@pytest.mark.parametrize("case", ["missing-bill", "more-than-the-balance", "another-vendor", "no-vendor",
                                  "zero-amount", "total-under-lines", "no-lines", "pay-type", "no-bank",
                                  "not-a-bank", "invoice-link", "bad-amount"])
def test_bill_payment_faults(emulator, token, seeded, case):
    bill = new_bill(emulator, token, seeded, 100)
    body, code = bill_payment_faults(seeded, bill["Id"])[case]
    assert fault_of(post(emulator, token, "billpayment", body))["code"] == code
    assert read(emulator, token, "Bill", bill["Id"]) == bill
    assert query(emulator, token, "select count(*) from BillPayment") == {"totalCount": 0}


def test_two_partial_payments_cannot_add_up_to_more_than_the_total(emulator, token, seeded):
    invoice = new_invoice(emulator, token, seeded, 500)
    pay_invoice(emulator, token, seeded, (invoice["Id"], 300))
    error = fault_of(post(emulator, token, "payment", payment_body(seeded, (invoice["Id"], 300))))
    assert error["code"] == "6000" and "200.00" in error["Detail"]
    other_customer = payment_body(seeded, (invoice["Id"], 100), customer="Rittenhouse Lobby Renovation")
    assert fault_of(post(emulator, token, "payment", other_customer))["code"] == "6000"
    assert fault_of(post(emulator, token, "payment", payment_body(seeded, ("424242", 1))))["code"] == "2500"


def test_a_bill_paid_by_credit_card_names_the_card_account(emulator, token, seeded):
    card = ok(post(emulator, token, "account", {"Name": "Company Visa", "AccountType": "Credit Card"}), "Account")
    bill = new_bill(emulator, token, seeded, 80)
    body = {**bill_payment_body(seeded, (bill["Id"], 80)), "PayType": "CreditCard",
            "CreditCardPayment": {"CCAccountRef": ref(card["Id"])}}
    payment = ok(post(emulator, token, "billpayment", body), "BillPayment")
    assert payment["CreditCardPayment"] == {"CCAccountRef": {"value": card["Id"], "name": "Company Visa"}}
    assert "CheckPayment" not in payment and read(emulator, token, "Bill", bill["Id"])["Balance"] == 0
    by_bank = {**body, "CreditCardPayment": {"CCAccountRef": ref(seeded.id("Account", BANK))}}
    assert fault_of(post(emulator, token, "billpayment", by_bank))["code"] == "6430"
