"""Store for vendors and customers (jobs) inBuild asked to create in the company file. Names `qbd_list_adds`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.storage.timeutil import to_db

PENDING, SENDING, DONE, FAILED = "pending", "sending", "done", "failed"


@dataclass(frozen=True)
class ListAdd:
    company_id: int
    realm_id: str
    kind: str  # a mapping kind: vendor, project_customer or project_job
    inbuild_id: int
    status: str
    list_id: str | None
    edit_sequence: str | None
    message: str


def request_list_add(db: Database, company_id: int, realm_id: str, kind: str, inbuild_id: int, now: datetime) -> None:
    """Queue a create for the next Web Connector session (again, if an earlier one failed)."""
    db.execute("INSERT INTO qbd_list_adds (company_id, realm_id, kind, inbuild_id, status, updated_at) "
               "VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT (company_id, realm_id, kind, inbuild_id) DO UPDATE SET "
               "status = 'pending', message = '', updated_at = excluded.updated_at WHERE status = 'failed'",
               [company_id, realm_id, kind, inbuild_id, to_db(now)])


def open_list_adds(db: Database, company_id: int, realm_id: str) -> list[ListAdd]:
    """Creates not finished yet: pending, or sent without an answer (re-sending is safe: names are unique)."""
    rows = db.query("SELECT * FROM qbd_list_adds WHERE company_id = ? AND realm_id = ? "
                    "AND status IN ('pending', 'sending') ORDER BY kind, inbuild_id", [company_id, realm_id])
    return [ListAdd(**{k: v for k, v in r.items() if k != "updated_at"}) for r in rows]


def list_adds(db: Database, company_id: int, realm_id: str) -> list[ListAdd]:
    rows = db.query("SELECT * FROM qbd_list_adds WHERE company_id = ? AND realm_id = ? ORDER BY kind, inbuild_id",
                    [company_id, realm_id])
    return [ListAdd(**{k: v for k, v in r.items() if k != "updated_at"}) for r in rows]


def save_list_add(db: Database, company_id: int, realm_id: str, kind: str, inbuild_id: int, now: datetime,
                  status: str, list_id: str | None = None, edit_sequence: str | None = None,
                  message: str = "") -> None:
    db.execute("UPDATE qbd_list_adds SET status = ?, list_id = COALESCE(?, list_id), "
               "edit_sequence = COALESCE(?, edit_sequence), message = ?, updated_at = ? "
               "WHERE company_id = ? AND realm_id = ? AND kind = ? AND inbuild_id = ?",
               [status, list_id, edit_sequence, message[:500], to_db(now), company_id, realm_id, kind, inbuild_id])
