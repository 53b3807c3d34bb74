"""QuickBooks entity storage: one JSON document per (realm, entity, id)."""
from __future__ import annotations

import json
import sqlite3

# Ids come from one counter per company; CompanyInfo's Id is the realm id and stays out of it.
_COUNTED = "entity != 'CompanyInfo'"


def get_entity(conn: sqlite3.Connection, realm_id: str, entity: str, entity_id: str) -> dict | None:
    """One entity of a company, or None."""
    row = conn.execute(
        "SELECT data FROM entities WHERE realm_id = ? AND entity = ? AND id = ?",
        (realm_id, entity, entity_id),
    ).fetchone()
    return json.loads(row["data"]) if row else None


def list_entities(conn: sqlite3.Connection, realm_id: str, entity: str) -> list[dict]:
    """Every entity of one type in a company, in numeric id order."""
    rows = conn.execute(
        "SELECT data FROM entities WHERE realm_id = ? AND entity = ?"
        " ORDER BY CAST(id AS INTEGER), id",
        (realm_id, entity),
    ).fetchall()
    return [json.loads(row["data"]) for row in rows]


def save_entity(conn: sqlite3.Connection, realm_id: str, entity: str, data: dict) -> None:
    """Insert or replace one entity document (its Id is the key)."""
    conn.execute(
        "INSERT INTO entities (realm_id, entity, id, data) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(realm_id, entity, id) DO UPDATE SET data = excluded.data",
        (realm_id, entity, data["Id"], json.dumps(data)),
    )


def next_entity_id(conn: sqlite3.Connection, realm_id: str) -> str:
    """The next free Id in a company (QBO Ids are small integers, as strings)."""
    row = conn.execute(
        f"SELECT MAX(CAST(id AS INTEGER)) AS top FROM entities WHERE realm_id = ? AND {_COUNTED}",
        (realm_id,),
    ).fetchone()
    return str((row["top"] or 0) + 1)


def has_entities(conn: sqlite3.Connection, realm_id: str) -> bool:
    """Whether a company already holds any list entities (beyond CompanyInfo)."""
    row = conn.execute(
        f"SELECT 1 FROM entities WHERE realm_id = ? AND {_COUNTED} LIMIT 1", (realm_id,)
    ).fetchone()
    return row is not None
