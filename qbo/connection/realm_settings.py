"""Store for per-company, per-QuickBooks-company (realm) configuration. It outlives connections."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlite_utils import Database

from qbo.storage.timeutil import to_db


@dataclass(frozen=True)
class RealmSettings:
    company_id: int
    realm_id: str
    sync_bills: bool
    sync_invoices: bool
    sync_start_date: date | None
    setup_complete: bool
    sync_enabled: bool
    line_granularity: str = "cost_code"  # or "cost_type"
    posting_style: str = "account"  # or "item"
    project_mapping: str = "customer"  # "customer", "job" or "both"
    use_classes: bool = False
    ap_account_id: str | None = None
    ap_account_name: str | None = None
    income_ref_id: str | None = None
    income_ref_name: str | None = None
    wizard_step: str = "preferences"


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
        line_granularity=row["line_granularity"],
        posting_style=row["posting_style"],
        project_mapping=row["project_mapping"],
        use_classes=bool(row["use_classes"]),
        ap_account_id=row["ap_account_id"],
        ap_account_name=row["ap_account_name"],
        income_ref_id=row["income_ref_id"],
        income_ref_name=row["income_ref_name"],
        wizard_step=row["wizard_step"],
    )


def is_configured(db: Database, company_id: int, realm_id: str) -> bool:
    settings = get_realm_settings(db, company_id, realm_id)
    return settings is not None and settings.setup_complete


@dataclass(frozen=True)
class Preferences:
    """Step one of the wizard: what syncs, from when, and how lines and projects land in QuickBooks."""

    sync_bills: bool
    sync_invoices: bool
    sync_start_date: date
    line_granularity: str = "cost_code"
    posting_style: str = "account"
    project_mapping: str = "customer"
    use_classes: bool = False


def save_preferences(db: Database, company_id: int, realm_id: str, prefs: Preferences, now: datetime) -> None:
    db.execute(
        "INSERT INTO realm_settings (company_id, realm_id, sync_bills, sync_invoices, sync_start_date, "
        "line_granularity, posting_style, project_mapping, use_classes, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (company_id, realm_id) DO UPDATE SET "
        "sync_bills = excluded.sync_bills, sync_invoices = excluded.sync_invoices, "
        "sync_start_date = excluded.sync_start_date, line_granularity = excluded.line_granularity, "
        "posting_style = excluded.posting_style, project_mapping = excluded.project_mapping, "
        "use_classes = excluded.use_classes, updated_at = excluded.updated_at",
        [company_id, realm_id, int(prefs.sync_bills), int(prefs.sync_invoices), prefs.sync_start_date.isoformat(),
         prefs.line_granularity, prefs.posting_style, prefs.project_mapping, int(prefs.use_classes),
         to_db(now), to_db(now)],
    )


def save_default_accounts(
    db: Database, company_id: int, realm_id: str, ap: tuple[str, str] | None, income: tuple[str, str] | None,
    now: datetime,
) -> None:
    """The AP account for bills and the income item or account for invoices: (id, name) pairs."""
    ap_id, ap_name = ap or (None, None)
    income_id, income_name = income or (None, None)
    db.execute(
        "UPDATE realm_settings SET ap_account_id = ?, ap_account_name = ?, income_ref_id = ?, income_ref_name = ?, "
        "updated_at = ? WHERE company_id = ? AND realm_id = ?",
        [ap_id, ap_name, income_id, income_name, to_db(now), company_id, realm_id],
    )


def set_wizard_step(db: Database, company_id: int, realm_id: str, step: str) -> None:
    db.execute(
        "UPDATE realm_settings SET wizard_step = ? WHERE company_id = ? AND realm_id = ?", [step, company_id, realm_id]
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
        "setup_complete, sync_enabled, line_granularity, posting_style, project_mapping, use_classes, wizard_step, "
        "created_at, updated_at) SELECT company_id, ?, sync_bills, sync_invoices, sync_start_date, setup_complete, "
        "sync_enabled, line_granularity, posting_style, project_mapping, use_classes, wizard_step, ?, ? "
        "FROM realm_settings WHERE company_id = ? AND realm_id = ?",
        [to_realm, to_db(now), to_db(now), company_id, from_realm],
    )
    return get_realm_settings(db, company_id, to_realm) is not None
