"""Answering a select statement for one company: the QueryResponse body or a query fault."""
from __future__ import annotations

import sqlite3

from .entities import list_entities
from .entity_faults import EntityFault
from .query import Query, QueryError, parse_query
from .query_eval import filter_entities, run_query, with_active_default
from .resources import LIST_ENTITIES, QUERYABLE_ENTITIES


def query_fault(error: QueryError) -> EntityFault:
    """The fault QBO answers a query it cannot parse (4000) or validate (4001) with."""
    message = "Error parsing query" if error.code == "4000" else "Invalid query"
    return EntityFault(error.code, message, error.detail)


def select(conn: sqlite3.Connection, realm_id: str, text: str) -> dict:
    """The QueryResponse object for a select statement; QueryError if QBO would refuse it."""
    parsed = parse_query(text)
    if parsed.entity not in QUERYABLE_ENTITIES:
        raise QueryError("4001", f"QueryValidationError: Entity '{parsed.entity}' is not supported")
    parsed = with_active_default(parsed, LIST_ENTITIES)
    return _query_response(parsed, list_entities(conn, realm_id, parsed.entity))


def _query_response(parsed: Query, entities: list[dict]) -> dict:
    if parsed.count:
        return {"totalCount": len(filter_entities(parsed, entities))}
    rows = run_query(parsed, entities)
    if not rows:
        return {}
    return {parsed.entity: rows, "startPosition": parsed.start_position, "maxResults": len(rows)}
