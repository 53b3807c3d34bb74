"""Store for when payments were last read back from each company file (`qbd_payment_reads`, the only code naming
it). What each read found is kept by the sync's own payment store."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from qbo.storage.timeutil import from_db, to_db


def last_payment_read(db: Database, company_id: int, realm_id: str) -> datetime | None:
    rows = list(db.query("SELECT read_at FROM qbd_payment_reads WHERE company_id = ? AND realm_id = ?",
                         [company_id, realm_id]))
    return from_db(rows[0]["read_at"]) if rows else None


def note_payment_read(db: Database, company_id: int, realm_id: str, now: datetime) -> None:
    """A session planned its payment reads now (inside the caller's transaction)."""
    db.execute("INSERT INTO qbd_payment_reads (company_id, realm_id, read_at) VALUES (?, ?, ?) "
               "ON CONFLICT (company_id, realm_id) DO UPDATE SET read_at = excluded.read_at",
               [company_id, realm_id, to_db(now)])
