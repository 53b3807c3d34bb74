"""Store for inBuild → QuickBooks mappings, kept per company *and* realm so they outlive connections."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.storage.db import immediate
from qbo.storage.timeutil import to_db

VENDOR, PROJECT_CUSTOMER, PROJECT_JOB, PROJECT_CLASS = "vendor", "project_customer", "project_job", "project_class"
COST_CODE, COST_TYPE = "cost_code", "cost_type"
KINDS = (VENDOR, PROJECT_CUSTOMER, PROJECT_JOB, PROJECT_CLASS, COST_CODE, COST_TYPE)
SUGGESTED, ACCEPTED, MANUAL, CREATED = "suggested", "accepted", "manual", "created"
CONFIRMED_SOURCES = (ACCEPTED, MANUAL, CREATED)


@dataclass(frozen=True)
class Mapping:
    kind: str
    inbuild_id: int
    qbo_id: str | None
    qbo_name: str
    source: str
    confidence: int
    shared_ok: bool
    stale: bool
    stale_reason: str | None
    match_reason: str = ""  # why auto-match suggested it, in a few words

    @property
    def confirmed(self) -> bool:
        return self.source in CONFIRMED_SOURCES and not self.stale


_COLUMNS = "kind, inbuild_id, qbo_id, qbo_name, source, confidence, shared_ok, status, stale_reason, match_reason"


def _mapping(row: dict) -> Mapping:
    return Mapping(
        row["kind"], row["inbuild_id"], row["qbo_id"], row["qbo_name"], row["source"], row["confidence"],
        bool(row["shared_ok"]), row["status"] == "stale", row["stale_reason"], row.get("match_reason") or "",
    )


def _mapping_from(values: tuple) -> Mapping:
    kind, inbuild_id, qbo_id, qbo_name, source, confidence, shared_ok, status, stale_reason, match_reason = values
    return Mapping(kind, inbuild_id, qbo_id, qbo_name, source, confidence, bool(shared_ok), status == "stale",
                   stale_reason, match_reason or "")


def mappings_for(db: Database, company_id: int, realm_id: str, kind: str,
                 inbuild_ids: list[int] | None = None) -> dict[int, Mapping]:
    """The kind's mappings (only those of some records, when given: one page of rows)."""
    sql = f"SELECT {_COLUMNS} FROM mappings WHERE company_id = ? AND realm_id = ? AND kind = ?"
    params: list = [company_id, realm_id, kind]
    if inbuild_ids is not None:
        sql += f" AND inbuild_id IN ({', '.join('?' for _ in inbuild_ids)})"
        params += inbuild_ids
    return {values[1]: _mapping_from(values) for values in db.execute(sql, params).fetchall()}


def mapping_counts(db: Database, company_id: int, realm_id: str, kind: str) -> dict[str, int]:
    """How many mappings are confirmed, suggested and stale."""
    confirmed = ", ".join(f"'{source}'" for source in CONFIRMED_SOURCES)
    row = db.execute(
        f"SELECT sum(status = 'ok' AND source IN ({confirmed})), sum(status = 'ok' AND source = '{SUGGESTED}'), "
        "sum(status = 'stale') FROM mappings WHERE company_id = ? AND realm_id = ? AND kind = ?",
        [company_id, realm_id, kind]).fetchone()
    return {"confirmed": row[0] or 0, "suggested": row[1] or 0, "stale": row[2] or 0}


def all_mappings(db: Database, company_id: int, realm_id: str) -> list[Mapping]:
    rows = db.query("SELECT * FROM mappings WHERE company_id = ? AND realm_id = ?", [company_id, realm_id])
    return [_mapping(row) for row in rows]


def save_mapping(
    db: Database, company_id: int, realm_id: str, kind: str, inbuild_id: int, qbo_id: str | None, qbo_name: str,
    source: str, now: datetime, confidence: int = 0, shared_ok: bool = False, match_reason: str = "",
) -> None:
    db.execute(
        "INSERT INTO mappings (company_id, realm_id, kind, inbuild_id, qbo_id, qbo_name, source, confidence, "
        "shared_ok, status, stale_reason, updated_at, match_reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok', NULL, ?, ?) "
        "ON CONFLICT (company_id, realm_id, kind, inbuild_id) DO UPDATE SET qbo_id = excluded.qbo_id, "
        "qbo_name = excluded.qbo_name, source = excluded.source, confidence = excluded.confidence, "
        "shared_ok = excluded.shared_ok, status = 'ok', stale_reason = NULL, updated_at = excluded.updated_at, "
        "match_reason = excluded.match_reason",
        [company_id, realm_id, kind, inbuild_id, qbo_id, qbo_name, source, confidence, int(shared_ok), to_db(now),
         match_reason],
    )


