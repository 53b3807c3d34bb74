"""The emulator's SQLite state: schema and serialised transactions."""
from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clients (
    client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL,
    redirect_uris TEXT NOT NULL, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    sub TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
    given_name TEXT NOT NULL, family_name TEXT NOT NULL,
    phone TEXT NOT NULL, address TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS companies (realm_id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS memberships (
    user_sub TEXT NOT NULL REFERENCES users(sub) ON DELETE CASCADE,
    realm_id TEXT NOT NULL REFERENCES companies(realm_id) ON DELETE CASCADE,
    PRIMARY KEY (user_sub, realm_id));
CREATE TABLE IF NOT EXISTS entities (
    realm_id TEXT NOT NULL REFERENCES companies(realm_id) ON DELETE CASCADE,
    entity TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (realm_id, entity, id));
CREATE TABLE IF NOT EXISTS deleted_entities (
    realm_id TEXT NOT NULL REFERENCES companies(realm_id) ON DELETE CASCADE,
    entity TEXT NOT NULL, id TEXT NOT NULL, deleted_at REAL NOT NULL,
    PRIMARY KEY (realm_id, entity, id));
CREATE TABLE IF NOT EXISTS company_preferences (
    realm_id TEXT PRIMARY KEY REFERENCES companies(realm_id) ON DELETE CASCADE,
    closing_date TEXT, duplicate_doc_number_check INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS grants (
    id INTEGER PRIMARY KEY, client_id TEXT NOT NULL,
    user_sub TEXT NOT NULL REFERENCES users(sub) ON DELETE CASCADE,
    realm_id TEXT, scope TEXT NOT NULL, nonce TEXT, auth_time REAL NOT NULL,
    created_at REAL NOT NULL, hard_expires_at REAL NOT NULL,
    revoked_at REAL, revoked_reason TEXT);
CREATE INDEX IF NOT EXISTS grants_realm ON grants(realm_id);
CREATE TABLE IF NOT EXISTS codes (
    code TEXT PRIMARY KEY, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL,
    user_sub TEXT NOT NULL, realm_id TEXT, scope TEXT NOT NULL,
    code_challenge TEXT, nonce TEXT, auth_time REAL NOT NULL,
    expires_at REAL NOT NULL, used_at REAL,
    grant_id INTEGER REFERENCES grants(id) ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token TEXT PRIMARY KEY,
    grant_id INTEGER NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    issued_at REAL NOT NULL, expires_at REAL NOT NULL, superseded_at REAL);
CREATE INDEX IF NOT EXISTS refresh_tokens_grant ON refresh_tokens(grant_id);
CREATE TABLE IF NOT EXISTS access_tokens (
    token TEXT PRIMARY KEY,
    grant_id INTEGER NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    issued_at REAL NOT NULL, expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS access_tokens_grant ON access_tokens(grant_id);
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, endpoint TEXT NOT NULL,
    remaining INTEGER NOT NULL, seconds REAL NOT NULL, retry_after INTEGER,
    resource TEXT, realm_id TEXT);
CREATE TABLE IF NOT EXISTS id_token_tampers (
    id INTEGER PRIMARY KEY, mutation TEXT NOT NULL, remaining INTEGER NOT NULL, value TEXT);
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY, endpoint TEXT NOT NULL, method TEXT NOT NULL,
    grant_type TEXT, status INTEGER NOT NULL, realm_id TEXT, fault TEXT,
    intuit_tid TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS webhook_outbox (
    id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, realm_id TEXT NOT NULL,
    entity TEXT NOT NULL, entity_id TEXT NOT NULL, operation TEXT NOT NULL, at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, url TEXT NOT NULL, format TEXT NOT NULL,
    body TEXT NOT NULL, events INTEGER NOT NULL, realms TEXT NOT NULL,
    status INTEGER, error TEXT NOT NULL DEFAULT '', redelivery_of INTEGER);
"""


class Database:
    """One SQLite connection per emulator, shared by request threads under a lock."""

    def __init__(self, path: str) -> None:
        self.path = path
        # A single connection serialised by a lock lets ":memory:" work across the
        # threaded server; BEGIN IMMEDIATE still guards against other processes.
        self._lock = threading.RLock()
        self._connection = _connect(path)
        self._connection.executescript(SCHEMA)
        _add_missing_columns(self._connection)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run one atomic read-modify-write; commits on success, rolls back on error."""
        with self._lock:
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._connection.close()


def _connect(path: str) -> sqlite3.Connection:
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=10
    )
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA busy_timeout = 10000")
    connection.execute("PRAGMA foreign_keys = ON")
    if path != ":memory:":
        connection.execute("PRAGMA journal_mode = WAL")
    return connection


# Columns added after a table first shipped (CREATE TABLE IF NOT EXISTS leaves old files alone).
_ADDED_COLUMNS = (("faults", "resource", "TEXT"), ("faults", "realm_id", "TEXT"))


def _add_missing_columns(connection: sqlite3.Connection) -> None:
    for table, column, kind in _ADDED_COLUMNS:
        present = {row["name"] for row in connection.execute(f"PRAGMA table_info({table})")}
        if column not in present:
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """Read one value from the meta table."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row["value"] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Write one value to the meta table."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
