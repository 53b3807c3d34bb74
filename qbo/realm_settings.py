"""Store for per-company, per-QuickBooks-company (realm) configuration. It outlives connections."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlite_utils import Database

from qbo.timeutil import to_db


@dataclass(frozen=True)
class RealmSettings:
    company_id: int
    realm_id: str
    sync_bills: bool
    sync_invoices: bool
    sync_start_date: date | None
    setup_complete: bool
    sync_enabled: bool


def get_realm_settings(db: Database, company_id: int, realm_id: str) -> RealmSettings | None:
    rows = list(db.query("SELECT * FROM realm_settings WHERE company_id = ? AND realm_id = ?", [company_id, realm_id]))
    if not rows:
        return None
    row = rows[0]
    start = row["sync_start_date"]
    return RealmSettings(
        company_id=row["company_id"],
        realm_id=row["realm_id"],
        sync_bills=bool(row["sync_bills"]),
        sync_invoices=bool(row["sync_invoices"]),
        sync_start_date=date.fromisoformat(start) if start else None,
        setup_complete=bool(row["setup_complete"]),
        sync_enabled=bool(row["sync_enabled"]),
    )


def is_configured(db: Database, company_id: int, realm_id: str) -> bool:
    settings = get_realm_settings(db, company_id, realm_id)
    return settings is not None and settings.setup_complete


def save_sync_preferences(
    db: Database, company_id: int, realm_id: str, sync_bills: bool, sync_invoices: bool, start: date, now: datetime
) -> None:
    db.execute(
        "INSERT INTO realm_settings (company_id, realm_id, sync_bills, sync_invoices, sync_start_date, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (company_id, realm_id) DO UPDATE SET "
        "sync_bills = excluded.sync_bills, sync_invoices = excluded.sync_invoices, "
        "sync_start_date = excluded.sync_start_date, updated_at = excluded.updated_at",
        [company_id, realm_id, int(sync_bills), int(sync_invoices), start.isoformat(), to_db(now), to_db(now)],
    )


def mark_setup_complete(db: Database, company_id: int, realm_id: str, now: datetime) -> None:
    db.execute(
        "UPDATE realm_settings SET setup_complete = 1, updated_at = ? WHERE company_id = ? AND realm_id = ?",
        [to_db(now), company_id, realm_id],
    )


def set_sync_enabled(db: Database, company_id: int, realm_id: str, enabled: bool, now: datetime) -> None:
    db.execute(
        "UPDATE realm_settings SET sync_enabled = ?, updated_at = ? WHERE company_id = ? AND realm_id = ?",
        [int(enabled), to_db(now), company_id, realm_id],
    )


def carry_over_settings(db: Database, company_id: int, from_realm: str, to_realm: str, now: datetime) -> bool:
    """Give a newly switched-to realm the previous realm's configuration, unless it has its own."""
    if get_realm_settings(db, company_id, to_realm) is not None:
        return False
    db.execute(
        "INSERT INTO realm_settings (company_id, realm_id, sync_bills, sync_invoices, sync_start_date, "
        "setup_complete, sync_enabled, created_at, updated_at) SELECT company_id, ?, sync_bills, sync_invoices, "
        "sync_start_date, setup_complete, sync_enabled, ?, ? FROM realm_settings WHERE company_id = ? AND realm_id = ?",
        [to_realm, to_db(now), to_db(now), company_id, from_realm],
    )
    return get_realm_settings(db, company_id, to_realm) is not None
