"""OAuth grant lifecycle: codes, token issue, refresh rotation, revocation."""
from __future__ import annotations

import base64
import hashlib
import hmac
import sqlite3
from dataclasses import dataclass

from .token_format import new_access_token, new_authorization_code, new_refresh_token

ACCESS_TOKEN_LIFETIME = 3600
REFRESH_TOKEN_LIFETIME = 8_726_400  # Intuit's rolling 101 days
HARD_LIFETIME = 5 * 365 * 86400  # the 5-year cap, counted from the grant's first issue
CODE_LIFETIME = 600
DAILY_ROTATION_PERIOD = 86400
API_SCOPES = frozenset({"com.intuit.quickbooks.accounting", "com.intuit.quickbooks.payment"})


@dataclass(frozen=True)
class Grant:
    id: int
    client_id: str
    user_sub: str
    realm_id: str | None
    scope: str
    nonce: str | None
    auth_time: float
    hard_expires_at: float
    revoked_at: float | None

    @property
    def scopes(self) -> frozenset[str]:
        """The granted scopes as a set."""
        return frozenset(self.scope.split())


@dataclass(frozen=True)
class CodeRequest:
    client_id: str
    redirect_uri: str
    user_sub: str
    realm_id: str | None
    scope: str
    code_challenge: str | None
    nonce: str | None


@dataclass(frozen=True)
class IssuedTokens:
    grant: Grant
    access_token: str
    access_expires_at: float
    refresh_token: str
    refresh_expires_at: float
    first_issue: bool


@dataclass(frozen=True)
class Rejection:
    reason: str


def grant_from_row(row: sqlite3.Row) -> Grant:
    """A Grant from a grants row."""
    return Grant(row["id"], row["client_id"], row["user_sub"], row["realm_id"], row["scope"],
                 row["nonce"], row["auth_time"], row["hard_expires_at"], row["revoked_at"])


def get_grant(conn: sqlite3.Connection, grant_id: int) -> Grant:
    """The grant with this id."""
    return grant_from_row(conn.execute("SELECT * FROM grants WHERE id = ?", (grant_id,)).fetchone())


def create_code(conn: sqlite3.Connection, request: CodeRequest, at: float) -> str:
    """Store a fresh single-use authorization code and return it."""
    expires_at = at + CODE_LIFETIME
    code = new_authorization_code(expires_at)
    conn.execute(
        "INSERT INTO codes (code, client_id, redirect_uri, user_sub, realm_id, scope,"
        " code_challenge, nonce, auth_time, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (code, request.client_id, request.redirect_uri, request.user_sub, request.realm_id,
         request.scope, request.code_challenge, request.nonce, at, expires_at),
    )
    return code


