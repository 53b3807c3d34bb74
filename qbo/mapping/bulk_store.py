"""Store for "Create all unmapped in QuickBooks": one row per run, one per record it creates, in Batch chunks."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.storage.db import immediate
from qbo.storage.timeutil import to_db

RUNNING, PAUSED, FINISHED = "running", "paused", "finished"
PENDING, CREATED, LINKED, FAILED = "pending", "created", "linked", "failed"


@dataclass(frozen=True)
class BulkCreate:
    id: int
    kind: str
    status: str
    message: str
    request_key: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.total - self.counts.get(PENDING, 0)


@dataclass(frozen=True)
class BulkItem:
    inbuild_id: int
    qbo_name: str
    status: str
    chunk: int | None
    qbo_id: str | None
    message: str


def start_bulk(db: Database, company_id: int, realm_id: str, kind: str, names: list[tuple[int, str]],
               now: datetime) -> int:
    """A new run over these (inbuild id, QuickBooks name) pairs, all pending."""
    with immediate(db):
        cursor = db.execute(
            "INSERT INTO bulk_creates (company_id, realm_id, kind, request_key, status, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", [company_id, realm_id, kind, uuid.uuid4().hex, RUNNING, to_db(now)])
        bulk_id = cursor.lastrowid
        db["bulk_create_items"].insert_all(
            {"bulk_id": bulk_id, "position": position, "inbuild_id": inbuild_id, "qbo_name": name, "status": PENDING}
            for position, (inbuild_id, name) in enumerate(names))
    return bulk_id


def _bulk(db: Database, row: dict) -> BulkCreate:
    counts = {r["status"]: r["n"] for r in db.query(
        "SELECT status, count(*) AS n FROM bulk_create_items WHERE bulk_id = ? GROUP BY status", [row["id"]])}
    return BulkCreate(row["id"], row["kind"], row["status"], row["message"], row["request_key"], counts)


def get_bulk(db: Database, company_id: int, realm_id: str, bulk_id: int) -> BulkCreate | None:
    """The run, only if it belongs to this company and realm."""
    rows = list(db.query("SELECT * FROM bulk_creates WHERE id = ? AND company_id = ? AND realm_id = ?",
                         [bulk_id, company_id, realm_id]))
    return _bulk(db, rows[0]) if rows else None


def latest_bulk(db: Database, company_id: int, realm_id: str, kind: str,
                unfinished_only: bool = False) -> BulkCreate | None:
    sql = "SELECT * FROM bulk_creates WHERE company_id = ? AND realm_id = ? AND kind = ?"
    if unfinished_only:
        sql += f" AND status != '{FINISHED}'"
    rows = list(db.query(sql + " ORDER BY id DESC LIMIT 1", [company_id, realm_id, kind]))
    return _bulk(db, rows[0]) if rows else None


def _item(row: dict) -> BulkItem:
    return BulkItem(row["inbuild_id"], row["qbo_name"], row["status"], row["chunk"], row["qbo_id"], row["message"])


def take_chunk(db: Database, bulk_id: int, size: int) -> tuple[int, list[BulkItem]]:
    """The next chunk to send: one sent before without an answer is sent again under the same number."""
    with immediate(db):
        row = db.execute("SELECT min(chunk) FROM bulk_create_items WHERE bulk_id = ? AND status = ? "
                         "AND chunk IS NOT NULL", [bulk_id, PENDING]).fetchone()
        chunk = row[0]
        if chunk is None:
            chunk = 1 + (db.execute("SELECT coalesce(max(chunk), 0) FROM bulk_create_items WHERE bulk_id = ?",
                                    [bulk_id]).fetchone()[0])
            db.execute("UPDATE bulk_create_items SET chunk = ? WHERE bulk_id = ? AND inbuild_id IN ("
                       "SELECT inbuild_id FROM bulk_create_items WHERE bulk_id = ? AND status = ? AND chunk IS NULL "
                       "ORDER BY position LIMIT ?)", [chunk, bulk_id, bulk_id, PENDING, size])
        rows = db.query("SELECT * FROM bulk_create_items WHERE bulk_id = ? AND chunk = ? AND status = ? "
                        "ORDER BY position", [bulk_id, chunk, PENDING])
        return chunk, [_item(r) for r in rows]


def finish_item(db: Database, bulk_id: int, inbuild_id: int, status: str, qbo_id: str | None = None,
                message: str = "") -> None:
    db.execute("UPDATE bulk_create_items SET status = ?, qbo_id = ?, message = ? WHERE bulk_id = ? AND inbuild_id = ?",
               [status, qbo_id, message, bulk_id, inbuild_id])


def set_bulk_status(db: Database, bulk_id: int, status: str, now: datetime, message: str = "") -> None:
    db.execute("UPDATE bulk_creates SET status = ?, message = ?, finished_at = ? WHERE id = ?",
               [status, message, to_db(now) if status == FINISHED else None, bulk_id])


def items_of(db: Database, bulk_id: int, statuses: tuple[str, ...], chunk: int | None = None,
             limit: int = 200) -> list[BulkItem]:
    sql = (f"SELECT * FROM bulk_create_items WHERE bulk_id = ? AND status IN ({', '.join('?' for _ in statuses)})"
           + (" AND chunk = ?" if chunk is not None else "") + " ORDER BY position LIMIT ?")
    params = [bulk_id, *statuses, *([chunk] if chunk is not None else []), limit]
    return [_item(r) for r in db.query(sql, params)]
