"""Per-company preferences the transaction rules obey: the books-closing date, DocNumber checks."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Mapping


@dataclass(frozen=True)
class CompanyPreferences:
    # Books are closed through this date (inclusive), as QBO's AccountingInfoPrefs.BookCloseDate.
    closing_date: str | None = None
    duplicate_doc_number_check: bool = True

    def as_json(self) -> dict:
        """The preferences as a JSON-ready dict."""
        return {"closing_date": self.closing_date,
                "duplicate_doc_number_check": self.duplicate_doc_number_check}


def load_preferences(conn: sqlite3.Connection, realm_id: str) -> CompanyPreferences:
    """A company's preferences (defaults when never set)."""
    row = conn.execute("SELECT * FROM company_preferences WHERE realm_id = ?",
                       (realm_id,)).fetchone()
    if row is None:
        return CompanyPreferences()
    return CompanyPreferences(row["closing_date"], bool(row["duplicate_doc_number_check"]))


def save_preferences(conn: sqlite3.Connection, realm_id: str,
                     preferences: CompanyPreferences) -> None:
    """Store a company's preferences."""
    conn.execute(
        "INSERT INTO company_preferences (realm_id, closing_date, duplicate_doc_number_check)"
        " VALUES (?, ?, ?) ON CONFLICT(realm_id) DO UPDATE SET"
        " closing_date = excluded.closing_date,"
        " duplicate_doc_number_check = excluded.duplicate_doc_number_check",
        (realm_id, preferences.closing_date, int(preferences.duplicate_doc_number_check)),
    )


def parse_preferences(data: Mapping, current: CompanyPreferences) -> CompanyPreferences:
    """Apply a change to the current preferences; ValueError on bad input."""
    closing_date = data.get("closing_date", current.closing_date) or None
    if closing_date is not None:
        try:
            closing_date = date.fromisoformat(str(closing_date)).isoformat()
        except ValueError:
            raise ValueError("closing_date must be a date YYYY-MM-DD (or null)") from None
    check = data.get("duplicate_doc_number_check", current.duplicate_doc_number_check)
    if isinstance(check, str):
        check = check.lower() in ("1", "true", "on", "yes")
    if not isinstance(check, bool):
        raise ValueError("duplicate_doc_number_check must be true or false")
    return CompanyPreferences(closing_date, check)
