"""Disconnects made inside QuickBooks, learned through Intuit's Disconnect URL.

After a user disconnects the app in QuickBooks, Intuit sends their browser to our Disconnect URL, where an
OpenID-only sign-in tells us which Intuit user they are (intuit-facts 2.10). A visit proves nothing by itself, so
each active connection that user made is checked with Intuit first: only one whose grant is really gone (a 401
then invalid_grant) is marked disconnected, with a notice the card shows until the company reconnects.

The only code naming `qbo_disconnect_notices`; it reads `connections` to find the connections of an Intuit user.
"""
from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.connection import audit
from qbo.connection.access_tokens import token_cipher, usable_access_token
from qbo.connection.crypto import TokenDecryptError
from qbo.connection.revocations import deliver_revocation
from qbo.connection.state import Connection
from qbo.connection.store import _connection, disconnect_qbo
from qbo.intuit import oauth as intuit
from qbo.intuit.errors import AccessRejected, ConnectionUnusable, IntuitUnavailable, RefreshRejected
from qbo.storage.db import immediate
from qbo.storage.timeutil import from_db, to_db

log = logging.getLogger(__name__)

DISCONNECTED_IN_QUICKBOOKS = "disconnected_in_quickbooks"  # the audit action


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


@dataclass(frozen=True)
class DisconnectNotice:
    company_id: int
    realm_id: str
    company_name: str | None
    qbo_user_email: str | None
    noticed_at: datetime


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
    """Disconnect (tokens dropped, configuration kept), keep the notice and audit it, in one transaction."""
    with immediate(db):
        revocation_id = disconnect_qbo(db, connection.company_id, now)
        db.execute("INSERT INTO qbo_disconnect_notices (company_id, realm_id, company_name, qbo_user_email, "
                   "noticed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (company_id) DO UPDATE SET "
                   "realm_id = excluded.realm_id, company_name = excluded.company_name, "
                   "qbo_user_email = excluded.qbo_user_email, noticed_at = excluded.noticed_at",
                   [connection.company_id, connection.realm_id, connection.company_name,
                    connection.qbo_user_email, to_db(now)])
        audit.record(db, connection.company_id, None, DISCONNECTED_IN_QUICKBOOKS, now, realm_id=connection.realm_id,
                     detail="Disconnected inside QuickBooks (Intuit's Disconnect URL, confirmed with Intuit)",
                     qbo_user=connection.qbo_user_email)
    log.info("QuickBooks Online connection of company %s (realm %s) was disconnected inside QuickBooks.",
             connection.company_id, connection.realm_id)
    if revocation_id is not None:  # the grant is gone already; Intuit's answer just empties the queue entry
        deliver_revocation(db, token_cipher(), revocation_id, intuit.revoke_token, now)


def disconnect_notice(db: Database, company_id: int, connection: Connection | None) -> DisconnectNotice | None:
    """The notice the card shows: only while the connection is still the one QuickBooks disconnected."""
    if connection is None or connection.is_active:
        return None
    rows = list(db.query("SELECT * FROM qbo_disconnect_notices WHERE company_id = ?", [company_id]))
    if not rows:
        return None
    notice = DisconnectNotice(company_id, rows[0]["realm_id"], rows[0]["company_name"], rows[0]["qbo_user_email"],
                              from_db(rows[0]["noticed_at"]))
    if connection.connected_at is not None and connection.connected_at > notice.noticed_at:
        return None  # reconnected since (and disconnected again from inBuild)
    return notice
