"""Store for the sync: each record's state per realm, the runs, and one lease per company.

The only code naming `sync_records`, `sync_runs` and `sync_leases`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.storage.db import immediate
from qbo.storage.timeutil import from_db, to_db

SENDING, SYNCED, WAITING, FAILED, WITHDRAWN, DELETED = "sending", "synced", "waiting", "failed", "withdrawn", "deleted"
FINISHED, STOPPED, RUN_FAILED = "finished", "stopped", "failed"


@dataclass(frozen=True)
class SyncRecord:
    company_id: int
    realm_id: str
    kind: str
    record_id: int
    status: str
    version: str
    synced_version: str | None
    request_id: str
    qbo_id: str | None
    sync_token: str | None
    message: str
    fix_kind: str | None
    fix_inbuild_id: int | None
    attempts: int
    updated_at: datetime
    synced_at: datetime | None


@dataclass(frozen=True)
class SyncRun:
    id: int
    company_id: int
    realm_id: str
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    stop_reason: str
    planned: int
    done: int
    created: int
    updated: int
    failed: int
    waiting: int

    @property
    def running(self) -> bool:
        return self.finished_at is None

    @property
    def percent(self) -> int:
        return 100 if not self.planned else min(100, round(100 * self.done / self.planned))


def _sync_record(row: dict) -> SyncRecord:
    return SyncRecord(**{**row, "updated_at": from_db(row["updated_at"]), "synced_at": from_db(row["synced_at"])})


def _run(row: dict) -> SyncRun:
    return SyncRun(**{**row, "started_at": from_db(row["started_at"]), "finished_at": from_db(row["finished_at"])})


# --- records ------------------------------------------------------------------------------------------------------

def sync_records(db: Database, company_id: int, realm_id: str, statuses: Iterable[str] | None = None,
                 kind: str | None = None) -> dict[tuple[str, int], SyncRecord]:
    """(kind, record id) -> state in this realm, optionally only these statuses or this kind."""
    sql, params = "SELECT * FROM sync_records WHERE company_id = ? AND realm_id = ?", [company_id, realm_id]
    if statuses is not None:
        statuses = list(statuses)
        sql += f" AND status IN ({', '.join('?' for _ in statuses)})"
        params += statuses
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    return {(r["kind"], r["record_id"]): _sync_record(r) for r in db.query(sql, params)}


def get_sync_record(db: Database, company_id: int, realm_id: str, kind: str, record_id: int) -> SyncRecord | None:
    rows = list(db.query("SELECT * FROM sync_records WHERE company_id = ? AND realm_id = ? AND kind = ? "
                         "AND record_id = ?", [company_id, realm_id, kind, record_id]))
    return _sync_record(rows[0]) if rows else None


def find_by_qbo_id(db: Database, company_id: int, realm_id: str, kind: str, qbo_id: str) -> SyncRecord | None:
    """The record that became this QuickBooks Id in this realm (what a webhook names), if any."""
    rows = list(db.query("SELECT * FROM sync_records WHERE company_id = ? AND realm_id = ? AND kind = ? "
                         "AND qbo_id = ? ORDER BY updated_at DESC LIMIT 1", [company_id, realm_id, kind, qbo_id]))
    return _sync_record(rows[0]) if rows else None


def synced_in_other_realms(db: Database, company_id: int, realm_id: str) -> set[tuple[str, int]]:
    """Records that went to another QuickBooks company: never re-sent here unless the admin says so."""
    rows = db.query("SELECT kind, record_id FROM sync_records WHERE company_id = ? AND realm_id != ? "
                    "AND qbo_id IS NOT NULL AND status != 'deleted'", [company_id, realm_id])
    return {(r["kind"], r["record_id"]) for r in rows}


def save_state(db: Database, company_id: int, realm_id: str, kind: str, record_id: int, now: datetime,
               **values) -> None:
    """Insert or change one record's state; columns not given keep their stored value."""
    values["updated_at"] = to_db(now)
    if "synced_at" in values:
        values["synced_at"] = to_db(values["synced_at"])
    inserted = {"version": "", "request_id": "", "status": WAITING, **values}
    updates = ", ".join(f"{name} = excluded.{name}" for name in values)
    db.execute(
        f"INSERT INTO sync_records (company_id, realm_id, kind, record_id, {', '.join(inserted)}) "
        f"VALUES (?, ?, ?, ?, {', '.join('?' for _ in inserted)}) "
        f"ON CONFLICT (company_id, realm_id, kind, record_id) DO UPDATE SET {updates}",
        [company_id, realm_id, kind, record_id, *inserted.values()])


