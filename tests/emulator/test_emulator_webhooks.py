"""The emulator's webhook sender: signed like Intuit's, after commits, both formats, retries, loopback only."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time

import pytest

from tests.emulator.emulator_helpers import HARBOR, KEYSTONE, Emulator
from tests.emulator.entity_helpers import created, post, token_for
from tests.emulator.transaction_helpers import account_line, bill_body, books, invoice_body, sales_line
from tests.support.live_server import serve

TOKEN = "receiver-verifier-token"


class Receiver:
    """A loopback endpoint that records deliveries and answers with the statuses it is given, then 200."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with self._lock:
            self.deliveries.append(({"intuit-signature": environ.get("HTTP_INTUIT_SIGNATURE"),
                                     "content-type": environ.get("CONTENT_TYPE")}, body))
            status = self.statuses.pop(0) if self.statuses else 200
        start_response(f"{status} X", [("Content-Type", "text/plain")])
        return [b"ok"]

    def events(self) -> list[dict]:
        """Every CloudEvent received so far (or legacy entities, flattened with their realm)."""
        found = []
        for _, body in self.deliveries:
            data = json.loads(body)
            if isinstance(data, list):
                found += data
            else:
                found += [{**entity, "realmId": note["realmId"]} for note in data["eventNotifications"]
                          for entity in note["dataChangeEvent"]["entities"]]
        return found

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.events()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.events()


@pytest.fixture(scope="module")
def receiver_server():
    endpoint = Receiver()
    server = serve(endpoint)
    endpoint.url = f"{server.url}/hooks"
    yield endpoint
    server.stop()


@pytest.fixture
def receiver(receiver_server, emulator):
    """The module's receiver, emptied; the emulator (reset by its fixture) sends nothing until configured."""
    receiver_server.deliveries.clear()
    receiver_server.statuses.clear()
    return receiver_server


