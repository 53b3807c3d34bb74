"""Signed webhooks for BillPayment and Payment changes (API and control page), both formats; none for the bill."""
from __future__ import annotations

from tests.emulator.emulator_helpers import KEYSTONE
from tests.emulator.entity_helpers import post, token_for
from tests.emulator.payment_helpers import bill_payment_body, delete, new_bill, new_invoice, ok, payment_body
from tests.emulator.test_emulator_webhooks import (  # noqa: F401 - the receiver fixtures are used by name
    configure, receiver, receiver_server, signed_correctly, status,
)
from tests.emulator.transaction_helpers import books


def test_api_payment_writes_send_signed_cloudevents_and_no_bill_event(emulator, receiver):
    token, seeded = token_for(emulator), books(emulator)
    bill = new_bill(emulator, token, seeded, 300)
    configure(emulator, receiver)
    payment = ok(post(emulator, token, "billpayment", bill_payment_body(seeded, (bill["Id"], 100))), "BillPayment")
    changed = ok(post(emulator, token, "billpayment", {"Id": payment["Id"], "SyncToken": "0", "sparse": True,
                                                       "PrivateNote": "check 1042"}), "BillPayment")
    assert delete(emulator, token, "BillPayment", changed).status_code == 200
    events = receiver.wait_for(3)
    assert [(event["type"], event["intuitentityid"], event["intuitaccountid"]) for event in events] == [
        ("qbo.billpayment.created.v1", payment["Id"], KEYSTONE),
        ("qbo.billpayment.updated.v1", payment["Id"], KEYSTONE),
        ("qbo.billpayment.deleted.v1", payment["Id"], KEYSTONE)]
    assert all(signed_correctly(headers, body) for headers, body in receiver.deliveries)
    assert status(emulator)["pending"] == 0 and len(receiver.events()) == 3  # the bill's balance sent nothing


def test_legacy_format_names_the_payment_entity(emulator, receiver):
    token, seeded = token_for(emulator), books(emulator)
    invoice = new_invoice(emulator, token, seeded, 90)
    configure(emulator, receiver, format="legacy")
    payment = ok(post(emulator, token, "payment", payment_body(seeded, (invoice["Id"], 90))), "Payment")
    [event] = receiver.wait_for(1)
    assert event["name"] == "Payment" and event["id"] == payment["Id"] and event["operation"] == "Create"
    assert event["realmId"] == KEYSTONE and event["lastUpdated"]
    headers, body = receiver.deliveries[0]
    assert signed_correctly(headers, body)


def test_control_page_payments_send_webhooks_too(emulator, receiver):
    token, seeded = token_for(emulator), books(emulator)
    invoice = new_invoice(emulator, token, seeded, 120)
    configure(emulator, receiver)
    paid = emulator.control("POST", f"api/realms/{KEYSTONE}/payments", json={"entity": "Invoice", "id": invoice["Id"]})
    assert paid.status_code == 200 and paid.json()["webhook_events"] == 1
    emulator.control("POST", f"api/realms/{KEYSTONE}/payments/delete",
                     json={"entity": "Payment", "id": paid.json()["id"]})
    events = receiver.wait_for(2)
    assert [(event["type"], event["intuitentityid"]) for event in events] == [
        ("qbo.payment.created.v1", paid.json()["id"]), ("qbo.payment.deleted.v1", paid.json()["id"])]
