"""The QuickBooks Online connection lifecycle: keep a finished sign-in, disconnect.

Flask-aware only through qbo.intuit.oauth (which reads the app's Intuit settings); views stay thin.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from sqlite_utils import Database

from qbo.connection import audit
from qbo.connection.access_tokens import token_cipher
from qbo.connection.oauth_states import SWITCH, OAuthFlow
from qbo.connection.realm_settings import carry_over_settings, is_configured
from qbo.connection.revocations import deliver_revocation
from qbo.connection.sign_in_store import IntegrationConflict, QboIdentity, RealmLinkedElsewhere, save_qbo_connection
from qbo.connection.store import PROVIDER_NAMES, get_connection
from qbo.connection.store import disconnect_qbo as _disconnect_row
from qbo.connection.tokens import TokenResponseError, TokenSet, token_set_from_response
from qbo.intuit import oauth as intuit
from qbo.intuit.errors import IntuitError
from qbo.storage.timeutil import utcnow

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
    carried_from_realm: str | None = None  # a switch brought this realm's configuration along


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
    return _after_sign_in(db, flow, saved.previous, realm_id, now, identity.user_email)


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


def _after_sign_in(db: Database, flow: OAuthFlow, previous, realm_id: str, now, qbo_user: str | None) -> SignInOutcome:
    was_active = previous is not None and previous.is_active
    other_realm = previous is not None and previous.realm_id not in (None, realm_id)
    notice, carried = None, False
    if other_realm and (flow.intent == SWITCH or was_active):
        action = audit.SWITCHED
        carried = carry_over_settings(db, flow.company_id, previous.realm_id, realm_id, now)
        if carried or is_configured(db, flow.company_id, realm_id):
            notice = MAPPINGS_NOTICE
    elif previous is not None and previous.realm_id == realm_id:
        action = audit.RECONNECTED
    else:
        action = audit.CONNECTED
    detail = f"from realm {previous.realm_id}" if action == audit.SWITCHED else ""
    audit.record(db, flow.company_id, flow.user_id, action, now, realm_id=realm_id, detail=detail, qbo_user=qbo_user)
    return SignInOutcome(needs_setup=not is_configured(db, flow.company_id, realm_id), notice=notice,
                         carried_from_realm=previous.realm_id if carried else None)


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
    qbo_user = connection.qbo_user_email if connection else None
    audit.record(db, company_id, user_id, audit.DISCONNECTED, now, realm_id=realm_id, qbo_user=qbo_user)
    if revocation_id is not None and not deliver_revocation(db, token_cipher(), revocation_id, intuit.revoke_token, now):
        audit.record(db, company_id, user_id, audit.REVOKE_FAILED, now, realm_id=realm_id, detail="queued for retry")


