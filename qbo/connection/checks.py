"""Ask QuickBooks whether a connection still works, and move the card to expired or error when not."""
from __future__ import annotations

import logging

from sqlite_utils import Database

from qbo.connection import audit
from qbo.connection.access_tokens import token_cipher, usable_access_token
from qbo.connection.crypto import TokenDecryptError
from qbo.connection.revocations import retry_due_revocations
from qbo.connection.state import StoredState, check_due
from qbo.connection.store import get_connection, set_company_name, set_state
from qbo.intuit import oauth as intuit
from qbo.intuit.errors import AccessRejected, ConnectionUnusable, GrantRevoked, IntuitUnavailable, RefreshRejected
from qbo.storage.db import immediate
from qbo.storage.timeutil import utcnow

log = logging.getLogger(__name__)


def check_connection(db: Database, company_id: int, force: bool = False, user_id: int | None = None) -> None:
    """Ask QuickBooks whether the connection still works and record the answer (at most once a minute).

    Revocations Intuit did not confirm earlier are retried here too, when due.
    """
    retry_due_revocations(db, token_cipher(), intuit.revoke_token, utcnow(), company_id=company_id)
    connection = get_connection(db, company_id)
    if not (check_due(connection, utcnow()) or (force and connection and connection.is_active)):
        return
    try:
        info = _company_info_with_refresh(db, company_id, connection.realm_id)
    except (RefreshRejected, AccessRejected, TokenDecryptError) as exc:
        mark_expired(db, company_id, connection.realm_id, exc, user_id)
    except IntuitUnavailable as exc:
        mark_error(db, company_id, connection, exc, user_id)
    except ConnectionUnusable:
        return
    else:
        with immediate(db):
            set_state(db, company_id, StoredState.CONNECTED, utcnow())
            if info.get("CompanyName"):
                set_company_name(db, company_id, info["CompanyName"])


def _company_info_with_refresh(db: Database, company_id: int, realm_id: str) -> dict:
    """CompanyInfo with a fresh token; one forced refresh and retry if QuickBooks answers 401."""
    token, version = usable_access_token(db, company_id)
    try:
        return intuit.fetch_company_info(realm_id, token)
    except AccessRejected:
        token, _ = usable_access_token(db, company_id, rejected_version=version)
        return intuit.fetch_company_info(realm_id, token)


def mark_expired(db: Database, company_id: int, realm_id: str, exc: Exception, user_id: int | None) -> None:
    """The session expired; a revoked grant was already recorded as disconnected inside QuickBooks."""
    if isinstance(exc, GrantRevoked):
        return
    now = utcnow()
    set_state(db, company_id, StoredState.EXPIRED, now, error=str(exc) or type(exc).__name__)
    audit.record(db, company_id, user_id, audit.SESSION_EXPIRED, now, realm_id=realm_id, detail=type(exc).__name__)


def mark_error(db: Database, company_id: int, connection, exc: IntuitUnavailable, user_id: int | None) -> None:
    """A transient failure: the card shows the error; the trail records it once per change of state."""
    now = utcnow()
    set_state(db, company_id, StoredState.ERROR, now, error=str(exc))
    log.warning("QuickBooks check failed for realm %s: %s", connection.realm_id, exc)
    if connection.state is not StoredState.ERROR:
        audit.record(db, company_id, user_id, audit.REFRESH_FAILED, now, realm_id=connection.realm_id, detail=str(exc))
