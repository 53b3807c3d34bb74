"""The fault plan: the next N matching calls fail in a chosen way."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Mapping

from flask import Response

from .responses import oauth_error, qbo_fault, throttled

FAULT_KINDS = ("500", "503", "429", "timeout", "drop_after_commit")
FAULT_ENDPOINTS = ("token", "revoke", "userinfo", "api", "any")
DEFAULT_SECONDS = 5.0


@dataclass(frozen=True)
class Fault:
    id: int
    kind: str
    endpoint: str
    remaining: int
    seconds: float
    retry_after: int | None

    def as_json(self) -> dict:
        """The fault as a JSON-ready dict."""
        return {"id": self.id, "kind": self.kind, "endpoint": self.endpoint,
                "count": self.remaining, "seconds": self.seconds,
                "retry_after": self.retry_after}


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
    return Fault(0, kind, endpoint, count, seconds, retry_after)


def _fault_from_row(row: sqlite3.Row) -> Fault:
    return Fault(row["id"], row["kind"], row["endpoint"], row["remaining"], row["seconds"],
                 row["retry_after"])


def add_fault(conn: sqlite3.Connection, fault: Fault) -> Fault:
    """Append a fault to the plan."""
    cursor = conn.execute(
        "INSERT INTO faults (kind, endpoint, remaining, seconds, retry_after)"
        " VALUES (?, ?, ?, ?, ?)",
        (fault.kind, fault.endpoint, fault.remaining, fault.seconds, fault.retry_after),
    )
    return _fault_from_row(conn.execute("SELECT * FROM faults WHERE id = ?",
                                        (cursor.lastrowid,)).fetchone())


def take_fault(conn: sqlite3.Connection, endpoint: str) -> Fault | None:
    """Consume one use of the oldest fault matching this endpoint, if any."""
    row = conn.execute(
        "SELECT * FROM faults WHERE endpoint IN (?, 'any') AND remaining > 0 ORDER BY id LIMIT 1",
        (endpoint,),
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
    if fault.kind == "429":
        response = throttled()
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
