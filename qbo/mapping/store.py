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

    @property
    def confirmed(self) -> bool:
        return self.source in CONFIRMED_SOURCES and not self.stale


def _mapping(row: dict) -> Mapping:
    return Mapping(
        row["kind"], row["inbuild_id"], row["qbo_id"], row["qbo_name"], row["source"], row["confidence"],
        bool(row["shared_ok"]), row["status"] == "stale", row["stale_reason"],
    )


def mappings_for(db: Database, company_id: int, realm_id: str, kind: str) -> dict[int, Mapping]:
    rows = db.query(
        "SELECT * FROM mappings WHERE company_id = ? AND realm_id = ? AND kind = ?", [company_id, realm_id, kind]
    )
    return {row["inbuild_id"]: _mapping(row) for row in rows}


def all_mappings(db: Database, company_id: int, realm_id: str) -> list[Mapping]:
    rows = db.query("SELECT * FROM mappings WHERE company_id = ? AND realm_id = ?", [company_id, realm_id])
    return [_mapping(row) for row in rows]


def save_mapping(
    db: Database, company_id: int, realm_id: str, kind: str, inbuild_id: int, qbo_id: str | None, qbo_name: str,
    source: str, now: datetime, confidence: int = 0, shared_ok: bool = False,
) -> None:
    db.execute(
        "INSERT INTO mappings (company_id, realm_id, kind, inbuild_id, qbo_id, qbo_name, source, confidence, "
        "shared_ok, status, stale_reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok', NULL, ?) "
        "ON CONFLICT (company_id, realm_id, kind, inbuild_id) DO UPDATE SET qbo_id = excluded.qbo_id, "
        "qbo_name = excluded.qbo_name, source = excluded.source, confidence = excluded.confidence, "
        "shared_ok = excluded.shared_ok, status = 'ok', stale_reason = NULL, updated_at = excluded.updated_at",
        [company_id, realm_id, kind, inbuild_id, qbo_id, qbo_name, source, confidence, int(shared_ok), to_db(now)],
    )


def save_suggestions(db: Database, company_id: int, realm_id: str, kind: str, suggestions: list, now: datetime) -> int:
    """Store auto-match results for records that have no mapping yet (never overrides the admin's choices)."""
    existing = mappings_for(db, company_id, realm_id, kind)
    added = 0
    with immediate(db):
        for match in suggestions:
            if match.qbo_id and match.inbuild_id not in existing:
                save_mapping(db, company_id, realm_id, kind, match.inbuild_id, match.qbo_id, match.qbo_name,
                             SUGGESTED, now, confidence=match.confidence)
                added += 1
    return added


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
        "confidence, shared_ok, status, stale_reason, updated_at) SELECT company_id, ?, kind, inbuild_id, qbo_id, "
        "qbo_name, source, confidence, shared_ok, 'stale', ?, ? FROM mappings WHERE company_id = ? AND realm_id = ?",
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
