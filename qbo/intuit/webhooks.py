"""Intuit's webhooks on the wire: the `intuit-signature` check and both body formats. No Flask, no database.

Intuit signs the raw body (HMAC-SHA256 keyed with the app's verifier token, base64 in `intuit-signature`).
Since its 2026 cutover the body is a JSON array of CloudEvents; the legacy shape is an object with
`eventNotifications`, one per realm. Either way a delivery may carry events of several QuickBooks companies,
and every event here carries its own realm.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass

MAX_SIGNATURE_LENGTH = 1024
MAX_EVENTS = 10_000
REALM_ID = re.compile(r"[0-9]{1,32}")
ENTITY_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
EVENT_ID = re.compile(r"[\x21-\x7e]{1,200}")  # printable ASCII, no spaces
OPERATIONS = ("Create", "Update", "Delete", "Merge", "Void", "Emailed")
_PAST_TENSE = {"created": "Create", "updated": "Update", "deleted": "Delete", "merged": "Merge", "voided": "Void",
               "emailed": "Emailed"}
# CloudEvents spell entities in lower case (qbo.billpayment.created.v1); these are the ones we name.
ENTITIES = ("Account", "Bill", "BillPayment", "Class", "Customer", "Invoice", "Item", "Payment", "Vendor")
_BY_LOWER = {name.lower(): name for name in ENTITIES}
_CLOUDEVENT_TYPE = re.compile(r"qbo\.([a-z0-9]{1,64})\.([a-z]{1,32})\.v[0-9]{1,3}")


class MalformedDelivery(ValueError):
    """The body is not a webhook delivery we can read; the message says what is wrong (safe to send back)."""


@dataclass(frozen=True)
class WebhookEvent:
    event_id: str  # the CloudEvent's id, or a digest of a legacy entity's fields (Intuit retries send the same)
    realm_id: str
    entity: str
    entity_id: str
    operation: str
    occurred_at: str
    deleted_id: str | None = None  # a Merge names the record merged away


def signature_is_valid(body: bytes, header: str | None, verifier_token: str) -> bool:
    """Constant-time check of `intuit-signature` against the raw body; False when missing or malformed."""
    if not header or len(header) > MAX_SIGNATURE_LENGTH or not verifier_token:
        return False
    try:
        received = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(expected, received)


def sign(body: bytes, verifier_token: str) -> str:
    """The header value Intuit would send for this body (for tests and tools)."""
    return base64.b64encode(hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()).decode()


def parse_delivery(body: bytes) -> list[WebhookEvent]:
    """Every event in a delivery, in either format; MalformedDelivery if any part of it cannot be read."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise MalformedDelivery("The body is not JSON.") from exc
    if isinstance(data, list):
        events = [_cloudevent(item, n) for n, item in enumerate(data)]
    elif isinstance(data, dict) and isinstance(data.get("eventNotifications"), list):
        events = [event for n, note in enumerate(data["eventNotifications"]) for event in _notification(note, n)]
    else:
        raise MalformedDelivery("Expected a JSON array of CloudEvents or an object with eventNotifications.")
    if len(events) > MAX_EVENTS:
        raise MalformedDelivery(f"More than {MAX_EVENTS} events in one delivery.")
    return events


def _text(value: object, pattern: re.Pattern, what: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise MalformedDelivery(f"{what} is missing or malformed.")
    return value


def _cloudevent(item: object, n: int) -> WebhookEvent:
    if not isinstance(item, dict):
        raise MalformedDelivery(f"Event {n} is not an object.")
    match = _CLOUDEVENT_TYPE.fullmatch(str(item.get("type", "")))
    if match is None or match.group(2) not in _PAST_TENSE:
        raise MalformedDelivery(f"Event {n} has no type of the form qbo.<entity>.<operation>.v<n>.")
    data = item.get("data") if isinstance(item.get("data"), dict) else {}
    deleted = data.get("deletedId") or data.get("deletedid")
    return WebhookEvent(
        event_id=_text(item.get("id"), EVENT_ID, f"Event {n}'s id"),
        realm_id=_text(item.get("intuitaccountid"), REALM_ID, f"Event {n}'s intuitaccountid"),
        entity=_BY_LOWER.get(match.group(1), match.group(1)),
        entity_id=_text(item.get("intuitentityid"), ENTITY_ID, f"Event {n}'s intuitentityid"),
        operation=_PAST_TENSE[match.group(2)],
        occurred_at=str(item.get("time") or "")[:64],
        deleted_id=_text(deleted, ENTITY_ID, f"Event {n}'s deletedId") if deleted else None,
    )


def _notification(note: object, n: int) -> list[WebhookEvent]:
    if not isinstance(note, dict):
        raise MalformedDelivery(f"eventNotifications[{n}] is not an object.")
    realm_id = _text(note.get("realmId"), REALM_ID, f"eventNotifications[{n}].realmId")
    change = note.get("dataChangeEvent")
    entities = change.get("entities") if isinstance(change, dict) else None
    if not isinstance(entities, list):
        raise MalformedDelivery(f"eventNotifications[{n}] has no dataChangeEvent.entities list.")
    return [_legacy_entity(realm_id, entity, f"eventNotifications[{n}].entities[{m}]")
            for m, entity in enumerate(entities)]


def _legacy_entity(realm_id: str, entity: object, where: str) -> WebhookEvent:
    if not isinstance(entity, dict):
        raise MalformedDelivery(f"{where} is not an object.")
    name = _text(entity.get("name"), ENTITY_ID, f"{where}.name")
    entity_id = _text(entity.get("id"), ENTITY_ID, f"{where}.id")
    operation = entity.get("operation")
    if operation not in OPERATIONS:
        raise MalformedDelivery(f"{where}.operation is missing or unknown.")
    occurred_at = str(entity.get("lastUpdated") or "")[:64]
    deleted = entity.get("deletedId")
    fields = "|".join((realm_id, name, entity_id, operation, occurred_at))
    return WebhookEvent(
        event_id="legacy:" + hashlib.sha256(fields.encode()).hexdigest(),
        realm_id=realm_id, entity=name, entity_id=entity_id, operation=operation, occurred_at=occurred_at,
        deleted_id=_text(deleted, ENTITY_ID, f"{where}.deletedId") if deleted else None,
    )
