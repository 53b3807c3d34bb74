"""The wire format of Intuit's webhooks: the intuit-signature check and both body shapes (no app, no database)."""
from __future__ import annotations

import base64
import inspect
import json

import pytest

from qbo.intuit import webhooks
from qbo.intuit.webhooks import MalformedDelivery, parse_delivery, sign, signature_is_valid
from tests.webhooks.conftest import cloudevent, legacy

TOKEN = "verifier-abc"
BODY = json.dumps([cloudevent("9130350000000001", "Bill", "12")]).encode()


def test_a_signature_over_the_raw_body_with_the_verifier_token_is_valid():
    assert signature_is_valid(BODY, sign(BODY, TOKEN), TOKEN)
    assert signature_is_valid(BODY, " " + sign(BODY, TOKEN) + " ", TOKEN)  # header whitespace


@pytest.mark.parametrize("body, header, token", [
    (BODY[:-2] + b" ]", sign(BODY, TOKEN), TOKEN),  # one byte changed
    (json.dumps(json.loads(BODY), indent=1).encode(), sign(BODY, TOKEN), TOKEN),  # same JSON, re-serialised
    (BODY, sign(BODY, "another-token"), TOKEN),  # wrong key
    (BODY, None, TOKEN),  # missing
    (BODY, "", TOKEN),  # empty
    (BODY, "not base64 at all!", TOKEN),  # malformed
    (BODY, sign(BODY, TOKEN) + "A" * 1024, TOKEN),  # absurdly long
    (BODY, base64.b64encode(b"\0" * 32).decode(), TOKEN),  # right length, wrong bytes
    (BODY, sign(BODY, ""), ""),  # no verifier token configured
], ids=["flipped-byte", "reserialised", "wrong-key", "missing", "empty", "malformed", "too-long", "zeros", "no-token"])
def test_anything_else_is_refused(body, header, token):
    assert not signature_is_valid(body, header, token)


def test_the_comparison_is_constant_time():
    assert "hmac.compare_digest" in inspect.getsource(webhooks.signature_is_valid)


def test_cloudevents_are_read_one_by_one_each_with_its_own_realm():
    events = parse_delivery(json.dumps([
        cloudevent("111", "Bill", "12", "deleted", event_id="a"),
        cloudevent("222", "Vendor", "7", "updated", event_id="b"),
        cloudevent("111", "billpayment", "30", "created", event_id="c"),
    ]).encode())
    assert [(e.event_id, e.realm_id, e.entity, e.entity_id, e.operation) for e in events] == [
        ("a", "111", "Bill", "12", "Delete"), ("b", "222", "Vendor", "7", "Update"),
        ("c", "111", "BillPayment", "30", "Create")]


def test_legacy_notifications_give_every_entity_its_notifications_realm_and_a_stable_id():
    body = legacy(("111", [{"name": "Invoice", "id": "5", "operation": "Void", "lastUpdated": "2026-11-20T10:00:00Z"}]),
                  ("222", [{"name": "Customer", "id": "9", "operation": "Merge", "deletedId": "8",
                            "lastUpdated": "2026-11-20T10:01:00Z"}]))
    first, second = parse_delivery(json.dumps(body).encode())
    assert (first.realm_id, first.entity, first.operation) == ("111", "Invoice", "Void")
    assert (second.realm_id, second.operation, second.deleted_id) == ("222", "Merge", "8")
    assert first.event_id.startswith("legacy:") and first.event_id != second.event_id
    assert parse_delivery(json.dumps(body).encode())[0].event_id == first.event_id  # a retry has the same ids


@pytest.mark.parametrize("body", [
    b"", b"not json", b"\xff\xfe", b"null", b"{}", b'{"eventNotifications": {}}', b"[1]",
    b"[" * 100_000 + b"]" * 100_000,
    json.dumps([{**cloudevent("111", "Bill", "1"), "id": ""}]).encode(),
    json.dumps([{**cloudevent("111", "Bill", "1"), "intuitaccountid": "12ab"}]).encode(),
    json.dumps([{**cloudevent("111", "Bill", "1"), "intuitentityid": None}]).encode(),
    json.dumps([{**cloudevent("111", "Bill", "1"), "type": "com.example.thing"}]).encode(),
    json.dumps([{**cloudevent("111", "Bill", "1"), "type": "qbo.bill.exploded.v1"}]).encode(),
    json.dumps(legacy(("111", [{"name": "Bill", "id": "1", "operation": "Teleport"}]))).encode(),
    json.dumps(legacy(("x", [{"name": "Bill", "id": "1", "operation": "Delete"}]))).encode(),
    json.dumps({"eventNotifications": [{"realmId": "111"}]}).encode(),
], ids=["empty", "text", "binary", "null", "object", "notifications-not-list", "number-event", "deep-nesting",
        "empty-id", "bad-realm", "no-entity-id", "foreign-type", "unknown-operation", "legacy-operation",
        "legacy-realm", "no-entities"])
def test_malformed_deliveries_are_refused_whole(body):
    with pytest.raises(MalformedDelivery):
        parse_delivery(body)
