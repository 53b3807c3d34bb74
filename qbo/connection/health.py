"""The health pass over every connected company: tokens refreshed before they are needed, refresh tokens kept
alive long before Intuit's rolling expiry, failing connections moved to expired or error with the reason,
and a warning before the 5-year authorization ends. One query finds the few connections that need anything.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from qbo.connection import audit
from qbo.connection.access_tokens import usable_access_token
from qbo.connection.checks import check_connection, mark_error, mark_expired
from qbo.connection.crypto import TokenDecryptError
from qbo.connection.state import HARD_EXPIRY_WARNING, Connection, health_work
from qbo.connection.store import connections_needing_care, hard_expiry_ahead
from qbo.intuit.errors import AccessRejected, ConnectionUnusable, GrantRevoked, IntuitUnavailable, RefreshRejected

log = logging.getLogger(__name__)


@dataclass
class HealthReport:
    looked_at: int = 0
    refreshed: int = 0
    recovered: int = 0
    expired: int = 0
    disconnected: int = 0  # the grant was revoked inside QuickBooks
    failing: int = 0
    warned: int = 0
    problems: list[str] = field(default_factory=list)


def health_pass(db: Database, now: datetime, horizon: timedelta) -> HealthReport:
    """Look after every connection that needs it before the next pass, `horizon` from now."""
    report = HealthReport()
    for connection in connections_needing_care(db, now, horizon):
        work = health_work(connection, now, horizon)
        if work is not None:
            report.looked_at += 1
            _look_after(db, connection, work, report)
    report.warned = _warn_of_hard_expiry(db, now)
    return report


def _look_after(db: Database, connection: Connection, work: str, report: HealthReport) -> None:
    company_id = connection.company_id
    try:
        if work == "recover":
            check_connection(db, company_id, force=True)
            report.recovered += 1
        else:
            usable_access_token(db, company_id, rejected_version=connection.token_version)
            report.refreshed += 1
    except GrantRevoked:
        report.disconnected += 1
    except (RefreshRejected, AccessRejected, TokenDecryptError) as exc:
        mark_expired(db, company_id, connection.realm_id, exc, None)
        report.expired += 1
    except IntuitUnavailable as exc:
        mark_error(db, company_id, connection, exc, None)
        report.failing += 1
    except ConnectionUnusable as exc:
        report.problems.append(f"company {company_id}: {exc}")


def _warn_of_hard_expiry(db: Database, now: datetime) -> int:
    """One audit event per connection when its 5-year authorization has 30 days or less to go."""
    warned = 0
    for connection in hard_expiry_ahead(db, now, HARD_EXPIRY_WARNING):
        if audit.count_events(db, connection.company_id, audit.AUTHORIZATION_ENDING) == 0:
            audit.record(db, connection.company_id, None, audit.AUTHORIZATION_ENDING, now,
                         realm_id=connection.realm_id, qbo_user=connection.qbo_user_email,
                         detail=f"QuickBooks authorization ends {connection.refresh_hard_expires_at:%Y-%m-%d}: "
                                "reconnect before then")
            warned += 1
    return warned