def save_suggestions(db: Database, company_id: int, realm_id: str, kind: str, suggestions: list, now: datetime) -> int:
    """Store auto-match results for records that have no mapping yet (never overrides the admin's choices)."""
    existing = mappings_for(db, company_id, realm_id, kind)
    added = 0
    with immediate(db):
        for match in suggestions:
            if match.qbo_id and match.inbuild_id not in existing:
                save_mapping(db, company_id, realm_id, kind, match.inbuild_id, match.qbo_id, match.qbo_name,
                             SUGGESTED, now, confidence=match.confidence, match_reason=getattr(match, "why", ""))
                added += 1
    return added


def replace_suggestions(db: Database, company_id: int, realm_id: str, kind: str, suggestions: list,
                        now: datetime) -> int:
    """A fresh auto-match run: earlier suggestions go, the admin's choices stay; returns how many were added."""
    with immediate(db):
        db.execute("DELETE FROM mappings WHERE company_id = ? AND realm_id = ? AND kind = ? AND source = ?",
                   [company_id, realm_id, kind, SUGGESTED])
        return save_suggestions(db, company_id, realm_id, kind, suggestions, now)


def clear_mapping(db: Database, company_id: int, realm_id: str, kind: str, inbuild_id: int) -> None:
    db.execute(
        "DELETE FROM mappings WHERE company_id = ? AND realm_id = ? AND kind = ? AND inbuild_id = ?",
        [company_id, realm_id, kind, inbuild_id],
    )


def accept_suggestions(db: Database, company_id: int, realm_id: str, kind: str, min_confidence: int, now: datetime) -> int:
    cursor = db.execute(
        "UPDATE mappings SET source = ?, updated_at = ? WHERE company_id = ? AND realm_id = ? AND kind = ? "
        "AND source = ? AND confidence >= ? AND status = 'ok'",
        [ACCEPTED, to_db(now), company_id, realm_id, kind, SUGGESTED, min_confidence],
    )
    return cursor.rowcount


def mark_stale(db: Database, company_id: int, realm_id: str, kind: str, inbuild_id: int, reason: str) -> None:
    db.execute(
        "UPDATE mappings SET status = 'stale', stale_reason = ? WHERE company_id = ? AND realm_id = ? "
        "AND kind = ? AND inbuild_id = ?",
        [reason, company_id, realm_id, kind, inbuild_id],
    )


def stale_counts(db: Database, company_id: int, realm_id: str) -> dict[str, int]:
    rows = db.query(
        "SELECT kind, count(*) AS n FROM mappings WHERE company_id = ? AND realm_id = ? AND status = 'stale' "
        "GROUP BY kind",
        [company_id, realm_id],
    )
    return {row["kind"]: row["n"] for row in rows}


def copy_mappings(db: Database, company_id: int, from_realm: str, to_realm: str, reason: str, now: datetime) -> int:
    """Carry mappings to a newly switched-to realm, all marked stale until checked against that realm."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO mappings (company_id, realm_id, kind, inbuild_id, qbo_id, qbo_name, source, "
        "confidence, shared_ok, status, stale_reason, updated_at, match_reason) SELECT company_id, ?, kind, "
        "inbuild_id, qbo_id, qbo_name, source, confidence, shared_ok, 'stale', ?, ?, match_reason FROM mappings "
        "WHERE company_id = ? AND realm_id = ?",
        [to_realm, reason, to_db(now), company_id, from_realm],
    )
    return cursor.rowcount


def usable_mapping(db: Database, company_id: int, realm_id: str, kind: str, inbuild_id: int) -> Mapping | None:
    """The mapping a sync may use: confirmed by the admin and not stale. Anything else means "do not send"."""
    rows = list(
        db.query(
            "SELECT * FROM mappings WHERE company_id = ? AND realm_id = ? AND kind = ? AND inbuild_id = ?",
            [company_id, realm_id, kind, inbuild_id],
        )
    )
    mapping = _mapping(rows[0]) if rows else None
    return mapping if mapping is not None and mapping.confirmed and mapping.qbo_id else None


def set_fresh(db: Database, company_id: int, realm_id: str, kind: str, inbuild_id: int) -> None:
    """The mapped record checked out against the realm: it is usable again."""
    db.execute(
        "UPDATE mappings SET status = 'ok', stale_reason = NULL WHERE company_id = ? AND realm_id = ? "
        "AND kind = ? AND inbuild_id = ?",
        [company_id, realm_id, kind, inbuild_id],
    )


def forget_kinds(db: Database, company_id: int, realm_id: str, kinds: tuple[str, ...]) -> None:
    """Drop mappings that no longer make sense (e.g. cost codes after switching from accounts to items)."""
    db.execute(
        f"DELETE FROM mappings WHERE company_id = ? AND realm_id = ? AND kind IN ({', '.join('?' for _ in kinds)})",
        [company_id, realm_id, *kinds],
    )


def users_of(db: Database, company_id: int, realm_id: str, kind: str, qbo_id: str) -> list[int]:
    """The inBuild records already mapped onto this QuickBooks record."""
    rows = db.query(
        "SELECT inbuild_id FROM mappings WHERE company_id = ? AND realm_id = ? AND kind = ? AND qbo_id = ?",
        [company_id, realm_id, kind, qbo_id],
    )
    return [row["inbuild_id"] for row in rows]