def count_by_status(db: Database, company_id: int, realm_id: str) -> dict[str, int]:
    rows = db.query("SELECT status, COUNT(*) AS n FROM sync_records WHERE company_id = ? AND realm_id = ? "
                    "GROUP BY status", [company_id, realm_id])
    return {r["status"]: r["n"] for r in rows}


def sync_issues(db: Database, company_id: int, realm_id: str, offset: int = 0, limit: int = 50) -> list[SyncRecord]:
    """Failed, waiting and withdrawn records, the newest change first."""
    rows = db.query("SELECT * FROM sync_records WHERE company_id = ? AND realm_id = ? "
                    "AND status IN ('failed', 'waiting', 'withdrawn') ORDER BY updated_at DESC, kind, record_id "
                    "LIMIT ? OFFSET ?", [company_id, realm_id, limit, offset])
    return [_sync_record(r) for r in rows]


# --- runs ---------------------------------------------------------------------------------------------------------

def start_run(db: Database, company_id: int, realm_id: str, trigger: str, now: datetime) -> int:
    cursor = db.execute("INSERT INTO sync_runs (company_id, realm_id, trigger, started_at) VALUES (?, ?, ?, ?)",
                        [company_id, realm_id, trigger, to_db(now)])
    return cursor.lastrowid


def add_to_run(db: Database, run_id: int, **counts: int) -> None:
    """Add to a run's counters (planned, done, created, updated, failed, waiting)."""
    assignments = ", ".join(f"{name} = {name} + ?" for name in counts)
    db.execute(f"UPDATE sync_runs SET {assignments} WHERE id = ?", [*counts.values(), run_id])


def finish_run(db: Database, run_id: int, outcome: str, stop_reason: str, now: datetime) -> None:
    db.execute("UPDATE sync_runs SET outcome = ?, stop_reason = ?, finished_at = ? WHERE id = ?",
               [outcome, stop_reason, to_db(now), run_id])


def get_run(db: Database, run_id: int) -> SyncRun | None:
    rows = list(db.query("SELECT * FROM sync_runs WHERE id = ?", [run_id]))
    return _run(rows[0]) if rows else None


def recent_runs(db: Database, company_id: int, offset: int = 0, limit: int = 10) -> list[SyncRun]:
    rows = db.query("SELECT * FROM sync_runs WHERE company_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
                    [company_id, limit, offset])
    return [_run(r) for r in rows]


def count_runs(db: Database, company_id: int) -> int:
    return next(db.query("SELECT COUNT(*) AS n FROM sync_runs WHERE company_id = ?", [company_id]))["n"]


def abandon_unfinished_runs(db: Database, company_id: int, reason: str, now: datetime) -> None:
    """Runs whose worker died (no lease holds them) end as stopped, so the page stops showing progress."""
    db.execute("UPDATE sync_runs SET outcome = 'stopped', stop_reason = ?, finished_at = ? "
               "WHERE company_id = ? AND finished_at IS NULL", [reason, to_db(now), company_id])


# --- the lease: one run per company across processes ---------------------------------------------------------------

def take_lease(db: Database, company_id: int, owner: str, now: float, seconds: float) -> bool:
    """Take the company's sync lease if it is free or expired; False while another worker holds it."""
    with immediate(db):
        rows = list(db.query("SELECT owner, expires_at FROM sync_leases WHERE company_id = ?", [company_id]))
        if rows and rows[0]["owner"] != owner and rows[0]["expires_at"] > now:
            return False
        db.execute("INSERT INTO sync_leases (company_id, owner, expires_at) VALUES (?, ?, ?) "
                   "ON CONFLICT (company_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at",
                   [company_id, owner, now + seconds])
    return True


def renew_lease(db: Database, company_id: int, owner: str, now: float, seconds: float) -> bool:
    """Extend the lease this worker holds; False if it was lost (expired and taken by another)."""
    with immediate(db):
        cursor = db.execute("UPDATE sync_leases SET expires_at = ? WHERE company_id = ? AND owner = ?",
                            [now + seconds, company_id, owner])
    return cursor.rowcount == 1


def release_lease(db: Database, company_id: int, owner: str) -> None:
    with immediate(db):
        db.execute("DELETE FROM sync_leases WHERE company_id = ? AND owner = ?", [company_id, owner])


def lease_holder(db: Database, company_id: int, now: float) -> str | None:
    rows = list(db.query("SELECT owner FROM sync_leases WHERE company_id = ? AND expires_at > ?", [company_id, now]))
    return rows[0]["owner"] if rows else None


def last_run_started(db: Database, company_id: int) -> datetime | None:
    rows = list(db.query("SELECT MAX(started_at) AS at FROM sync_runs WHERE company_id = ?", [company_id]))
    return from_db(rows[0]["at"]) if rows and rows[0]["at"] else None
