"""Store for Intuit's webhook events: recorded at once, each routed to its company by its own realm, one row
per event id (a replayed delivery adds nothing), then claimed and settled by the job that processes them.

The only code naming `webhook_events`. It also reads `connections` (never writes it) to route a realm to the one
company whose QuickBooks Online connection to that realm is active.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from qbo.intuit.webhooks import WebhookEvent
from qbo.storage.db import immediate
from qbo.storage.timeutil import to_db

PENDING, PROCESSING, DONE, FAILED = "pending", "processing", "done", "failed"
CLAIM_TIMEOUT = timedelta(minutes=10)  # a worker that died mid-batch gives its claim back after this


@dataclass(frozen=True)
class RecordedDelivery:
    recorded: int  # new events stored
    duplicates: int  # events already stored (a replay, or Intuit retrying)
    ignored: int  # events of realms no company is connected to
    company_ids: tuple[int, ...]  # companies with new events, in first-seen order


@dataclass(frozen=True)
class StoredEvent:
    event_id: str
    company_id: int
    realm_id: str
    entity: str
    entity_id: str
    operation: str
    deleted_id: str | None
    occurred_at: str
    attempts: int


def company_for_realm(db: Database, realm_id: str) -> int | None:
    """The company whose QuickBooks Online connection to this realm is active (at most one, by a unique index)."""
    rows = list(db.query("SELECT company_id FROM connections WHERE provider = 'qbo' AND realm_id = ? "
                         "AND state != 'disconnected'", [realm_id]))
    return rows[0]["company_id"] if rows else None


def record_events(db: Database, events: Iterable[WebhookEvent], now: datetime) -> RecordedDelivery:
    """Store every event whose realm maps to a company, all in one transaction."""
    recorded = duplicates = ignored = 0
    companies: dict[int, None] = {}
    with immediate(db):
        routes: dict[str, int | None] = {}
        for event in events:
            if event.realm_id not in routes:
                routes[event.realm_id] = company_for_realm(db, event.realm_id)
            company_id = routes[event.realm_id]
            if company_id is None:
                ignored += 1
                continue
            cursor = db.execute(
                "INSERT OR IGNORE INTO webhook_events (event_id, company_id, realm_id, entity, entity_id, operation, "
                "deleted_id, occurred_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [event.event_id, company_id, event.realm_id, event.entity, event.entity_id, event.operation,
                 event.deleted_id, event.occurred_at, to_db(now)])
            if cursor.rowcount:
                recorded += 1
                companies[company_id] = None
            else:
                duplicates += 1
    return RecordedDelivery(recorded, duplicates, ignored, tuple(companies))


def claim_events(db: Database, company_id: int, now: datetime, limit: int = 200) -> list[StoredEvent]:
    """Take the company's waiting events (oldest first) for processing; claims older than CLAIM_TIMEOUT return."""
    with immediate(db):
        db.execute("UPDATE webhook_events SET status = 'pending' WHERE company_id = ? AND status = 'processing' "
                   "AND claimed_at < ?", [company_id, to_db(now - CLAIM_TIMEOUT)])
        rows = list(db.query("SELECT * FROM webhook_events WHERE company_id = ? AND status = 'pending' "
                             "ORDER BY received_at, rowid LIMIT ?", [company_id, limit]))
        ids = [row["event_id"] for row in rows]
        db.execute(f"UPDATE webhook_events SET status = 'processing', claimed_at = ? "
                   f"WHERE event_id IN ({', '.join('?' for _ in ids)})", [to_db(now), *ids])
    return [StoredEvent(r["event_id"], r["company_id"], r["realm_id"], r["entity"], r["entity_id"], r["operation"],
                        r["deleted_id"], r["occurred_at"], r["attempts"]) for r in rows]


def finish_event(db: Database, event_id: str, outcome: str, now: datetime, failed: bool = False) -> None:
    db.execute("UPDATE webhook_events SET status = ?, outcome = ?, processed_at = ?, attempts = attempts + 1 "
               "WHERE event_id = ?", [FAILED if failed else DONE, outcome[:500], to_db(now), event_id])


def retry_event(db: Database, event_id: str, outcome: str, now: datetime, max_attempts: int) -> bool:
    """Put an event back for a later pass; False (and failed) once it has had max_attempts."""
    rows = list(db.query("SELECT attempts FROM webhook_events WHERE event_id = ?", [event_id]))
    if not rows or rows[0]["attempts"] + 1 >= max_attempts:
        finish_event(db, event_id, outcome, now, failed=True)
        return False
    db.execute("UPDATE webhook_events SET status = 'pending', outcome = ?, attempts = attempts + 1, claimed_at = NULL "
               "WHERE event_id = ?", [outcome[:500], event_id])
    return True


def companies_with_waiting_events(db: Database, now: datetime) -> list[int]:
    """Companies with events still waiting (or claimed by a worker that is gone), for the periodic sweep."""
    rows = db.query("SELECT DISTINCT company_id FROM webhook_events WHERE status = 'pending' "
                    "OR (status = 'processing' AND claimed_at < ?) ORDER BY company_id",
                    [to_db(now - CLAIM_TIMEOUT)])
    return [row["company_id"] for row in rows]


def forget_processed(db: Database, before: datetime) -> int:
    """Drop settled events received before `before` (their ids no longer need to stop replays)."""
    cursor = db.execute("DELETE FROM webhook_events WHERE status IN ('done', 'failed') AND received_at < ?",
                        [to_db(before)])
    return cursor.rowcount


def events_of(db: Database, company_id: int) -> list[dict]:
    """Every stored event of a company, oldest first (for tests and support)."""
    return list(db.query("SELECT event_id, realm_id, entity, entity_id, operation, status, attempts, outcome "
                         "FROM webhook_events WHERE company_id = ? ORDER BY received_at, rowid", [company_id]))
