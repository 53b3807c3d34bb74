"""QuickBooks entity storage: one JSON document per (realm, entity, id)."""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

# Ids come from one counter per company; CompanyInfo's Id is the realm id and stays out of it.
_COUNTED = "entity != 'CompanyInfo'"
# Entities created inside the current batch: Intuit treats batch items independently, so a later
# item cannot reference (or update) what an earlier item of the same batch created.
_created_in_batch: ContextVar[set[tuple[str, str, str]] | None] = ContextVar(
    "created_in_batch", default=None)


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
    """The next free Id in a company (QBO Ids are small integers, never reused after a delete)."""
    row = conn.execute(
        "SELECT MAX(top) AS top FROM ("
        f" SELECT MAX(CAST(id AS INTEGER)) AS top FROM entities WHERE realm_id = ? AND {_COUNTED}"
        " UNION ALL SELECT MAX(CAST(id AS INTEGER)) FROM deleted_entities WHERE realm_id = ?)",
        (realm_id, realm_id),
    ).fetchone()
    return str((row["top"] or 0) + 1)


def delete_entity(conn: sqlite3.Connection, realm_id: str, entity: str, entity_id: str,
                  at: float) -> None:
    """Remove an entity, keeping a tombstone so its Id is never handed out again."""
    conn.execute("DELETE FROM entities WHERE realm_id = ? AND entity = ? AND id = ?",
                 (realm_id, entity, entity_id))
    conn.execute("INSERT OR REPLACE INTO deleted_entities (realm_id, entity, id, deleted_at)"
                 " VALUES (?, ?, ?, ?)", (realm_id, entity, entity_id, at))


def deleted_ids(conn: sqlite3.Connection, realm_id: str, entity: str) -> list[str]:
    """The Ids of deleted entities of one type, in numeric order."""
    rows = conn.execute("SELECT id FROM deleted_entities WHERE realm_id = ? AND entity = ?"
                        " ORDER BY CAST(id AS INTEGER)", (realm_id, entity)).fetchall()
    return [row["id"] for row in rows]


def deleted_since(conn: sqlite3.Connection, realm_id: str, entity: str,
                  since: float) -> list[tuple[str, float]]:
    """(Id, deleted_at) of the entities of one type deleted at or after a moment."""
    rows = conn.execute("SELECT id, deleted_at FROM deleted_entities WHERE realm_id = ? AND entity = ?"
                        " AND deleted_at >= ? ORDER BY deleted_at, CAST(id AS INTEGER)",
                        (realm_id, entity, since)).fetchall()
    return [(row["id"], row["deleted_at"]) for row in rows]


@contextmanager
def batch_visibility() -> Iterator[None]:
    """Within the block, entities created stay invisible to get_referable (one QBO batch)."""
    token = _created_in_batch.set(set())
    try:
        yield
    finally:
        _created_in_batch.reset(token)


def note_created(realm_id: str, entity: str, entity_id: str) -> None:
    """Record a creation for batch_visibility (no-op outside a batch)."""
    created = _created_in_batch.get()
    if created is not None:
        created.add((realm_id, entity, entity_id))


def get_referable(conn: sqlite3.Connection, realm_id: str, entity: str,
                  entity_id: str) -> dict | None:
    """An entity a write may reference or change: not one created earlier in the same batch."""
    created = _created_in_batch.get()
    if created is not None and (realm_id, entity, entity_id) in created:
        return None
    return get_entity(conn, realm_id, entity, entity_id)


def has_entities(conn: sqlite3.Connection, realm_id: str) -> bool:
    """Whether a company already holds any list entities (beyond CompanyInfo)."""
    row = conn.execute(
        f"SELECT 1 FROM entities WHERE realm_id = ? AND {_COUNTED} LIMIT 1", (realm_id,)
    ).fetchone()
    return row is not None
