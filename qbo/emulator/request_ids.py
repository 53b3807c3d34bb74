"""Idempotent writes: a repeated `requestid` in a company gets the original response back."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

# Kept here rather than in db.SCHEMA so this feature stays self-contained; rows go with their
# company (and so with an emulator reset) through the foreign key.
SCHEMA = """CREATE TABLE IF NOT EXISTS api_request_ids (
    realm_id TEXT NOT NULL REFERENCES companies(realm_id) ON DELETE CASCADE,
    request_id TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (realm_id, request_id))"""


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str


def ensure_request_id_table(conn: sqlite3.Connection) -> None:
    """Create the request-id table if this database lacks it."""
    conn.execute(SCHEMA)


def find_response(conn: sqlite3.Connection, realm_id: str,
                  request_id: str) -> StoredResponse | None:
    """The response first given to this requestid in this company, if any."""
    row = conn.execute(
        "SELECT status, body FROM api_request_ids WHERE realm_id = ? AND request_id = ?",
        (realm_id, request_id),
    ).fetchone()
    return StoredResponse(row["status"], row["body"]) if row else None


def remember_response(conn: sqlite3.Connection, realm_id: str, request_id: str,
                      response: StoredResponse) -> None:
    """Keep a write's response for replays of the same requestid."""
    conn.execute(
        "INSERT OR IGNORE INTO api_request_ids (realm_id, request_id, status, body)"
        " VALUES (?, ?, ?, ?)",
        (realm_id, request_id, response.status, response.body),
    )
