"""QuickBooks-side and test-side operations on grants: expire, disconnect, inspect."""
from __future__ import annotations

import sqlite3

from .clock import utc_iso
from .grants import revoke_grant


def _active_grant_ids(conn: sqlite3.Connection, realm_id: str) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM grants WHERE realm_id = ? AND revoked_at IS NULL", (realm_id,)
    ).fetchall()
    return [row["id"] for row in rows]


def expire_access_tokens(conn: sqlite3.Connection, realm_id: str, at: float) -> int:
    """Make every unexpired access token of the realm expire now; returns how many."""
    cursor = conn.execute(
        "UPDATE access_tokens SET expires_at = ? WHERE expires_at > ? AND grant_id IN"
        " (SELECT id FROM grants WHERE realm_id = ? AND revoked_at IS NULL)",
        (at, at, realm_id),
    )
    return cursor.rowcount


def expire_refresh_tokens(conn: sqlite3.Connection, realm_id: str, at: float) -> int:
    """Make every current refresh token of the realm expire now; returns how many."""
    cursor = conn.execute(
        "UPDATE refresh_tokens SET expires_at = ? WHERE expires_at > ?"
        " AND superseded_at IS NULL AND grant_id IN"
        " (SELECT id FROM grants WHERE realm_id = ? AND revoked_at IS NULL)",
        (at, at, realm_id),
    )
    return cursor.rowcount


def disconnect_realm(conn: sqlite3.Connection, realm_id: str, at: float) -> int:
    """Revoke every grant for the realm, as 'disconnect app' in QuickBooks does."""
    grant_ids = _active_grant_ids(conn, realm_id)
    for grant_id in grant_ids:
        revoke_grant(conn, grant_id, at, "disconnected in QuickBooks")
    return len(grant_ids)


_GRANT_LISTING = """
SELECT g.*, u.email AS user_email,
  (SELECT token FROM refresh_tokens WHERE grant_id = g.id
     ORDER BY issued_at DESC, rowid DESC LIMIT 1) AS latest_refresh_token,
  (SELECT expires_at FROM refresh_tokens WHERE grant_id = g.id
     ORDER BY issued_at DESC, rowid DESC LIMIT 1) AS refresh_expires_at,
  (SELECT MAX(expires_at) FROM access_tokens WHERE grant_id = g.id) AS access_expires_at,
  (SELECT COUNT(*) FROM access_tokens WHERE grant_id = g.id) AS access_tokens_issued,
  (SELECT COUNT(*) FROM refresh_tokens WHERE grant_id = g.id) AS refresh_tokens_issued
FROM grants g JOIN users u ON u.sub = g.user_sub
"""


def list_grants(conn: sqlite3.Connection, realm_id: str | None = None) -> list[dict]:
    """Every grant (optionally of one realm), newest first, with its latest tokens' state."""
    if realm_id is None:
        rows = conn.execute(_GRANT_LISTING + " ORDER BY g.id DESC").fetchall()
    else:
        rows = conn.execute(_GRANT_LISTING + " WHERE g.realm_id = ? ORDER BY g.id DESC",
                            (realm_id,)).fetchall()
    return [_grant_summary(row) for row in rows]


def _grant_summary(row: sqlite3.Row) -> dict:
    return {
        "id": row["id"], "client_id": row["client_id"], "realm_id": row["realm_id"],
        "user_email": row["user_email"], "user_sub": row["user_sub"],
        "scopes": row["scope"].split(),
        "issued_at": utc_iso(row["created_at"]),
        "access_token_expires_at": utc_iso(row["access_expires_at"]),
        "refresh_token_expires_at": utc_iso(row["refresh_expires_at"]),
        "hard_expires_at": utc_iso(row["hard_expires_at"]),
        "access_tokens_issued": row["access_tokens_issued"],
        "refresh_tokens_issued": row["refresh_tokens_issued"],
        "revoked": row["revoked_at"] is not None,
        "revoked_at": utc_iso(row["revoked_at"]),
        "revoked_reason": row["revoked_reason"],
        "latest_refresh_token": row["latest_refresh_token"],
    }
