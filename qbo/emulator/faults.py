"""The fault plan: the next N matching calls fail or misbehave in a chosen way."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Mapping

from flask import Response

from .resources import RESOURCES
from .responses import oauth_error, qbo_fault
from .throttle import throttled_response

# Failing kinds answer instead of the endpoint; the others let it run (see wire.wire_endpoint):
# slow sleeps first, *_after_commit answer late or not at all after the work is committed,
# revoke_after lets `count` API calls through and then revokes the realm's grants.
FAILING_KINDS = ("500", "503", "429", "429_xml", "timeout")
PASSING_KINDS = ("slow", "drop_after_commit", "reset_after_commit", "revoke_after")
FAULT_KINDS = FAILING_KINDS + PASSING_KINDS
FAULT_ENDPOINTS = ("token", "revoke", "userinfo", "api", "any")
FAULT_RESOURCES = (*RESOURCES, "batch", "query", "cdc")
DEFAULT_SECONDS = 5.0


@dataclass(frozen=True)
class Fault:
    id: int
    kind: str
    endpoint: str
    remaining: int
    seconds: float
    retry_after: int | None
    resource: str | None = None
    realm_id: str | None = None

    @property
    def fails(self) -> bool:
        """Whether the fault answers instead of the endpoint."""
        return self.kind in FAILING_KINDS

    def as_json(self) -> dict:
        """The fault as a JSON-ready dict."""
        return {"id": self.id, "kind": self.kind, "endpoint": self.endpoint,
                "count": self.remaining, "seconds": self.seconds,
                "retry_after": self.retry_after, "resource": self.resource,
                "realm_id": self.realm_id}


def _number(data: Mapping, key: str, default: float | None, cast: type) -> float | None:
    value = data.get(key)
    if value in (None, ""):
        return default
    try:
        return cast(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} must be a number") from None


def parse_fault(data: Mapping) -> Fault:
    """Validate a fault request body; ValueError with a readable message if wrong."""
    kind, endpoint = str(data.get("kind", "")), str(data.get("endpoint") or "any")
    if kind not in FAULT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
    if endpoint not in FAULT_ENDPOINTS:
        raise ValueError(f"endpoint must be one of {', '.join(FAULT_ENDPOINTS)}")
    count = _number(data, "count", 1, int)
    seconds = _number(data, "seconds", DEFAULT_SECONDS, float)
    retry_after = _number(data, "retry_after", None, int)
    if count < 1 or not 0 <= seconds <= 600:
        raise ValueError("count must be >= 1 and seconds between 0 and 600")
    resource = str(data.get("resource") or "").lower() or None
    realm_id = str(data.get("realm_id") or "") or None
    if resource is not None and resource not in FAULT_RESOURCES:
        raise ValueError(f"resource must be one of {', '.join(FAULT_RESOURCES)}")
    if resource or realm_id or kind == "revoke_after":
        if endpoint not in ("api", "any"):
            raise ValueError("resource, realm_id and revoke_after apply to the api endpoint only")
        endpoint = "api"
    return Fault(0, kind, endpoint, count, seconds, retry_after, resource, realm_id)


def _fault_from_row(row: sqlite3.Row) -> Fault:
    return Fault(row["id"], row["kind"], row["endpoint"], row["remaining"], row["seconds"],
                 row["retry_after"], row["resource"], row["realm_id"])


def add_fault(conn: sqlite3.Connection, fault: Fault) -> Fault:
    """Append a fault to the plan."""
    cursor = conn.execute(
        "INSERT INTO faults (kind, endpoint, remaining, seconds, retry_after, resource, realm_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (fault.kind, fault.endpoint, fault.remaining, fault.seconds, fault.retry_after,
         fault.resource, fault.realm_id),
    )
    return _fault_from_row(conn.execute("SELECT * FROM faults WHERE id = ?",
                                        (cursor.lastrowid,)).fetchone())


def take_fault(conn: sqlite3.Connection, endpoint: str, resource: str | None = None,
               realm_id: str | None = None) -> Fault | None:
    """Consume one use of the oldest fault matching this call, if any."""
    row = conn.execute(
        "SELECT * FROM faults WHERE endpoint IN (?, 'any') AND remaining > 0"
        " AND (resource IS NULL OR resource = ?) AND (realm_id IS NULL OR realm_id = ?)"
        " ORDER BY id LIMIT 1",
        (endpoint, resource, realm_id),
    ).fetchone()
    if row is None:
        return None
    if row["remaining"] == 1:
        conn.execute("DELETE FROM faults WHERE id = ?", (row["id"],))
    else:
        conn.execute("UPDATE faults SET remaining = remaining - 1 WHERE id = ?", (row["id"],))
    return _fault_from_row(row)


def list_faults(conn: sqlite3.Connection) -> list[Fault]:
    """The pending fault plan, in the order it will fire."""
    return [_fault_from_row(row) for row in conn.execute("SELECT * FROM faults ORDER BY id")]


def clear_faults(conn: sqlite3.Connection) -> int:
    """Drop the whole fault plan."""
    return conn.execute("DELETE FROM faults").rowcount


def failure_response(fault: Fault, endpoint: str) -> Response:
    """The response a failing fault answers with (timeouts answer after their sleep)."""
    if fault.kind in ("429", "429_xml"):
        response = throttled_response("xml" if fault.kind == "429_xml" else "json")
    elif fault.kind == "timeout":
        response = Response("<html><body><h1>504 Gateway Time-out</h1></body></html>",
                            504, content_type="text/html")
    elif endpoint == "api":
        response = _api_server_error(int(fault.kind))
    else:
        response = _oauth_server_error(int(fault.kind))
    if fault.retry_after is not None:
        response.headers["Retry-After"] = str(fault.retry_after)
    return response


def _api_server_error(status: int) -> Response:
    if status == 503:
        return qbo_fault(503, "10000", "Service Unavailable",
                         "The service is temporarily unavailable. Please try again later.",
                         "SystemFault")
    return qbo_fault(500, "10000",
                     "An application error has occurred while processing your request",
                     "System Failure Error: An unexpected error occurred while accessing or saving"
                     " your data. Please wait a few minutes and try again.", "SystemFault")


def _oauth_server_error(status: int) -> Response:
    if status == 503:
        return oauth_error("temporarily_unavailable", 503, "Service temporarily unavailable")
    return oauth_error("server_error", 500, "Internal server error")
