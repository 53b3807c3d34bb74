"""Company-level rules: duplicate DocNumbers (6140), closed books (6210), and their control API."""
from __future__ import annotations

import pytest
import requests

from tests.emulator.emulator_helpers import HARBOR, KEYSTONE
from tests.emulator.entity_helpers import fault_of, post, token_for
from tests.emulator.transaction_helpers import (
    Books, account_line, bill_body, books, close_books, invoice_body, ref, sales_line, stored,
)


def bill(seeded: Books, vendor: str = "Ferguson Enterprises", **fields) -> dict:
    return bill_body(seeded.id("Vendor", vendor),
                     account_line(seeded.id("Account", "Job Materials"), 310.0), **fields)


def invoice(seeded: Books, **fields) -> dict:
    return invoice_body(seeded.id("Customer", "Patel Residence"),
                        sales_line(seeded.id("Item", "Plumbing"), 4200), **fields)


def created(emulator, token: str, resource: str, body: dict, **params: str) -> dict:
    response = post(emulator, token, resource, body, **params)
    assert response.status_code == 200, response.text
    return response.json()[resource.capitalize()]


def test_same_bill_number_from_the_same_vendor_is_6140(emulator, token, seeded):
    first = created(emulator, token, "bill", bill(seeded, DocNumber="F-1001"))
    error = fault_of(post(emulator, token, "bill", bill(seeded, DocNumber="F-1001")))
    assert (error["code"], error["Message"]) == ("6140", "Duplicate Document Number Error")
    assert error["Detail"] == ("Duplicate Document Number Error : You must specify a different"
                               " number. This number has already been used. DocNumber=F-1001 is"
                               f" assigned to TxnType=Bill with TxnId={first['Id']}")
    assert stored(emulator, "Bill")["count"] == 1


def test_the_same_bill_number_from_another_vendor_is_fine(emulator, token, seeded):
    created(emulator, token, "bill", bill(seeded, DocNumber="1001"))
    created(emulator, token, "bill", bill(seeded, vendor="United Rentals", DocNumber="1001"))
    assert stored(emulator, "Bill")["count"] == 2


def test_invoice_numbers_are_unique_per_company(emulator, token, seeded):
    created(emulator, token, "invoice", invoice(seeded, DocNumber="KB-500"))
    other = {**invoice(seeded, DocNumber="KB-500"),
             "CustomerRef": ref(seeded.id("Customer", "CVS Health"))}
    assert fault_of(post(emulator, token, "invoice", other))["code"] == "6140"
    harbor_token = token_for(emulator, HARBOR)
    harbor = books(emulator, HARBOR)
    elsewhere = invoice_body(harbor.id("Customer", "CVS Health"),
                             sales_line(harbor.id("Item", "22-000 Plumbing"), 10),
                             DocNumber="KB-500")
    assert post(emulator, harbor_token, "invoice", elsewhere, HARBOR).status_code == 200


def test_an_update_may_keep_its_own_number(emulator, token, seeded):
    saved = created(emulator, token, "invoice", invoice(seeded, DocNumber="KB-501"))
    change = {"Id": saved["Id"], "SyncToken": "0", "sparse": True, "DocNumber": "KB-501",
              "PrivateNote": "resent"}
    assert post(emulator, token, "invoice", change).status_code == 200


def test_a_deleted_bills_number_is_free_again(emulator, token, seeded):
    first = created(emulator, token, "bill", bill(seeded, DocNumber="F-2"))
    post(emulator, token, "bill", {"Id": first["Id"], "SyncToken": "0"}, operation="delete")
    created(emulator, token, "bill", bill(seeded, DocNumber="F-2"))


def test_include_allowduplicatedocnum_lets_a_duplicate_through(emulator, token, seeded):
    created(emulator, token, "invoice", invoice(seeded, DocNumber="KB-9"))
    created(emulator, token, "invoice", invoice(seeded, DocNumber="KB-9"),
            include="allowduplicatedocnum")
    assert stored(emulator, "Invoice")["count"] == 2


def test_the_company_setting_can_switch_the_check_off(emulator, token, seeded):
    response = emulator.control("POST", f"api/realms/{KEYSTONE}/preferences",
                                json={"duplicate_doc_number_check": False})
    assert response.json() == {"realm_id": KEYSTONE, "closing_date": None,
                               "duplicate_doc_number_check": False}
    created(emulator, token, "bill", bill(seeded, DocNumber="F-3"))
    created(emulator, token, "bill", bill(seeded, DocNumber="F-3"))


@pytest.mark.parametrize("txn_date, allowed", [("2026-03-31", False), ("2025-12-01", False),
                                                ("2026-04-01", True)])
