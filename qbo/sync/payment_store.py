"""Store for payments read back from QuickBooks: each synced record's payment status, the payments seen and the
records each one touches, and one change-data-capture cursor per company and realm.

The only code naming `payment_statuses`, `qbo_payments`, `payment_links` and `payment_cursors`. It also reads
`sync_records` (never writes it), so only records synced to that company and realm are ever given a status, and
`connections` to find the companies due a check.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlite_utils import Database

from qbo.storage.timeutil import from_db, to_db
from qbo.sync.payments import PaymentState, PaymentStatus

SQL_VARIABLES_PER_QUERY = 500  # well under SQLite's limit on ? placeholders


@dataclass(frozen=True)
class StoredPaymentStatus:
    status: PaymentStatus
    checked_at: datetime


@dataclass(frozen=True)
class PaymentCursor:
    changed_since: str | None  # QuickBooks' own timestamp to ask change data capture from; None: never read
    attempted_at: datetime
    checked_at: datetime | None
    last_outcome: str


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), SQL_VARIABLES_PER_QUERY):
        yield values[start:start + SQL_VARIABLES_PER_QUERY]


def _marks(values: list) -> str:
    return ", ".join("?" for _ in values)


# --- which records inBuild synced there ------------------------------------------------------------------------------

def synced_documents(db: Database, company_id: int, realm_id: str, kind: str,
                     qbo_ids: Iterable[str] | None = None) -> dict[str, int]:
    """QuickBooks Id -> inBuild record id of the company's records in QuickBooks in this realm (all, or these)."""
    sql = ("SELECT qbo_id, record_id FROM sync_records WHERE company_id = ? AND realm_id = ? AND kind = ? "
           "AND qbo_id IS NOT NULL AND status != 'deleted'")
    params = [company_id, realm_id, kind]
    if qbo_ids is None:
        return {row["qbo_id"]: row["record_id"] for row in db.query(sql, params)}
    found: dict[str, int] = {}
    for chunk in _chunks(list(dict.fromkeys(qbo_ids))):
        rows = db.query(f"{sql} AND qbo_id IN ({_marks(chunk)})", [*params, *chunk])
        found.update({row["qbo_id"]: row["record_id"] for row in rows})
    return found


def has_synced_documents(db: Database, company_id: int, realm_id: str) -> bool:
    """Whether any of the company's bills or invoices are in QuickBooks in this realm."""
    rows = db.query("SELECT 1 FROM sync_records WHERE company_id = ? AND realm_id = ? AND qbo_id IS NOT NULL "
                    "AND status != 'deleted' LIMIT 1", [company_id, realm_id])
    return next(iter(rows), None) is not None


# --- statuses -------------------------------------------------------------------------------------------------------

def save_payment_status(db: Database, company_id: int, realm_id: str, kind: str, record_id: int,
                        status: PaymentStatus, read_token: str, now: datetime) -> bool:
    """Store what a read of the record said; a read older than the stored one (a lower SyncToken) changes nothing."""
    cursor = db.execute(
        "INSERT INTO payment_statuses (company_id, realm_id, kind, record_id, state, total_cents, balance_cents, "
        "paid_on, read_token, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (company_id, realm_id, kind, record_id) DO UPDATE SET state = excluded.state, "
        "total_cents = excluded.total_cents, balance_cents = excluded.balance_cents, paid_on = excluded.paid_on, "
        "read_token = excluded.read_token, checked_at = excluded.checked_at "
        "WHERE CAST(excluded.read_token AS INTEGER) >= CAST(payment_statuses.read_token AS INTEGER)",
        [company_id, realm_id, kind, record_id, status.state.value, status.total_cents, status.balance_cents,
         status.paid_on.isoformat() if status.paid_on else None, read_token, to_db(now)])
    return cursor.rowcount == 1


def _stored_status(row: dict) -> StoredPaymentStatus:
    paid_on = date.fromisoformat(row["paid_on"]) if row["paid_on"] else None
    status = PaymentStatus(PaymentState(row["state"]), row["total_cents"], row["balance_cents"], paid_on)
    return StoredPaymentStatus(status, from_db(row["checked_at"]))


def payment_statuses(db: Database, company_id: int, realm_id: str, kind: str,
                     record_ids: Iterable[int] | None = None) -> dict[int, StoredPaymentStatus]:
    """record id -> its payment status in this realm (all the kind's records, or only these)."""
    sql, params = ("SELECT * FROM payment_statuses WHERE company_id = ? AND realm_id = ? AND kind = ?",
                   [company_id, realm_id, kind])
    if record_ids is not None:
        ids = list(record_ids)
        if not ids:
            return {}
        sql += f" AND record_id IN ({_marks(ids)})"
        params += ids
    return {row["record_id"]: _stored_status(row) for row in db.query(sql, params)}


# --- payments and the records they touch ------------------------------------------------------------------------------

def save_payment(db: Database, company_id: int, realm_id: str, entity: str, payment_id: str,
                 paid_on: date | None) -> None:
    db.execute("INSERT INTO qbo_payments (company_id, realm_id, entity, payment_id, txn_date) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (company_id, realm_id, entity, payment_id) DO UPDATE SET txn_date = excluded.txn_date",
               [company_id, realm_id, entity, payment_id, paid_on.isoformat() if paid_on else None])


