"""Store for the realm's QuickBooks records the wizard maps onto (a refreshed copy of the API's lists)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.storage.db import immediate
from qbo.storage.timeutil import from_db, to_db

ENTITIES = ("Vendor", "Customer", "Item", "Account", "Class")
EXPENSE_ACCOUNT_TYPES = ("Expense", "Cost of Goods Sold", "Other Expense")
INCOME_ACCOUNT_TYPES = ("Income", "Other Income")
AP_ACCOUNT_TYPES = ("Accounts Payable",)


@dataclass(frozen=True)
class QboRecord:
    entity: str
    qbo_id: str
    name: str
    code: str = ""
    email: str = ""
    tax_id: str = ""
    subtype: str = ""  # Account.AccountType or Item.Type
    parent_id: str | None = None
    is_job: bool = False
    active: bool = True
    full_name: str = ""  # FullyQualifiedName: "Parent:Child" for sub-customers, sub-items, sub-accounts


def record_from_api(entity: str, body: dict) -> QboRecord:
    """The fields we keep from a QuickBooks API object."""
    name = body.get("DisplayName") or body.get("FullyQualifiedName") or body.get("Name") or ""
    return QboRecord(
        entity=entity,
        qbo_id=str(body["Id"]),
        name=name,
        code=str(body.get("AcctNum") or body.get("Sku") or ""),
        email=(body.get("PrimaryEmailAddr") or {}).get("Address", ""),
        tax_id=str(body.get("TaxIdentifier") or ""),
        subtype=str(body.get("AccountType") or body.get("Type") or ""),
        parent_id=(body.get("ParentRef") or {}).get("value"),
        is_job=bool(body.get("Job")) or bool(body.get("ParentRef")),
        active=body.get("Active", True) is not False,
        full_name=str(body.get("FullyQualifiedName") or ""),
    )


def _row(company_id: int, realm_id: str, record: QboRecord, now: datetime) -> dict:
    return {
        "company_id": company_id, "realm_id": realm_id, "entity": record.entity, "qbo_id": record.qbo_id,
        "name": record.name, "code": record.code, "email": record.email, "tax_id": record.tax_id,
        "subtype": record.subtype, "parent_id": record.parent_id, "is_job": int(record.is_job),
        "active": int(record.active), "fetched_at": to_db(now), "full_name": record.full_name,
    }


def replace_records(db: Database, company_id: int, realm_id: str, entity: str, records: list[QboRecord], now: datetime) -> None:
    """Swap in a fresh copy of one entity's list, atomically."""
    with immediate(db):
        db.execute(
            "DELETE FROM qbo_reference_records WHERE company_id = ? AND realm_id = ? AND entity = ?",
            [company_id, realm_id, entity],
        )
        db["qbo_reference_records"].insert_all(_row(company_id, realm_id, r, now) for r in records)
        db.execute(
            "INSERT OR REPLACE INTO qbo_reference_refreshes (company_id, realm_id, entity, refreshed_at) "
            "VALUES (?, ?, ?, ?)",
            [company_id, realm_id, entity, to_db(now)],
        )


def upsert_record(db: Database, company_id: int, realm_id: str, record: QboRecord, now: datetime) -> None:
    db["qbo_reference_records"].upsert(_row(company_id, realm_id, record, now),
                                       pk=("company_id", "realm_id", "entity", "qbo_id"))


def last_refreshed(db: Database, company_id: int, realm_id: str, entity: str) -> datetime | None:
    row = db.execute(
        "SELECT refreshed_at FROM qbo_reference_refreshes WHERE company_id = ? AND realm_id = ? AND entity = ?",
        [company_id, realm_id, entity],
    ).fetchone()
    return from_db(row[0]) if row else None


def expire_refreshes(db: Database, company_id: int, realm_id: str, read_at: datetime) -> None:
    """Date the realm's lists back to `read_at` at the latest, so a reader that re-reads old lists does so next."""
    db.execute("UPDATE qbo_reference_refreshes SET refreshed_at = MIN(refreshed_at, ?) "
               "WHERE company_id = ? AND realm_id = ?", [to_db(read_at), company_id, realm_id])


def _record(row: dict) -> QboRecord:
    return QboRecord(
        row["entity"], row["qbo_id"], row["name"], row["code"], row["email"], row["tax_id"], row["subtype"],
        row["parent_id"], bool(row["is_job"]), bool(row["active"]), row.get("full_name") or "",
    )


def _where(company_id: int, realm_id: str, entity: str, subtypes: tuple[str, ...], jobs: bool | None,
           include_inactive: bool) -> tuple[str, list]:
    sql = "SELECT * FROM qbo_reference_records WHERE company_id = ? AND realm_id = ? AND entity = ?"
    params: list = [company_id, realm_id, entity]
    if subtypes:
        sql += f" AND subtype IN ({', '.join('?' for _ in subtypes)})"
        params += list(subtypes)
    if jobs is not None:
        sql += " AND is_job = ?"
        params.append(int(jobs))
    if not include_inactive:
        sql += " AND active = 1"
    return sql, params


def list_records(
    db: Database, company_id: int, realm_id: str, entity: str, subtypes: tuple[str, ...] = (),
    jobs: bool | None = None, include_inactive: bool = False,
) -> list[QboRecord]:
    """The realm's records of one entity, optionally of some subtypes (account types) or jobs only/never."""
    sql, params = _where(company_id, realm_id, entity, subtypes, jobs, include_inactive)
    cursor = db.execute(sql + " ORDER BY name COLLATE NOCASE", params)
    columns = [d[0] for d in cursor.description]
    return [_record(dict(zip(columns, values))) for values in cursor.fetchall()]


def search_records(
    db: Database, company_id: int, realm_id: str, entity: str, search: str, subtypes: tuple[str, ...] = (),
    jobs: bool | None = None, limit: int = 8,
) -> list[QboRecord]:
    """Active records whose name or code contains the search, those starting with it first."""
    sql, params = _where(company_id, realm_id, entity, subtypes, jobs, include_inactive=False)
    pattern = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    sql += (" AND (name LIKE ? ESCAPE '\\' OR code LIKE ? ESCAPE '\\')"
            " ORDER BY name NOT LIKE ? ESCAPE '\\', name COLLATE NOCASE LIMIT ?")
    params += [f"%{pattern}%", f"%{pattern}%", f"{pattern}%", limit]
    return [_record(r) for r in db.query(sql, params)]


def get_record(db: Database, company_id: int, realm_id: str, entity: str, qbo_id: str) -> QboRecord | None:
    rows = list(
        db.query(
            "SELECT * FROM qbo_reference_records WHERE company_id = ? AND realm_id = ? AND entity = ? AND qbo_id = ?",
            [company_id, realm_id, entity, qbo_id],
        )
    )
    return _record(rows[0]) if rows else None


def find_by_name(db: Database, company_id: int, realm_id: str, entity: str, name: str) -> QboRecord | None:
    rows = list(
        db.query(
            "SELECT * FROM qbo_reference_records WHERE company_id = ? AND realm_id = ? AND entity = ? "
            "AND name = ? COLLATE NOCASE AND active = 1",
            [company_id, realm_id, entity, name.strip()],
        )
    )
    return _record(rows[0]) if rows else None
