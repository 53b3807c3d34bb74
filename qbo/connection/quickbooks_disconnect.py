"""Disconnects made inside QuickBooks, learned through Intuit's Disconnect URL.

After a user disconnects the app in QuickBooks, Intuit sends their browser to our Disconnect URL, where an
OpenID-only sign-in tells us which Intuit user they are (intuit-facts 2.10). A visit proves nothing by itself, so
each active connection that user made is checked with Intuit first: only one whose grant is really gone (a 401
then invalid_grant) is marked disconnected, with a notice the card shows until the company reconnects.

It reads `connections` to find the connections of an Intuit user; `disconnect_notices` keeps what the card says.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.connection.access_tokens import token_cipher, usable_access_token
from qbo.connection.crypto import TokenDecryptError
from qbo.connection.disconnect_notices import DISCONNECT_URL, record_disconnect_in_quickbooks
from qbo.connection.revocations import retry_due_revocations
from qbo.connection.state import Connection
from qbo.connection.store import _connection
from qbo.intuit import oauth as intuit
from qbo.intuit.errors import AccessRejected, ConnectionUnusable, IntuitUnavailable, RefreshRejected



class Verdict(enum.Enum):
    """What Intuit says about a connection's grant."""

    GONE = "gone"  # disconnected: marked so
    WORKING = "working"  # still connected: left alone
    UNKNOWN = "unknown"  # Intuit could not be reached: left alone, the next check finds out


@dataclass(frozen=True)
class Finding:
    company_id: int
    realm_id: str
    company_name: str | None  # the QuickBooks company's name
    verdict: Verdict


def connections_of_intuit_user(db: Database, user_sub: str, realm_id: str | None = None) -> list[Connection]:
    """Active QuickBooks Online connections this Intuit user made (in one realm, when Intuit named it)."""
    sql = "SELECT * FROM connections WHERE provider = 'qbo' AND qbo_user_sub = ? AND state != 'disconnected'"
    params = [user_sub]
    if realm_id:
        sql += " AND realm_id = ?"
        params.append(realm_id)
    return [_connection(row) for row in db.query(sql + " ORDER BY company_id", params)]


def grant_verdict(db: Database, connection: Connection) -> Verdict:
    """Ask QuickBooks whether the connection still works: CompanyInfo, with one forced refresh after a 401."""
    try:
        token, version = usable_access_token(db, connection.company_id)
        try:
            intuit.fetch_company_info(connection.realm_id, token)
        except AccessRejected:
            token, _ = usable_access_token(db, connection.company_id, rejected_version=version)
            intuit.fetch_company_info(connection.realm_id, token)
    except (RefreshRejected, AccessRejected, ConnectionUnusable, TokenDecryptError):
        return Verdict.GONE
    except IntuitUnavailable:
        return Verdict.UNKNOWN
    return Verdict.WORKING


def confirm_disconnects(db: Database, user_sub: str, realm_id: str | None, now: datetime) -> list[Finding]:
    """Check each of the user's connections with Intuit and mark the ones QuickBooks disconnected."""
    findings = []
    for connection in connections_of_intuit_user(db, user_sub, realm_id):
        verdict = grant_verdict(db, connection)
        if verdict is Verdict.GONE:
            mark_disconnected_in_quickbooks(db, connection, now)
        findings.append(Finding(connection.company_id, connection.realm_id, connection.company_name, verdict))
    return findings


def mark_disconnected_in_quickbooks(db: Database, connection: Connection, now: datetime) -> None:
    """Disconnect (tokens dropped, configuration kept), keep the notice and audit it; revoke what is left."""
    record_disconnect_in_quickbooks(db, connection, now, DISCONNECT_URL)
    # The grant is gone already; Intuit's answer (400) just empties the queue entry.
    retry_due_revocations(db, token_cipher(), intuit.revoke_token, now, company_id=connection.company_id)
