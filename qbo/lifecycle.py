"""The QuickBooks Online connection lifecycle: finish a sign-in, check, disconnect.

Flask-aware only through qbo.intuit (which reads the app's Intuit settings); views stay thin.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass

from flask import current_app
from sqlite_utils import Database

from qbo import audit, intuit
from qbo.connection_state import StoredState, check_due
from qbo.connections import (
    IntegrationConflict,
    PROVIDER_NAMES,
    QboIdentity,
    RealmLinkedElsewhere,
    get_connection,
    save_qbo_connection,
    set_company_name,
    set_state,
)
from qbo.connections import disconnect_qbo as _disconnect_row
from qbo.crypto import TokenCipher, TokenDecryptError
from qbo.db import immediate
from qbo.errors import AccessRejected, ConnectionUnusable, IntuitError, IntuitUnavailable, RefreshRejected
from qbo.oauth_states import SWITCH, OAuthFlow
from qbo.realm_settings import carry_over_settings, get_realm_settings, is_configured
from qbo.revocations import deliver_revocation, retry_due_revocations
from qbo.timeutil import utcnow
from qbo.token_refresh import fresh_access_token
from qbo.tokens import TokenResponseError, TokenSet, token_set_from_response

log = logging.getLogger(__name__)

MAPPINGS_NOTICE = (
    "You are now connected to a different QuickBooks company. You may need to update your data mappings "
    "if the new QuickBooks company has different customers, vendors, or items."
)


class SignInRefused(Exception):
    """Intuit signed the user in, but we will not store the connection; the message says why."""


@dataclass(frozen=True)
class SignInOutcome:
    needs_setup: bool
    notice: str | None


def token_cipher() -> TokenCipher:
    return current_app.extensions["token_cipher"]


def lease_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"


def store_sign_in(db: Database, flow: OAuthFlow, realm_id: str, token: dict) -> SignInOutcome:
    """Keep a successful sign-in: identify the Intuit user, store the tokens, revoke what they replace."""
    now = utcnow()
    tokens = _token_set_or_revoke(token, now)
    identity = _identify(realm_id, tokens)
    try:
        saved = save_qbo_connection(db, flow.company_id, identity, tokens, token_cipher(), now)
    except IntegrationConflict as exc:
        revoke_quietly(tokens.refresh_token)
        raise SignInRefused(
            f"{PROVIDER_NAMES[exc.active_provider]} is connected. Disconnect it before connecting QuickBooks Online."
        ) from exc
    except RealmLinkedElsewhere as exc:
        revoke_quietly(tokens.refresh_token)
        raise SignInRefused("This QuickBooks company is already connected to another inBuild company.") from exc
    except Exception as exc:
        revoke_quietly(tokens.refresh_token)
        log.error("Storing the QuickBooks connection failed: %s", type(exc).__name__)
        raise SignInRefused("The connection could not be saved. Please try again.") from exc
    if saved.revocation_id is not None:
        deliver_revocation(db, token_cipher(), saved.revocation_id, intuit.revoke_token, now)
    return _after_sign_in(db, flow, saved.previous, realm_id, now)


def _token_set_or_revoke(token: dict, now) -> TokenSet:
    try:
        return token_set_from_response(token, now)
    except TokenResponseError as exc:
        if token.get("refresh_token"):
            revoke_quietly(token["refresh_token"])
        raise SignInRefused("QuickBooks did not return usable tokens.") from exc


def _identify(realm_id: str, tokens: TokenSet) -> QboIdentity:
    """Who signed in (userinfo) and which company (CompanyInfo); revoke the tokens if we cannot tell."""
    try:
        profile = intuit.fetch_userinfo(tokens.access_token)
    except IntuitError as exc:
        revoke_quietly(tokens.refresh_token)
        raise SignInRefused("QuickBooks did not tell us who signed in. Please try again.") from exc
    try:
        company_name = intuit.fetch_company_info(realm_id, tokens.access_token).get("CompanyName")
    except IntuitError:
        company_name = None  # shown as unknown; the next connection check fills it in
    name = " ".join(p for p in (profile.get("givenName"), profile.get("familyName")) if p)
    return QboIdentity(
        realm_id=realm_id,
        environment=current_app.config["INTUIT_ENVIRONMENT"],
        user_sub=profile.get("sub"),
        user_email=profile.get("email"),
        user_name=name or None,
        company_name=company_name,
    )


def _after_sign_in(db: Database, flow: OAuthFlow, previous, realm_id: str, now) -> SignInOutcome:
    was_active = previous is not None and previous.is_active
    other_realm = previous is not None and previous.realm_id not in (None, realm_id)
    notice = None
    if other_realm and (flow.intent == SWITCH or was_active):
        action = audit.SWITCHED
        carried = carry_over_settings(db, flow.company_id, previous.realm_id, realm_id, now)
        if carried:
            from qbo.mapping_service import carry_mappings_to_new_realm  # imports the API client, which needs us

            settings = get_realm_settings(db, flow.company_id, realm_id)
            carry_mappings_to_new_realm(db, flow.company_id, previous.realm_id, realm_id, settings)
        if carried or is_configured(db, flow.company_id, realm_id):
            notice = MAPPINGS_NOTICE
    elif previous is not None and previous.realm_id == realm_id:
        action = audit.RECONNECTED
    else:
        action = audit.CONNECTED
    detail = f"from realm {previous.realm_id}" if action == audit.SWITCHED else ""
    audit.record(db, flow.company_id, flow.user_id, action, now, realm_id=realm_id, detail=detail)
    return SignInOutcome(needs_setup=not is_configured(db, flow.company_id, realm_id), notice=notice)


def revoke_quietly(refresh_token: str) -> None:
    try:
        intuit.revoke_token(refresh_token)
    except IntuitError:
        log.warning("Revoking an unused QuickBooks grant failed; it will expire on its own.")


def disconnect(db: Database, company_id: int, user_id: int) -> None:
    """Disconnect at once; the revoke at Intuit is attempted now and retried later if it fails."""
    now = utcnow()
    connection = get_connection(db, company_id)
    revocation_id = _disconnect_row(db, company_id, now)
    realm_id = connection.realm_id if connection else None
    audit.record(db, company_id, user_id, audit.DISCONNECTED, now, realm_id=realm_id)
    if revocation_id is not None and not deliver_revocation(db, token_cipher(), revocation_id, intuit.revoke_token, now):
        audit.record(db, company_id, user_id, audit.REVOKE_FAILED, now, realm_id=realm_id, detail="queued for retry")


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
        _mark_expired(db, company_id, connection.realm_id, exc, user_id)
    except IntuitUnavailable as exc:
        _mark_error(db, company_id, connection, exc, user_id)
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


def usable_access_token(db: Database, company_id: int, rejected_version: int | None = None) -> tuple[str, int]:
    config = current_app.config
    return fresh_access_token(
        db,
        token_cipher(),
        company_id,
        intuit.refresh_tokens,
        utcnow,
        lease_owner(),
        lease_seconds=config["INTUIT_HTTP_TIMEOUT"] * 3,
        wait_seconds=config["INTUIT_HTTP_TIMEOUT"] * 3 + 5,
        rejected_version=rejected_version,
    )


def _mark_expired(db: Database, company_id: int, realm_id: str, exc: Exception, user_id: int | None) -> None:
    now = utcnow()
    set_state(db, company_id, StoredState.EXPIRED, now, error=str(exc) or type(exc).__name__)
    audit.record(db, company_id, user_id, audit.SESSION_EXPIRED, now, realm_id=realm_id, detail=type(exc).__name__)


def _mark_error(db: Database, company_id: int, connection, exc: IntuitUnavailable, user_id: int | None) -> None:
    """A transient failure: the card shows the error; the trail records it once per change of state."""
    now = utcnow()
    set_state(db, company_id, StoredState.ERROR, now, error=str(exc))
    log.warning("QuickBooks check failed for realm %s: %s", connection.realm_id, exc)
    if connection.state is not StoredState.ERROR:
        audit.record(db, company_id, user_id, audit.REFRESH_FAILED, now, realm_id=connection.realm_id, detail=str(exc))