def payment_dates(db: Database, company_id: int, realm_id: str, entity: str,
                  payment_ids: Iterable[str]) -> dict[str, date | None]:
    """payment Id -> its TxnDate, for the payments of these Ids already read."""
    found: dict[str, date | None] = {}
    for chunk in _chunks(list(dict.fromkeys(payment_ids))):
        rows = db.query(f"SELECT payment_id, txn_date FROM qbo_payments WHERE company_id = ? AND realm_id = ? "
                        f"AND entity = ? AND payment_id IN ({_marks(chunk)})", [company_id, realm_id, entity, *chunk])
        found.update({row["payment_id"]: date.fromisoformat(row["txn_date"]) if row["txn_date"] else None
                      for row in rows})
    return found


def forget_payment(db: Database, company_id: int, realm_id: str, entity: str, payment_id: str) -> None:
    """A payment deleted in QuickBooks: drop it and its links."""
    for table in ("qbo_payments", "payment_links"):
        db.execute(f"DELETE FROM {table} WHERE company_id = ? AND realm_id = ? AND entity = ? AND payment_id = ?",
                   [company_id, realm_id, entity, payment_id])


def documents_paid_by(db: Database, company_id: int, realm_id: str, entity: str, payment_id: str) -> list[str]:
    """QuickBooks Ids of the synced records this payment was last seen touching."""
    rows = db.query("SELECT qbo_id FROM payment_links WHERE company_id = ? AND realm_id = ? AND entity = ? "
                    "AND payment_id = ? ORDER BY qbo_id", [company_id, realm_id, entity, payment_id])
    return [row["qbo_id"] for row in rows]


def link_payment(db: Database, company_id: int, realm_id: str, entity: str, payment_id: str,
                 qbo_ids: Iterable[str]) -> None:
    """Note that this payment touches these records (links already stored are kept)."""
    db.conn.executemany("INSERT OR IGNORE INTO payment_links (company_id, realm_id, entity, payment_id, qbo_id) "
                   "VALUES (?, ?, ?, ?, ?)",
                   [(company_id, realm_id, entity, payment_id, qbo_id) for qbo_id in dict.fromkeys(qbo_ids)])


def replace_document_links(db: Database, company_id: int, realm_id: str, entity: str, qbo_id: str,
                           payment_ids: Iterable[str]) -> None:
    """The payments touching this record are exactly these, as the record itself now says."""
    db.execute("DELETE FROM payment_links WHERE company_id = ? AND realm_id = ? AND entity = ? AND qbo_id = ?",
               [company_id, realm_id, entity, qbo_id])
    db.conn.executemany("INSERT OR IGNORE INTO payment_links (company_id, realm_id, entity, payment_id, qbo_id) "
                   "VALUES (?, ?, ?, ?, ?)",
                   [(company_id, realm_id, entity, payment_id, qbo_id) for payment_id in dict.fromkeys(payment_ids)])


# --- the change-data-capture cursor -----------------------------------------------------------------------------------

def get_cursor(db: Database, company_id: int, realm_id: str) -> PaymentCursor | None:
    rows = list(db.query("SELECT * FROM payment_cursors WHERE company_id = ? AND realm_id = ?", [company_id, realm_id]))
    if not rows:
        return None
    row = rows[0]
    return PaymentCursor(row["changed_since"], from_db(row["attempted_at"]), from_db(row["checked_at"]),
                         row["last_outcome"])


def note_attempt(db: Database, company_id: int, realm_id: str, outcome: str, now: datetime) -> None:
    """A check ran (or could not): it is not due again for a while; the cursor stays where it was."""
    db.execute("INSERT INTO payment_cursors (company_id, realm_id, attempted_at, last_outcome) VALUES (?, ?, ?, ?) "
               "ON CONFLICT (company_id, realm_id) DO UPDATE SET attempted_at = excluded.attempted_at, "
               "last_outcome = excluded.last_outcome", [company_id, realm_id, to_db(now), outcome[:500]])


def advance_cursor(db: Database, company_id: int, realm_id: str, changed_since: str, outcome: str,
                   now: datetime) -> None:
    """A check read everything up to `changed_since`: the next one asks from there."""
    db.execute("INSERT INTO payment_cursors (company_id, realm_id, changed_since, attempted_at, checked_at, "
               "last_outcome) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (company_id, realm_id) DO UPDATE SET "
               "changed_since = excluded.changed_since, attempted_at = excluded.attempted_at, "
               "checked_at = excluded.checked_at, last_outcome = excluded.last_outcome",
               [company_id, realm_id, changed_since, to_db(now), to_db(now), outcome[:500]])


def companies_due_a_payment_check(db: Database, attempted_before: datetime) -> list[tuple[int, str]]:
    """(company, realm) of usable QuickBooks Online connections not checked since `attempted_before`."""
    rows = db.query(
        "SELECT c.company_id, c.realm_id FROM connections c LEFT JOIN payment_cursors p ON p.company_id = c.company_id "
        "AND p.realm_id = c.realm_id WHERE c.provider = 'qbo' AND c.state IN ('connected', 'error') "
        "AND c.realm_id IS NOT NULL AND (p.attempted_at IS NULL OR p.attempted_at < ?) ORDER BY c.company_id",
        [to_db(attempted_before)])
    return [(row["company_id"], row["realm_id"]) for row in rows]
