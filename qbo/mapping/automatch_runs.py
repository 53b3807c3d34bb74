"""Store for the inputs auto-match last ran on, per company, realm and kind: it runs again only when they change."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from qbo.storage.timeutil import to_db


def last_inputs_digest(db: Database, company_id: int, realm_id: str, kind: str) -> str | None:
    row = db.execute(
        "SELECT inputs_digest FROM automatch_runs WHERE company_id = ? AND realm_id = ? AND kind = ?",
        [company_id, realm_id, kind],
    ).fetchone()
    return row[0] if row else None


def record_run(db: Database, company_id: int, realm_id: str, kind: str, inputs_digest: str, now: datetime) -> None:
    db.execute(
        "INSERT OR REPLACE INTO automatch_runs (company_id, realm_id, kind, inputs_digest, ran_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [company_id, realm_id, kind, inputs_digest, to_db(now)],
    )


def forget_runs(db: Database, company_id: int, realm_id: str, kinds: tuple[str, ...]) -> None:
    """Auto-match runs again on the next view of these kinds (their mappings were dropped)."""
    db.execute(f"DELETE FROM automatch_runs WHERE company_id = ? AND realm_id = ? AND kind IN "
               f"({', '.join('?' for _ in kinds)})", [company_id, realm_id, *kinds])
