"""Change Data Capture over HTTP: changes and deletions since a moment, the 30-day and 1,000-object limits."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.emulator.entity_helpers import post
from tests.emulator.payment_helpers import (
    bill_payment_body, delete, new_bill, new_invoice, ok, payment_body, read,
)
from tests.emulator.transaction_helpers import account_line, batch, bill_body, set_throttle

FOUR = "Bill,Invoice,BillPayment,Payment"
EMPTY = {"startPosition": 1, "maxResults": 0, "totalCount": 0}


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def an_hour_ago() -> str:
    return iso(datetime.now(timezone.utc) - timedelta(hours=1))


def cdc(emulator, token: str, entities: str = FOUR, changed_since: str | None = None):
    params = {"entities": entities, "changedSince": changed_since or an_hour_ago(), "minorversion": "75"}
    return emulator.api("cdc", token, params={k: v for k, v in params.items() if v is not None})


def changes(emulator, token: str, entities: str = FOUR, changed_since: str | None = None) -> dict[str, dict]:
    """The QueryResponse of each entity in a CDC answer, by entity (an empty one under "")."""
    response = cdc(emulator, token, entities, changed_since)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"CDCResponse", "time"} and len(body["CDCResponse"]) == 1
    answer = {}
    for part in body["CDCResponse"][0]["QueryResponse"]:
        named = [key for key in part if key not in ("startPosition", "maxResults", "totalCount")]
        answer[named[0] if named else f"empty-{len(answer)}"] = part
    return answer


def ids(part: dict, entity: str) -> list[str]:
    return [record["Id"] for record in part[entity][entity]]


def test_changes_and_deletions_come_back_per_entity(emulator, token, seeded):
    bill, invoice = new_bill(emulator, token, seeded, 500), new_invoice(emulator, token, seeded, 800)
    kept_bill = new_bill(emulator, token, seeded, 60)
    bill_payment = ok(post(emulator, token, "billpayment", bill_payment_body(seeded, (bill["Id"], 500))),
                      "BillPayment")
    payment = ok(post(emulator, token, "payment", payment_body(seeded, (invoice["Id"], 300))), "Payment")
    assert delete(emulator, token, "BillPayment", bill_payment).status_code == 200
    assert delete(emulator, token, "Bill", read(emulator, token, "Bill", bill["Id"])).status_code == 200
    found = changes(emulator, token)
    assert list(found) == ["Bill", "Invoice", "BillPayment", "Payment"]
    bills = {record["Id"]: record for record in found["Bill"]["Bill"]}
    assert set(bills) == {bill["Id"], kept_bill["Id"]}
    assert found["Bill"]["startPosition"] == 1 and found["Bill"]["maxResults"] == found["Bill"]["totalCount"] == 2
    assert bills[kept_bill["Id"]] == read(emulator, token, "Bill", kept_bill["Id"])
    for deleted, entity in ((bills[bill["Id"]], "Bill"), (found["BillPayment"]["BillPayment"][0], "BillPayment")):
        assert set(deleted) == {"Id", "status", "domain", "MetaData"} and list(deleted["MetaData"]) == [
            "LastUpdatedTime"]
        assert deleted["status"] == "Deleted" and deleted["domain"] == "QBO"
        assert datetime.fromisoformat(deleted["MetaData"]["LastUpdatedTime"]).tzinfo is not None
    assert found["BillPayment"]["BillPayment"][0]["Id"] == bill_payment["Id"]
    assert found["Invoice"]["Invoice"] == [read(emulator, token, "Invoice", invoice["Id"])]
    assert found["Invoice"]["Invoice"][0]["Balance"] == 500
    assert found["Payment"]["Payment"] == [payment]


def test_entities_without_changes_answer_empty(emulator, token, seeded):
    new_bill(emulator, token, seeded, 10)
    found = changes(emulator, token, "Bill,Payment")
    assert ids(found, "Bill") and list(found.values())[1] == EMPTY
    later = iso(datetime.now(timezone.utc) + timedelta(minutes=5))
    assert list(changes(emulator, token, FOUR, later).values()) == [EMPTY] * 4


def test_changes_before_changed_since_are_left_out(emulator, token, seeded):
    old = new_bill(emulator, token, seeded, 10)
    after_old = datetime.fromisoformat(old["MetaData"]["LastUpdatedTime"]) + timedelta(seconds=1)
    wait_for_the_next_second(old)
    new = new_bill(emulator, token, seeded, 20)
    assert ids(changes(emulator, token, "Bill", iso(after_old)), "Bill") == [new["Id"]]
    # changedSince counts whole seconds: a change within that second is never missed
    exact = datetime.fromisoformat(new["MetaData"]["LastUpdatedTime"]) + timedelta(milliseconds=999)
    assert new["Id"] in ids(changes(emulator, token, "Bill", exact.isoformat(timespec="milliseconds")), "Bill")


def test_changed_since_without_an_offset_is_read_in_intuits_zone(emulator, token, seeded):
    bill = new_bill(emulator, token, seeded, 10)
    pacific = datetime.fromisoformat(bill["MetaData"]["LastUpdatedTime"]) - timedelta(minutes=1)
    naive = pacific.replace(tzinfo=None).isoformat(timespec="seconds")
    assert ids(changes(emulator, token, "bill", naive), "Bill") == [bill["Id"]]


def test_thirty_days_back_is_the_limit(emulator, token, seeded):
    now = datetime.now(timezone.utc)
    assert changes(emulator, token, FOUR, iso(now - timedelta(days=29, hours=23)))
    response = cdc(emulator, token, FOUR, iso(now - timedelta(days=30, minutes=1)))
    assert response.status_code == 400
    fault = response.json()["Fault"]
    assert fault["type"] == "ValidationFault" and fault["Error"][0]["code"].startswith("4")
    assert "too far back" in fault["Error"][0]["Message"] and "too far back" in fault["Error"][0]["Detail"]


@pytest.mark.parametrize("entities, changed_since", [
    (None, "2026-05-01T00:00:00-07:00"), ("", "2026-05-01T00:00:00-07:00"), ("Bill,Estimate", None),
    ("Bill", None), ("Bill", "yesterday"), ("Bill", "2026-13-01T00:00:00Z"),
], ids=["no-entities", "empty-entities", "unknown-entity", "no-changed-since", "words", "bad-month"])
def test_bad_requests_are_400_faults(emulator, token, entities, changed_since):
    params = {"entities": entities, "changedSince": changed_since or (an_hour_ago() if entities == "Bill,Estimate"
                                                                     else None)}
    response = emulator.api("cdc", token, params={k: v for k, v in params.items() if v is not None})
    assert response.status_code == 400
    error = response.json()["Fault"]["Error"][0]
    assert error["code"].startswith("4") and error["Detail"]


def test_cdc_needs_a_valid_token(emulator):
    response = emulator.api("cdc", "not-a-token", params={"entities": "Bill", "changedSince": an_hour_ago()})
    assert response.status_code == 401 and response.json()["fault"]["error"][0]["code"] == "3200"


def test_cdc_counts_toward_the_throttle(emulator, token):
    set_throttle(emulator, requests_per_minute=2)
    statuses = [cdc(emulator, token, "Bill").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def create_bills(emulator, token: str, body: dict, count: int) -> list[dict]:
    """count bills through batches of 30."""
    made = []
    for start in range(0, count, 30):
        items = [{"bId": str(n), "operation": "create", "Bill": body} for n in range(start, min(start + 30, count))]
        made += [item["Bill"] for item in batch(emulator, token, items).json()["BatchItemResponse"]]
    return made


def wait_for_the_next_second(record: dict) -> None:
    after = datetime.fromisoformat(record["MetaData"]["LastUpdatedTime"]) + timedelta(seconds=1)
    time.sleep(max(0.0, after.timestamp() - time.time()) + 0.05)


def test_at_most_1000_objects_the_oldest_first_and_the_rest_from_the_latest_seen(emulator, token, seeded):
    body = bill_body(seeded.id("Vendor", "Sunbelt Rentals"), account_line(seeded.id("Account", "Job Materials"), 5))
    older = create_bills(emulator, token, body, 600)
    wait_for_the_next_second(older[-1])  # paging by LastUpdatedTime needs fewer than 1,000 changes per second
    newer = create_bills(emulator, token, body, 401)
    invoice = new_invoice(emulator, token, seeded, 7)
    found = changes(emulator, token, "Bill,Invoice")
    first = found["Bill"]["Bill"]
    assert len(first) == found["Bill"]["maxResults"] == found["Bill"]["totalCount"] == 1000
    assert {record["Id"] for record in older} <= {record["Id"] for record in first}
    assert list(found.values())[1] == EMPTY  # the invoice is the newest change: it waits for the next call
    latest = max(record["MetaData"]["LastUpdatedTime"] for record in first)
    rest = changes(emulator, token, "Bill,Invoice", latest)
    seen = {record["Id"] for record in first} | set(ids(rest, "Bill"))
    assert seen == {record["Id"] for record in older + newer}
    assert ids(rest, "Invoice") == [invoice["Id"]]
