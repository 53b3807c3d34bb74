"""What the card says after QuickBooks dropped inBuild: disconnects made inside QuickBooks, kept until a reconnect.

Two ways to learn of one (intuit-facts 2.10). Intuit sends the user's browser to our Disconnect URL, where an
OpenID-only sign-in identifies them (`DISCONNECT_URL`); or, for the many who never land there, Intuit refuses a
refresh token that still had time to run (`REFRESH_REFUSED`): nothing but a revoked grant does that, because the
refresh lease makes sure we always send the latest token. Either way the connection is disconnected (tokens
dropped, configuration and mappings kept), the notice is kept and the trail records it, once.

The only code naming `qbo_disconnect_notices`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.connection import audit
from qbo.connection.state import Connection, StoredState
from qbo.connection.store import disconnect_qbo
from qbo.storage.db import immediate
from qbo.storage.timeutil import from_db, to_db

log = logging.getLogger(__name__)

DISCONNECTED_IN_QUICKBOOKS = "disconnected_in_quickbooks"  # the audit action
DISCONNECT_URL = "disconnect_url"
REFRESH_REFUSED = "refresh_refused"
DETAILS = {
    DISCONNECT_URL: "Disconnected inside QuickBooks (Intuit's Disconnect URL, confirmed with Intuit)",
    REFRESH_REFUSED: "QuickBooks refused a refresh token that had not expired: the app was disconnected inside "
                     "QuickBooks or the connecting user lost access",
}


@dataclass(frozen=True)
class DisconnectNotice:
    company_id: int
    realm_id: str
    company_name: str | None
    qbo_user_email: str | None
    noticed_at: datetime
    learned_from: str  # DISCONNECT_URL or REFRESH_REFUSED

    @property
    def user_confirmed(self) -> bool:
        """The Intuit user who disconnected identified themselves (the Disconnect URL sign-in)."""
        return self.learned_from == DISCONNECT_URL


def record_disconnect_in_quickbooks(db: Database, connection: Connection, now: datetime, learned_from: str) -> bool:
    """Disconnect, keep the notice and audit it, in one transaction; False when it was recorded already.

    A Disconnect URL landing often follows the refused refresh it caused by a moment: it then only says who did it.
    """
    with immediate(db):
        if _already_recorded(db, connection):
            if learned_from == DISCONNECT_URL:
                db.execute("UPDATE qbo_disconnect_notices SET learned_from = ? WHERE company_id = ?",
                           [DISCONNECT_URL, connection.company_id])
            return False
        disconnect_qbo(db, connection.company_id, now)
        db.execute("INSERT INTO qbo_disconnect_notices (company_id, realm_id, company_name, qbo_user_email, "
                   "noticed_at, learned_from) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (company_id) DO UPDATE SET "
                   "realm_id = excluded.realm_id, company_name = excluded.company_name, "
                   "qbo_user_email = excluded.qbo_user_email, noticed_at = excluded.noticed_at, "
                   "learned_from = excluded.learned_from",
                   [connection.company_id, connection.realm_id, connection.company_name,
                    connection.qbo_user_email, to_db(now), learned_from])
        audit.record(db, connection.company_id, None, DISCONNECTED_IN_QUICKBOOKS, now, realm_id=connection.realm_id,
                     detail=DETAILS[learned_from], qbo_user=connection.qbo_user_email)
    log.info("QuickBooks Online connection of company %s (realm %s) was disconnected inside QuickBooks (%s).",
             connection.company_id, connection.realm_id, learned_from)
    return True


def _already_recorded(db: Database, connection: Connection) -> bool:
    """The connection is disconnected now and its notice is the one for this grant (not an older spell's)."""
    rows = list(db.query("SELECT c.state, c.connected_at, n.noticed_at FROM connections c JOIN qbo_disconnect_notices "
                         "n ON n.company_id = c.company_id WHERE c.company_id = ? AND c.provider = 'qbo'",
                         [connection.company_id]))
    if not rows or rows[0]["state"] != StoredState.DISCONNECTED.value:
        return False
    return rows[0]["connected_at"] is None or from_db(rows[0]["connected_at"]) <= from_db(rows[0]["noticed_at"])


def disconnect_notice(db: Database, company_id: int, connection: Connection | None) -> DisconnectNotice | None:
    """The notice the card shows: only while the connection is still the one QuickBooks disconnected."""
    if connection is None or connection.is_active:
        return None
    rows = list(db.query("SELECT * FROM qbo_disconnect_notices WHERE company_id = ?", [company_id]))
    if not rows:
        return None
    row = rows[0]
    notice = DisconnectNotice(company_id, row["realm_id"], row["company_name"], row["qbo_user_email"],
                              from_db(row["noticed_at"]), row["learned_from"])
    if connection.connected_at is not None and connection.connected_at > notice.noticed_at:
        return None  # reconnected since (and disconnected again from inBuild)
    return notice
