"""Paying bills and invoices "inside QuickBooks" from the control page and its JSON API, and deleting payments."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
import requests

from tests.emulator.emulator_helpers import KEYSTONE
from tests.emulator.payment_helpers import new_bill, new_invoice, read

PAYMENTS = f"api/realms/{KEYSTONE}/payments"


class Controls(HTMLParser):
    """The page's form controls and labels: which controls a person (or a screen reader) can name."""

    def __init__(self) -> None:
        super().__init__()
        self.labelled: set[str] = set()
        self.controls: list[dict] = []
        self.options: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "label" and attributes.get("for"):
            self.labelled.add(attributes["for"])
        elif tag in ("input", "select") and attributes.get("type") != "hidden":
            self.controls.append(attributes)
        elif tag == "button":
            self.controls.append({**attributes, "named": "yes"})  # a button is named by its text
        elif tag == "option":
            self.options.append(attributes.get("value", ""))

    def unnamed(self) -> list[dict]:
        return [control for control in self.controls if not (
            control.get("named") or control.get("aria-label") or control.get("id") in self.labelled)]


def control_page(emulator) -> Controls:
    page = Controls()
    page.feed(requests.get(f"{emulator.url}/_emulator/").text)
    return page


def test_json_api_pays_in_part_then_in_full_and_deletes(emulator, token, seeded):
    bill = new_bill(emulator, token, seeded, 500)
    part = emulator.control("POST", PAYMENTS, json={"entity": "Bill", "id": bill["Id"], "amount": "200",
                                                    "date": "2026-05-15"})
    assert part.status_code == 200, part.text
    assert part.json()["entity"] == "BillPayment" and part.json()["operation"] == "Create"
    assert part.json()["record"]["TxnDate"] == "2026-05-15" and part.json()["record"]["PayType"] == "Check"
    assert read(emulator, token, "Bill", bill["Id"])["Balance"] == 300
    rest = emulator.control("POST", PAYMENTS, json={"entity": "Bill", "id": bill["Id"]})
    assert rest.json()["record"]["TotalAmt"] == 300
    assert read(emulator, token, "Bill", bill["Id"])["Balance"] == 0
    overview = emulator.control("GET", PAYMENTS).json()
    assert [p["id"] for p in overview["payments"]] == [part.json()["id"], rest.json()["id"]]
    assert bill["Id"] not in [item["id"] for item in overview["open"]]
    removed = emulator.control("POST", f"{PAYMENTS}/delete", json={"entity": "BillPayment", "id": rest.json()["id"]})
    assert removed.status_code == 200 and removed.json()["operation"] == "Delete"
    assert read(emulator, token, "Bill", bill["Id"])["Balance"] == 300


def test_an_invoice_is_paid_with_a_payment(emulator, token, seeded):
    invoice = new_invoice(emulator, token, seeded, 640)
    paid = emulator.control("POST", PAYMENTS, json={"entity": "Invoice", "id": invoice["Id"], "amount": 40})
    assert paid.json()["entity"] == "Payment" and paid.json()["record"]["UnappliedAmt"] == 0
    assert read(emulator, token, "Invoice", invoice["Id"])["Balance"] == 600


@pytest.mark.parametrize("path, body, status", [
    (PAYMENTS, {"entity": "Bill", "id": "99999"}, 404),
    (PAYMENTS, {"entity": "Vendor", "id": "34"}, 400),
    (PAYMENTS, {"entity": "Bill", "id": "BILL", "amount": "1000000"}, 400),
    (f"{PAYMENTS}/delete", {"entity": "Bill", "id": "BILL"}, 400),
    (f"{PAYMENTS}/delete", {"entity": "Payment", "id": "99999"}, 404),
    ("api/realms/123/payments", {"entity": "Bill", "id": "BILL"}, 404),
], ids=["missing-bill", "not-payable", "more-than-open", "delete-a-bill", "missing-payment", "unknown-realm"])
def test_refused_requests_change_nothing(emulator, token, seeded, path, body, status):
    bill = new_bill(emulator, token, seeded, 100)
    body = {key: bill["Id"] if value == "BILL" else value for key, value in body.items()}
    response = emulator.control("POST", path, json=body)
    assert response.status_code == status and response.json()["error"]
    assert read(emulator, token, "Bill", bill["Id"]) == bill


def test_the_control_page_pays_and_deletes_with_labelled_forms(emulator, token, seeded):
    bill = new_bill(emulator, token, seeded, 250)
    page = control_page(emulator)
    assert f"Bill:{bill['Id']}" in page.options and f"pay-target-{KEYSTONE}" in page.labelled
    assert {f"pay-amount-{KEYSTONE}", f"pay-date-{KEYSTONE}"} <= page.labelled
    assert page.unnamed() == []
    session = requests.Session()
    response = session.post(f"{emulator.url}/_emulator/{PAYMENTS}",
                            data={"target": f"Bill:{bill['Id']}", "amount": "", "date": ""}, allow_redirects=False)
    assert response.status_code == 303
    shown = session.get(f"{emulator.url}/_emulator/").text
    assert "BillPayment" in shown and "Create in realm" in shown
    assert read(emulator, token, "Bill", bill["Id"])["Balance"] == 0
    payment_id = emulator.control("GET", PAYMENTS).json()["payments"][0]["id"]
    assert f'aria-label="Delete BillPayment {payment_id}"' in shown
    session.post(f"{emulator.url}/_emulator/{PAYMENTS}/delete", data={"entity": "BillPayment", "id": payment_id})
    assert read(emulator, token, "Bill", bill["Id"])["Balance"] == 250


def test_the_control_page_shows_a_refusal(emulator, token, seeded):
    bill = new_bill(emulator, token, seeded, 10)
    session = requests.Session()
    response = session.post(f"{emulator.url}/_emulator/{PAYMENTS}",
                            data={"target": f"Bill:{bill['Id']}", "amount": "11"})
    assert response.status_code == 200 and "QuickBooks refused" in response.text and "open balance" in response.text