def s256(verifier: str) -> str:
    """The PKCE S256 challenge for a verifier."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _code_problem(row: sqlite3.Row | None, client_id: str, redirect_uri: str | None,
                  verifier: str | None, at: float) -> str | None:
    if row is None:
        return "unknown authorization code"
    if row["expires_at"] <= at:
        return "authorization code expired"
    if row["client_id"] != client_id:
        return "authorization code was issued to another client"
    if redirect_uri != row["redirect_uri"]:
        return "redirect_uri does not match the authorization request"
    return _pkce_problem(row["code_challenge"], verifier)


def _pkce_problem(challenge: str | None, verifier: str | None) -> str | None:
    if challenge is None:
        # RFC 9700 §4.8.2: a verifier without a challenge signals a downgrade attempt.
        return "code_verifier sent but no code_challenge was registered" if verifier else None
    if not verifier:
        return "code_verifier missing"
    if not hmac.compare_digest(s256(verifier), challenge):
        return "code_verifier does not match code_challenge"
    return None


def exchange_code(conn: sqlite3.Connection, *, code: str, client_id: str,
                  redirect_uri: str | None, code_verifier: str | None,
                  at: float) -> IssuedTokens | Rejection:
    """Redeem an authorization code for tokens, once."""
    row = conn.execute("SELECT * FROM codes WHERE code = ?", (code,)).fetchone()
    if row is not None and row["used_at"] is not None:
        # RFC 6749 §4.1.2: a replayed code revokes what the first use produced.
        revoke_grant(conn, row["grant_id"], at, "authorization code reused")
        return Rejection("authorization code already used")
    problem = _code_problem(row, client_id, redirect_uri, code_verifier, at)
    if problem:
        return Rejection(problem)
    grant = _create_grant(conn, row, at)
    conn.execute("UPDATE codes SET used_at = ?, grant_id = ? WHERE code = ?", (at, grant.id, code))
    refresh_token, refresh_expires_at = _new_refresh_token(conn, grant, at)
    return _issue_access(conn, grant, refresh_token, refresh_expires_at, at, first_issue=True)


def _create_grant(conn: sqlite3.Connection, code: sqlite3.Row, at: float) -> Grant:
    cursor = conn.execute(
        "INSERT INTO grants (client_id, user_sub, realm_id, scope, nonce, auth_time,"
        " created_at, hard_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (code["client_id"], code["user_sub"], code["realm_id"], code["scope"], code["nonce"],
         code["auth_time"], at, at + HARD_LIFETIME),
    )
    return get_grant(conn, cursor.lastrowid)


def _rolling_expiry(grant: Grant, at: float) -> float:
    return min(at + REFRESH_TOKEN_LIFETIME, grant.hard_expires_at)


def _new_refresh_token(conn: sqlite3.Connection, grant: Grant, at: float) -> tuple[str, float]:
    expires_at = _rolling_expiry(grant, at)
    token = new_refresh_token(expires_at)
    conn.execute(
        "INSERT INTO refresh_tokens (token, grant_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
        (token, grant.id, at, expires_at),
    )
    return token, expires_at


def _issue_access(conn: sqlite3.Connection, grant: Grant, refresh_token: str,
                  refresh_expires_at: float, at: float, first_issue: bool) -> IssuedTokens:
    access_token = new_access_token()
    expires_at = at + ACCESS_TOKEN_LIFETIME
    conn.execute(
        "INSERT INTO access_tokens (token, grant_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
        (access_token, grant.id, at, expires_at),
    )
    return IssuedTokens(grant, access_token, expires_at, refresh_token, refresh_expires_at,
                        first_issue)


def _refresh_problem(row: sqlite3.Row | None, client_id: str, at: float) -> str | None:
    if row is None:
        return "unknown refresh token"
    if row["revoked_at"] is not None:
        return "grant revoked"
    if row["superseded_at"] is not None:
        return "refresh token superseded by a newer one"
    if row["client_id"] != client_id:
        return "refresh token was issued to another client"
    if row["expires_at"] <= at or row["hard_expires_at"] <= at:
        return "refresh token expired"
    return None


def refresh_grant(conn: sqlite3.Connection, *, refresh_token: str, client_id: str,
                  rotation: str, at: float) -> IssuedTokens | Rejection:
    """Use a refresh token: new access token, rotated or kept refresh token."""
    row = conn.execute(
        "SELECT r.token, r.issued_at, r.expires_at, r.superseded_at, g.* FROM refresh_tokens r"
        " JOIN grants g ON g.id = r.grant_id WHERE r.token = ?", (refresh_token,)
    ).fetchone()
    problem = _refresh_problem(row, client_id, at)
    if problem:
        return Rejection(problem)
    grant = grant_from_row(row)
    keep = rotation == "daily" and at - row["issued_at"] < DAILY_ROTATION_PERIOD
    if keep:
        expires_at = _rolling_expiry(grant, at)
        conn.execute("UPDATE refresh_tokens SET expires_at = ? WHERE token = ?",
                     (expires_at, refresh_token))
        return _issue_access(conn, grant, refresh_token, expires_at, at, first_issue=False)
    conn.execute("UPDATE refresh_tokens SET superseded_at = ? WHERE token = ?", (at, refresh_token))
    new_token, expires_at = _new_refresh_token(conn, grant, at)
    return _issue_access(conn, grant, new_token, expires_at, at, first_issue=False)


def revoke_grant(conn: sqlite3.Connection, grant_id: int | None, at: float, reason: str) -> bool:
    """Revoke a grant and with it every token it issued; False if already revoked."""
    if grant_id is None:
        return False
    cursor = conn.execute(
        "UPDATE grants SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL",
        (at, reason, grant_id),
    )
    return cursor.rowcount == 1


def revoke_token(conn: sqlite3.Connection, *, token: str, client_id: str,
                 at: float) -> Grant | None:
    """Revoke the grant behind a current refresh token or an access token of this client."""
    row = conn.execute(
        "SELECT g.id, g.client_id FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id"
        " WHERE r.token = ? AND r.superseded_at IS NULL"
        " UNION ALL SELECT g.id, g.client_id FROM access_tokens a"
        " JOIN grants g ON g.id = a.grant_id WHERE a.token = ?", (token, token)
    ).fetchone()
    if row is None or row["client_id"] != client_id:
        return None
    if not revoke_grant(conn, row["id"], at, "revoked by the app"):
        return None
    return get_grant(conn, row["id"])


@dataclass(frozen=True)
class AccessToken:
    grant: Grant
    expires_at: float


def find_access_token(conn: sqlite3.Connection, token: str) -> AccessToken | None:
    """The access token record with its grant, if the token was ever issued."""
    row = conn.execute(
        "SELECT a.expires_at AS token_expires_at, g.* FROM access_tokens a"
        " JOIN grants g ON g.id = a.grant_id WHERE a.token = ?", (token,)
    ).fetchone()
    return AccessToken(grant_from_row(row), row["token_expires_at"]) if row else None
