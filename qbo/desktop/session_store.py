"""Store for Web Connector sessions (one per ticket), their qbXML steps, and list pages read so far.

The only code naming `qbd_sessions`, `qbd_steps` and `qbd_list_pages`. Tickets are stored hashed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from qbo.storage.db import immediate
from qbo.storage.timeutil import from_db, to_db

OPEN, CLOSED, ENDED = "open", "closed", "ended"
KEEP_SESSIONS = timedelta(days=30)  # finished sessions and their steps, for getLastError and for support
PENDING, SENT, DONE, FAILED = "pending", "sent", "done", "failed"


@dataclass(frozen=True)
class DesktopSession:
    id: int
    company_id: int
    credential_version: int
    state: str
    realm_id: str | None
    qbxml_version: str | None
    run_id: int | None
    last_error: str
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class Step:
    session_id: int
    seq: int
    phase: int
    purpose: str
    entity: str
    record_kind: str | None
    record_id: int | None
    detail: dict
    request_xml: str
    status: str

    @property
    def request_id(self) -> str:
        return f"{self.session_id}-{self.seq}"


def _session(row: dict) -> DesktopSession:
    values = {k: v for k, v in row.items() if k != "ticket_hash"}
    return DesktopSession(**{**values, "created_at": from_db(row["created_at"]),
                             "last_seen_at": from_db(row["last_seen_at"])})


def _step(row: dict) -> Step:
    return Step(**{**row, "detail": json.loads(row["detail"])})


def open_session(db: Database, company_id: int, ticket_hash: str, credential_version: int, now: datetime) -> int:
    """A new session ends the company's other open ones: the Web Connector runs one update at a time, so an older
    ticket belongs to a run that died (its unanswered request is looked up before anything is re-sent)."""
    with immediate(db):
        db.execute("UPDATE qbd_sessions SET state = 'ended', last_error = 'replaced by a newer session' "
                   "WHERE company_id = ? AND state = 'open'", [company_id])
        db.execute("DELETE FROM qbd_sessions WHERE company_id = ? AND state != 'open' AND last_seen_at < ?",
                   [company_id, to_db(now - KEEP_SESSIONS)])
        cursor = db.execute(
            "INSERT INTO qbd_sessions (ticket_hash, company_id, credential_version, state, created_at, last_seen_at) "
            "VALUES (?, ?, ?, 'open', ?, ?)", [ticket_hash, company_id, credential_version, to_db(now), to_db(now)])
    return cursor.lastrowid


def session_by_ticket(db: Database, ticket_hash: str) -> DesktopSession | None:
    rows = list(db.query("SELECT * FROM qbd_sessions WHERE ticket_hash = ?", [ticket_hash]))
    return _session(rows[0]) if rows else None


def get_session(db: Database, session_id: int) -> DesktopSession | None:
    rows = list(db.query("SELECT * FROM qbd_sessions WHERE id = ?", [session_id]))
    return _session(rows[0]) if rows else None


def touch_session(db: Database, session_id: int, now: datetime) -> None:
    db.execute("UPDATE qbd_sessions SET last_seen_at = ? WHERE id = ?", [to_db(now), session_id])


def start_work(db: Database, session_id: int, realm_id: str, qbxml_version: str, run_id: int | None) -> None:
    db.execute("UPDATE qbd_sessions SET realm_id = ?, qbxml_version = ?, run_id = ? WHERE id = ?",
               [realm_id, qbxml_version, run_id, session_id])


def set_session_error(db: Database, session_id: int, message: str) -> None:
    db.execute("UPDATE qbd_sessions SET last_error = ? WHERE id = ?", [message[:1000], session_id])


def end_session(db: Database, session_id: int, state: str) -> None:
    db.execute("UPDATE qbd_sessions SET state = ? WHERE id = ? AND state = 'open'", [state, session_id])


# --- steps: the qbXML requests of one session, in order -----------------------------------------------------------

def add_step(db: Database, session_id: int, phase: int, purpose: str, entity: str, request_xml: str,
             record_kind: str | None = None, record_id: int | None = None, detail: dict | None = None) -> int:
    seq = next(db.query("SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM qbd_steps WHERE session_id = ?",
                        [session_id]))["n"]
    db["qbd_steps"].insert({
        "session_id": session_id, "seq": seq, "phase": phase, "purpose": purpose, "entity": entity,
        "record_kind": record_kind, "record_id": record_id, "detail": json.dumps(detail or {}),
        "request_xml": request_xml, "status": PENDING})
    return seq


def has_steps(db: Database, session_id: int) -> bool:
    return bool(list(db.query("SELECT 1 FROM qbd_steps WHERE session_id = ? LIMIT 1", [session_id])))


def next_pending_step(db: Database, session_id: int) -> Step | None:
    rows = list(db.query("SELECT * FROM qbd_steps WHERE session_id = ? AND status = 'pending' "
                         "ORDER BY phase, seq LIMIT 1", [session_id]))
    return _step(rows[0]) if rows else None


def step_in_flight(db: Database, session_id: int) -> Step | None:
    """The step sent to the Web Connector and not answered yet (at most one)."""
    rows = list(db.query("SELECT * FROM qbd_steps WHERE session_id = ? AND status = 'sent'", [session_id]))
    return _step(rows[0]) if rows else None


def set_step_status(db: Database, session_id: int, seq: int, status: str) -> None:
    db.execute("UPDATE qbd_steps SET status = ? WHERE session_id = ? AND seq = ?", [status, session_id, seq])


def progress(db: Database, session_id: int) -> tuple[int, int]:
    """(answered steps, all steps) of the session."""
    row = next(db.query("SELECT SUM(status IN ('done', 'failed')) AS done, COUNT(*) AS total FROM qbd_steps "
                        "WHERE session_id = ?", [session_id]))
    return row["done"] or 0, row["total"] or 0


# --- list pages: an iterator's pages gathered until the last one arrives --------------------------------------------

def stage_records(db: Database, session_id: int, entity: str, records: list[tuple[str, dict]]) -> None:
    db["qbd_list_pages"].upsert_all(
        ({"session_id": session_id, "entity": entity, "qbo_id": qbo_id, "record": json.dumps(record)}
         for qbo_id, record in records), pk=("session_id", "entity", "qbo_id"))


def take_staged_records(db: Database, session_id: int, entity: str) -> list[dict]:
    with immediate(db):
        rows = [json.loads(r["record"]) for r in db.query(
            "SELECT record FROM qbd_list_pages WHERE session_id = ? AND entity = ?", [session_id, entity])]
        db.execute("DELETE FROM qbd_list_pages WHERE session_id = ? AND entity = ?", [session_id, entity])
    return rows
