"""QuickBooks entity storage: one JSON document per (realm, entity, id)."""
from __future__ import annotations

import json
import sqlite3


def get_entity(conn: sqlite3.Connection, realm_id: str, entity: str, entity_id: str) -> dict | None:
    """One entity of a company, or None."""
    row = conn.execute(
        "SELECT data FROM entities WHERE realm_id = ? AND entity = ? AND id = ?",
        (realm_id, entity, entity_id),
    ).fetchone()
    return json.loads(row["data"]) if row else None


def list_entities(conn: sqlite3.Connection, realm_id: str, entity: str) -> list[dict]:
    """Every entity of one type in a company, in id order."""
    rows = conn.execute(
        "SELECT data FROM entities WHERE realm_id = ? AND entity = ? ORDER BY id",
        (realm_id, entity),
    ).fetchall()
    return [json.loads(row["data"]) for row in rows]
