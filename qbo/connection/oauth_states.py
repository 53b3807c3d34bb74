"""Server-side storage for OAuth round trips: authlib's state data and our binding of each state.

Nothing secret (PKCE verifier, nonce) goes into the browser's cookie; each entry is single use and
expires after ten minutes.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

from sqlite_utils import Database

from qbo.storage.db import get_db, immediate

FLOW_PREFIX = "flow:"
CONNECT, RECONNECT, SWITCH = "connect", "reconnect", "switch"
INTENTS = (CONNECT, RECONNECT, SWITCH)


@dataclass(frozen=True)
class OAuthFlow:
    """Who started a sign-in with Intuit, for which company, and why."""

    login_session_id: str
    user_id: int
    company_id: int
    intent: str
    started_at: float


class SqliteStateCache:
    """The cache interface authlib expects (get/set/delete), kept in the app's database."""

    def get(self, key: str) -> str | None:
        rows = list(
            get_db().query("SELECT value FROM oauth_state_cache WHERE key = ? AND expires_at > ?", [key, time.time()])
        )
        return rows[0]["value"] if rows else None

    def set(self, key: str, value: str, expires_in: float) -> None:
        db = get_db()
        with immediate(db):
            db.execute("DELETE FROM oauth_state_cache WHERE expires_at <= ?", [time.time()])
            db.execute(
                "INSERT OR REPLACE INTO oauth_state_cache (key, value, expires_at) VALUES (?, ?, ?)",
                [key, value, time.time() + expires_in],
            )

    def delete(self, key: str) -> None:
        get_db().execute("DELETE FROM oauth_state_cache WHERE key = ?", [key])


def save_flow(db: Database, state: str, flow: OAuthFlow, lifetime_seconds: float) -> None:
    db.execute(
        "INSERT OR REPLACE INTO oauth_state_cache (key, value, expires_at) VALUES (?, ?, ?)",
        [FLOW_PREFIX + state, json.dumps(asdict(flow)), flow.started_at + lifetime_seconds],
    )


def take_flow(db: Database, state: str) -> OAuthFlow | None:
    """Remove and return the flow for this state: a state is usable once, whatever the outcome."""
    with immediate(db):
        rows = list(
            db.query(
                "SELECT value FROM oauth_state_cache WHERE key = ? AND expires_at > ?",
                [FLOW_PREFIX + state, time.time()],
            )
        )
        db.execute("DELETE FROM oauth_state_cache WHERE key = ?", [FLOW_PREFIX + state])
    return OAuthFlow(**json.loads(rows[0]["value"])) if rows else None