def configure(emulator: Emulator, receiver: Receiver, **changes) -> dict:
    body = {"url": receiver.url, "verifier_token": TOKEN, "format": "cloudevents", "enabled": True, **changes}
    response = emulator.control("POST", "api/webhooks", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def status(emulator: Emulator) -> dict:
    return emulator.control("GET", "api/webhooks").json()


def signed_correctly(headers: dict, body: bytes) -> bool:
    expected = base64.b64encode(hmac.new(TOKEN.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, headers["intuit-signature"])


def test_webhooks_are_off_until_configured_and_the_token_is_never_shown(emulator, receiver):
    token = token_for(emulator)
    created(emulator, token, "Vendor", {"DisplayName": "Quiet Vendor"})
    assert status(emulator)["pending"] == 0 and not status(emulator)["enabled"]
    shown = configure(emulator, receiver)
    assert shown == {"url": receiver.url, "verifier_token_set": True, "format": "cloudevents", "enabled": True,
                     "hold": False}
    assert TOKEN not in json.dumps(status(emulator)) and TOKEN not in emulator.control("GET", "").text


@pytest.mark.parametrize("body", [
    {"url": "http://10.1.2.3/hooks"}, {"url": "https://example.com/hooks"}, {"url": "ftp://127.0.0.1/x"},
    {"url": "http://127.0.0.1:99999/x"}, {"format": "xml"}, {"enabled": "maybe"},
    {"url": "", "enabled": True}, {"verifier_token": "", "enabled": True},
], ids=["private-address", "public-host", "scheme", "bad-port", "format", "flag", "no-url", "no-token"])
def test_bad_settings_are_refused_and_nothing_changes(emulator, receiver, body):
    configure(emulator, receiver)
    before = status(emulator)
    response = emulator.control("POST", "api/webhooks", json=body)
    assert response.status_code == 400 and response.json()["error"]
    assert status(emulator) == before


def test_an_api_write_sends_a_signed_cloudevent_after_it_commits(emulator, receiver):
    configure(emulator, receiver)
    token = token_for(emulator)
    vendor = created(emulator, token, "Vendor", {"DisplayName": "Signed Vendor"})
    [event] = receiver.wait_for(1)
    headers, body = receiver.deliveries[0]
    assert signed_correctly(headers, body) and headers["content-type"] == "application/json"
    assert event["type"] == "qbo.vendor.created.v1" and event["specversion"] == "1.0"
    assert (event["intuitentityid"], event["intuitaccountid"], event["data"]) == (vendor["Id"], KEYSTONE, {})
    assert event["id"] and event["time"].endswith("Z")
    assert status(emulator)["deliveries"][0]["status"] == 200 and status(emulator)["pending"] == 0


def test_each_kind_of_write_names_its_operation(emulator, receiver):
    configure(emulator, receiver)
    token, seeded = token_for(emulator), books(emulator)
    vendor = created(emulator, token, "Vendor", {"DisplayName": "Lifecycle Vendor"})
    post(emulator, token, "vendor", {"Id": vendor["Id"], "SyncToken": "0", "sparse": True, "PrintOnCheckName": "X"})
    post(emulator, token, "vendor", {"Id": vendor["Id"], "SyncToken": "1", "sparse": True, "Active": False})
    bill = created(emulator, token, "Bill", bill_body(seeded.id("Vendor", "ABC Concrete Co."),
                                                      account_line(seeded.id("Account", "Job Materials"), 100)))
    post(emulator, token, "bill", {"Id": bill["Id"], "SyncToken": "0"}, operation="delete")
    invoice = created(emulator, token, "Invoice", invoice_body(seeded.id("Customer", "Drexel University"),
                                                               sales_line(seeded.id("Item", "Framing"), 250)))
    post(emulator, token, "invoice", {"Id": invoice["Id"], "SyncToken": "0"}, operation="void")
    events = receiver.wait_for(7)
    assert [e["type"] for e in events] == [
        "qbo.vendor.created.v1", "qbo.vendor.updated.v1", "qbo.vendor.deleted.v1",  # inactive: a list "delete"
        "qbo.bill.created.v1", "qbo.bill.deleted.v1", "qbo.invoice.created.v1", "qbo.invoice.voided.v1"]


def test_a_replayed_requestid_and_a_refused_write_send_nothing(emulator, receiver):
    configure(emulator, receiver)
    token = token_for(emulator)
    body = {"DisplayName": "Once Only Vendor"}
    assert post(emulator, token, "vendor", body, requestid="rid-1").status_code == 200
    assert post(emulator, token, "vendor", body, requestid="rid-1").status_code == 200  # Intuit's replay
    assert post(emulator, token, "vendor", {"DisplayName": "Once Only Vendor"}).status_code == 400  # duplicate name
    time.sleep(0.3)
    assert len(receiver.wait_for(1)) == 1


def test_a_batch_sends_events_for_the_items_that_succeeded_only(emulator, receiver):
    configure(emulator, receiver)
    token = token_for(emulator)
    items = [{"bId": "1", "operation": "create", "Vendor": {"DisplayName": "Batch Vendor A"}},
             {"bId": "2", "operation": "create", "Vendor": {"DisplayName": "Batch Vendor A"}},  # duplicate: faults
             {"bId": "3", "operation": "create", "Vendor": {"DisplayName": "Batch Vendor B"}}]
    answer = post(emulator, token, "batch", {"BatchItemRequest": items}).json()["BatchItemResponse"]
    assert "Fault" in answer[1]
    receiver.wait_for(2)
    time.sleep(0.2)
    assert [e["intuitentityid"] for e in receiver.events()] == [answer[0]["Vendor"]["Id"], answer[2]["Vendor"]["Id"]]


def test_held_events_of_several_realms_go_out_in_one_legacy_delivery_grouped_by_realm(emulator, receiver):
    configure(emulator, receiver, format="legacy", hold=True)
    created(emulator, token_for(emulator, KEYSTONE), "Vendor", {"DisplayName": "Keystone Held"})
    created(emulator, token_for(emulator, HARBOR), "Vendor", {"DisplayName": "Harbor Held"}, realm_id=HARBOR)
    created(emulator, token_for(emulator, KEYSTONE), "Customer", {"DisplayName": "Keystone Held Customer"})
    assert status(emulator)["pending"] == 3 and receiver.deliveries == []
    sent = emulator.control("POST", "api/webhooks/deliver").json()["deliveries"]
    assert [(d["status"], d["events"]) for d in sent] == [(200, 3)]
    headers, body = receiver.deliveries[0]
    notes = json.loads(body)["eventNotifications"]
    assert signed_correctly(headers, body)
    assert [(n["realmId"], [e["name"] for e in n["dataChangeEvent"]["entities"]]) for n in notes] == [
        (KEYSTONE, ["Vendor", "Customer"]), (HARBOR, ["Vendor"])]
    assert all(e["operation"] == "Create" and e["lastUpdated"] for n in notes for e in n["dataChangeEvent"]["entities"])


def test_a_failed_delivery_is_retried_with_the_same_event_ids(emulator, receiver):
    receiver.statuses = [500]
    configure(emulator, receiver)
    created(emulator, token_for(emulator), "Vendor", {"DisplayName": "Retried Vendor"})
    events = receiver.wait_for(2, timeout=5)
    assert len(receiver.deliveries) == 2 and events[0]["id"] == events[1]["id"]
    assert [d["status"] for d in status(emulator)["deliveries"]] == [200, 500]


def test_redeliver_sends_the_exact_same_body_again(emulator, receiver):
    configure(emulator, receiver, hold=True)
    created(emulator, token_for(emulator), "Vendor", {"DisplayName": "Redelivered Vendor"})
    first = emulator.control("POST", "api/webhooks/deliver").json()["deliveries"][0]
    again = emulator.control("POST", "api/webhooks/redeliver", json={"delivery_id": first["id"]})
    assert again.status_code == 200 and again.json()["status"] == 200
    assert receiver.deliveries[0] == receiver.deliveries[1]
    assert emulator.control("POST", "api/webhooks/redeliver", json={"delivery_id": 999999}).status_code == 404


def test_changes_made_inside_quickbooks_from_the_control_api_and_page(emulator, receiver):
    configure(emulator, receiver)
    token = token_for(emulator)
    vendor = created(emulator, token, "Vendor", {"DisplayName": "Control Vendor"})
    made = emulator.control("POST", f"api/realms/{KEYSTONE}/changes",
                            json={"entity": "Vendor", "id": vendor["Id"], "change": "deactivate"}).json()
    assert (made["operation"], made["record"]["Active"], made["record"]["SyncToken"]) == ("Delete", False, "1")
    form = emulator.control("POST", f"api/realms/{KEYSTONE}/changes", allow_redirects=False,
                            data={"entity": "Vendor", "id": vendor["Id"], "change": "reactivate"})
    assert form.status_code == 303
    events = receiver.wait_for(3)
    assert [e["type"] for e in events] == ["qbo.vendor.created.v1", "qbo.vendor.deleted.v1", "qbo.vendor.updated.v1"]
    for bad, code in [({"entity": "Vendor", "id": vendor["Id"], "change": "void"}, 400),
                      ({"entity": "Vendor", "id": "999999", "change": "update"}, 404),
                      ({"entity": "Teapot", "id": "1", "change": "update"}, 400)]:
        assert emulator.control("POST", f"api/realms/{KEYSTONE}/changes", json=bad).status_code == code
    page = emulator.control("GET", "").text
    assert "Changes inside QuickBooks" in page and "Webhooks" in page and receiver.url in page


def test_reset_turns_webhooks_off_and_forgets_what_was_waiting(emulator, receiver):
    configure(emulator, receiver, hold=True)
    created(emulator, token_for(emulator), "Vendor", {"DisplayName": "Forgotten Vendor"})
    assert status(emulator)["pending"] == 1
    emulator.control("POST", "api/reset")
    after = status(emulator)
    assert (after["enabled"], after["url"], after["pending"], after["deliveries"]) == (False, "", 0, [])


def test_only_loopback_addresses_are_ever_posted_to(emulator):
    from qbo.emulator.webhooks import post as send

    status, error = send("http://192.0.2.1/hooks", b"[]", "sig")
    assert status is None and error == "refused: the emulator only posts to loopback addresses"