def test_dates_on_or_before_the_closing_date_are_6210(emulator, token, seeded, txn_date,
                                                      allowed):
    close_books(emulator, "2026-03-31")
    for resource, body in (("bill", bill(seeded, TxnDate=txn_date)),
                           ("invoice", invoice(seeded, TxnDate=txn_date))):
        response = post(emulator, token, resource, body)
        if allowed:
            assert response.status_code == 200
            continue
        error = fault_of(response)
        assert error["code"] == "6210"
        assert error["Message"] == "Account Period Closed, Cannot Update Through Services API"
    assert stored(emulator, "Bill")["count"] == stored(emulator, "Invoice")["count"] == int(allowed)


def test_closed_transactions_cannot_change(emulator, token, seeded):
    old_bill = created(emulator, token, "bill", bill(seeded, TxnDate="2026-01-15"))
    old_invoice = created(emulator, token, "invoice", invoice(seeded, TxnDate="2026-01-20"))
    close_books(emulator, "2026-01-31")
    attempts = [
        ("bill", {"Id": old_bill["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "x"}, {}),
        ("bill", {"Id": old_bill["Id"], "SyncToken": "0"}, {"operation": "delete"}),
        ("invoice", {"Id": old_invoice["Id"], "SyncToken": "0"}, {"operation": "void"}),
        ("invoice", {"Id": old_invoice["Id"], "SyncToken": "0"}, {"operation": "delete"}),
    ]
    for resource, body, params in attempts:
        assert fault_of(post(emulator, token, resource, body, **params))["code"] == "6210"
    assert emulator.api(f"bill/{old_bill['Id']}", token).json()["Bill"] == old_bill
    assert emulator.api(f"invoice/{old_invoice['Id']}", token).json()["Invoice"] == old_invoice


def test_moving_an_open_transaction_into_the_closed_period_is_6210(emulator, token, seeded):
    close_books(emulator, "2026-01-31")
    saved = created(emulator, token, "bill", bill(seeded, TxnDate="2026-02-10"))
    change = {"Id": saved["Id"], "SyncToken": "0", "sparse": True, "TxnDate": "2026-01-31"}
    assert fault_of(post(emulator, token, "bill", change))["code"] == "6210"
    close_books(emulator, None)  # reopening the books
    assert post(emulator, token, "bill", change).status_code == 200


def test_preferences_are_per_company_and_reset_with_the_emulator(emulator):
    close_books(emulator, "2026-06-30")
    assert emulator.control("GET", f"api/realms/{HARBOR}/preferences").json()[
        "closing_date"] is None
    assert emulator.control("GET", f"api/realms/{KEYSTONE}/preferences").json() == {
        "realm_id": KEYSTONE, "closing_date": "2026-06-30", "duplicate_doc_number_check": True}
    emulator.control("POST", "api/reset")
    assert emulator.control("GET", f"api/realms/{KEYSTONE}/preferences").json()[
        "closing_date"] is None


@pytest.mark.parametrize("body", [{"closing_date": "31/03/2026"},
                                  {"duplicate_doc_number_check": 3}])
def test_bad_preferences_are_refused(emulator, body):
    response = emulator.control("POST", f"api/realms/{KEYSTONE}/preferences", json=body)
    assert response.status_code == 400 and response.json()["error"]


def test_unknown_realms_and_entities_are_404(emulator):
    assert emulator.control("GET", "api/realms/123/preferences").status_code == 404
    assert emulator.control("POST", "api/realms/123/preferences", json={}).status_code == 404
    assert emulator.control("GET", "api/realms/123/entities/Bill").status_code == 404
    assert emulator.control("GET", f"api/realms/{KEYSTONE}/entities/Estimate").status_code == 404


def test_the_control_page_closes_the_books_with_a_form(emulator):
    session = requests.Session()
    page = session.get(f"{emulator.url}/_emulator/")
    assert f"/_emulator/api/realms/{KEYSTONE}/preferences" in page.text
    response = session.post(f"{emulator.url}/_emulator/api/realms/{KEYSTONE}/preferences",
                            data={"closing_date": "2026-02-28",
                                  "duplicate_doc_number_check": "false"})
    assert response.status_code == 200 and "books closed through 2026-02-28" in response.text
    assert emulator.control("GET", f"api/realms/{KEYSTONE}/preferences").json()[
        "duplicate_doc_number_check"] is False


def test_the_entity_listing_counts_inactive_records_too(emulator):
    vendors = stored(emulator, "Vendor")
    assert vendors["count"] == 18 and vendors["deleted_ids"] == []
    assert sum(1 for vendor in vendors["entities"] if vendor["Active"] is False) == 1
