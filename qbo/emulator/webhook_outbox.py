"""Webhook events waiting to be sent, the bodies Intuit would send for them, and the delivery log.

A write records its event in the same transaction as the change, so only committed changes are ever sent
(and a batch item rolled back to its savepoint takes its event with it).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from .resources import LIST_ENTITIES

# CloudEvents name the operation in the past tense: qbo.<entity>.<created|updated|...>.v1
PAST_TENSE = {"Create": "created", "Update": "updated", "Delete": "deleted", "Merge": "merged", "Void": "voided",
              "Emailed": "emailed"}
DELIVERY_LOG_SIZE = 100


@dataclass(frozen=True)
class Change:
    realm_id: str
    entity: str
    entity_id: str
    operation: str  # Create, Update, Delete, Merge, Void


@dataclass(frozen=True)
class PendingEvent:
    id: int
    event_id: str
    realm_id: str
    entity: str
    entity_id: str
    operation: str
    at: float
    attempts: int


def change_of_write(realm_id: str, entity: str, operation: str | None, body: object, saved: dict) -> Change:
    """The event a successful API write makes (operation: None/update, create, delete or void)."""
    entity_id = str(saved.get("Id", ""))
    if operation == "delete":
        return Change(realm_id, entity, entity_id, "Delete")
    if operation == "void":
        return Change(realm_id, entity, entity_id, "Void")
    if str(saved.get("SyncToken")) == "0":
        return Change(realm_id, entity, entity_id, "Create")
    # QuickBooks never deletes a name-list record: "delete" makes it inactive, and that is what it reports.
    made_inactive = isinstance(body, dict) and body.get("Active") is False and saved.get("Active") is False
    return Change(realm_id, entity, entity_id, "Delete" if entity in LIST_ENTITIES and made_inactive else "Update")


def record_changes(conn: sqlite3.Connection, changes: list[Change], at: float) -> int:
    for change in changes:
        conn.execute(
            "INSERT INTO webhook_outbox (event_id, realm_id, entity, entity_id, operation, at, attempts,"
            " next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0)",
            (str(uuid.uuid4()), change.realm_id, change.entity, change.entity_id, change.operation, at))
    return len(changes)


def due_events(conn: sqlite3.Connection, at: float, limit: int) -> list[PendingEvent]:
    rows = conn.execute("SELECT * FROM webhook_outbox WHERE next_attempt_at <= ? ORDER BY id LIMIT ?",
                        (at, limit)).fetchall()
    return [PendingEvent(row["id"], row["event_id"], row["realm_id"], row["entity"], row["entity_id"],
                         row["operation"], row["at"], row["attempts"]) for row in rows]


def next_attempt_at(conn: sqlite3.Connection) -> float | None:
    row = conn.execute("SELECT MIN(next_attempt_at) AS at FROM webhook_outbox").fetchone()
    return row["at"]


def pending_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) AS n FROM webhook_outbox").fetchone()["n"]


def settle(conn: sqlite3.Connection, events: list[PendingEvent], delivered: bool, retry_at: float | None) -> None:
    """Drop delivered events (or ones out of attempts); otherwise count the attempt and wait until retry_at."""
    ids = [event.id for event in events]
    marks = ", ".join("?" for _ in ids)
    if delivered or retry_at is None:
        conn.execute(f"DELETE FROM webhook_outbox WHERE id IN ({marks})", ids)
    else:
        conn.execute(f"UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id IN ({marks})",
                     [retry_at, *ids])


def clear_outbox(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM webhook_outbox")
    conn.execute("DELETE FROM webhook_deliveries")


def _utc(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def cloudevents_body(events: list[PendingEvent]) -> bytes:
    """Intuit's 2026 format: one JSON array of CloudEvents, realms mixed, each event with its own id."""
    return _json([{
        "specversion": "1.0", "id": event.event_id, "source": "intuit.emulator",
        "type": f"qbo.{event.entity.lower()}.{PAST_TENSE[event.operation]}.v1",
        "datacontenttype": "application/json", "time": _utc(event.at),
        "intuitentityid": event.entity_id, "intuitaccountid": event.realm_id, "data": {},
    } for event in events])


def legacy_body(events: list[PendingEvent]) -> bytes:
    """The legacy eventNotifications shape: one notification per realm, in the order realms first appear."""
    by_realm: dict[str, list[dict]] = {}
    for event in events:
        by_realm.setdefault(event.realm_id, []).append(
            {"name": event.entity, "id": event.entity_id, "operation": event.operation,
             "lastUpdated": _utc(event.at)})
    return _json({"eventNotifications": [
        {"realmId": realm_id, "dataChangeEvent": {"entities": entities}} for realm_id, entities in by_realm.items()]})


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def signature(verifier_token: str, body: bytes) -> str:
    """The intuit-signature header: base64 of HMAC-SHA256 over the raw body, keyed with the verifier token."""
    return base64.b64encode(hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()).decode()


# --- the delivery log -----------------------------------------------------------------------------------------------

def body_summary(body: bytes, fmt: str) -> tuple[int, list[str]]:
    """How many events a body carries, and for which realms."""
    data = json.loads(body)
    if fmt == "cloudevents":
        return len(data), sorted({event["intuitaccountid"] for event in data})
    notes = data["eventNotifications"]
    return sum(len(note["dataChangeEvent"]["entities"]) for note in notes), sorted({n["realmId"] for n in notes})


def log_delivery(conn: sqlite3.Connection, at: float, url: str, fmt: str, body: bytes, status: int | None,
                 error: str, redelivery_of: int | None = None) -> int:
    count, realms = body_summary(body, fmt)
    cursor = conn.execute(
        "INSERT INTO webhook_deliveries (at, url, format, body, events, realms, status, error, redelivery_of)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (at, url, fmt, body.decode(), count, ",".join(realms), status, error, redelivery_of))
    conn.execute("DELETE FROM webhook_deliveries WHERE id <= ?", (cursor.lastrowid - DELIVERY_LOG_SIZE,))
    return cursor.lastrowid


def list_deliveries(conn: sqlite3.Connection, limit: int = 20) -> list[dict]:
    """The newest deliveries first, bodies included (they carry ids only, like Intuit's)."""
    rows = conn.execute("SELECT * FROM webhook_deliveries ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [{"id": row["id"], "at": _utc(row["at"]), "url": row["url"], "format": row["format"],
             "events": row["events"], "realms": row["realms"].split(",") if row["realms"] else [],
             "status": row["status"], "error": row["error"], "redelivery_of": row["redelivery_of"],
             "body": json.loads(row["body"])} for row in rows]


def delivered_body(conn: sqlite3.Connection, delivery_id: int) -> tuple[bytes, str] | None:
    row = conn.execute("SELECT body, format FROM webhook_deliveries WHERE id = ?", (delivery_id,)).fetchone()
    return (row["body"].encode(), row["format"]) if row else None
