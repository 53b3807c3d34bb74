"""The QuickBooks Desktop integration's `connections` row (provider `qbd`): the Desktop side's only way to the table.

That row is what makes Desktop count as the company's one active integration (the partial unique index of m002),
so issuing a Web Connector link and connecting QuickBooks Online exclude each other in the database itself.
"""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from qbo.connection.store import QBD
from qbo.storage.timeutil import to_db


def desktop_state(db: Database, company_id: int) -> str | None:
    """The row's state ('connected', 'error', 'disconnected'), or None when there is none."""
    rows = list(db.query("SELECT state FROM connections WHERE company_id = ? AND provider = ?", [company_id, QBD]))
    return rows[0]["state"] if rows else None


def activate_desktop(db: Database, company_id: int, now: datetime) -> None:
    """Desktop becomes the active integration; sqlite3.IntegrityError when another one is (the unique index)."""
    db.execute(
        "INSERT INTO connections (company_id, provider, state, connected_at, updated_at) "
        "VALUES (?, ?, 'connected', ?, ?) ON CONFLICT (company_id, provider) DO UPDATE SET "
        "state = 'connected', realm_id = NULL, company_name = NULL, last_error = NULL, "
        "connected_at = excluded.connected_at, disconnected_at = NULL, updated_at = excluded.updated_at",
        [company_id, QBD, to_db(now), to_db(now)])


def deactivate_desktop(db: Database, company_id: int, now: datetime) -> None:
    db.execute("UPDATE connections SET state = 'disconnected', disconnected_at = ?, updated_at = ? "
               "WHERE company_id = ? AND provider = ? AND state != 'disconnected'",
               [to_db(now), to_db(now), company_id, QBD])


def desktop_failed(db: Database, company_id: int, message: str, now: datetime) -> None:
    """The card shows the error until the next good session; a disconnected row stays disconnected."""
    db.execute("UPDATE connections SET state = 'error', last_error = ?, updated_at = ? "
               "WHERE company_id = ? AND provider = ? AND state != 'disconnected'",
               [message[:1000], to_db(now), company_id, QBD])


def desktop_recovered(db: Database, company_id: int, now: datetime) -> None:
    db.execute("UPDATE connections SET state = 'connected', last_error = NULL, last_checked_at = ?, updated_at = ? "
               "WHERE company_id = ? AND provider = ? AND state = 'error'", [to_db(now), to_db(now), company_id, QBD])


def desktop_company_file(db: Database, company_id: int, realm_id: str, company_name: str | None,
                         now: datetime) -> None:
    """The company file the Web Connector opened is the integration's realm (mappings are kept per realm)."""
    db.execute("UPDATE connections SET realm_id = ?, company_name = ?, updated_at = ? "
               "WHERE company_id = ? AND provider = ? AND state != 'disconnected'",
               [realm_id, company_name, to_db(now), company_id, QBD])
