"""The OAuth round trip with Intuit: start it (bound to this session and company) and finish it."""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

import requests
from flask import current_app, session
from flask_login import current_user
from sqlite_utils import Database

from qbo.connection import audit, lifecycle
from qbo.connection.oauth_states import OAuthFlow, save_flow, take_flow
from qbo.connection.realm_settings import get_realm_settings
from qbo.intuit import oauth as intuit
from qbo.intuit.errors import IntuitUnavailable
from qbo.mapping.service import carry_mappings_to_new_realm
from qbo.storage.timeutil import utcnow

log = logging.getLogger(__name__)

REALM_ID = re.compile(r"[0-9]{1,32}")
ERROR_CODE = re.compile(r"[a-z_]{1,64}")

CANCELLED = "The QuickBooks authorization was cancelled."
BAD_STATE = "This sign-in attempt has expired or was already used. Please click Connect again."
NO_REALM = "No QuickBooks company was selected during sign-in."
NO_CODE = "QuickBooks did not return an authorization code."
EXCHANGE_FAILED = "QuickBooks could not complete the sign-in. Please try again."
UNREACHABLE = "QuickBooks could not be reached. Please try again in a few minutes."


@dataclass(frozen=True)
class CallbackFailure:
    message: str
    status: int  # 400: the request itself is bad; 302: show the page with the banner


@dataclass(frozen=True)
class CallbackSuccess:
    needs_setup: bool
    notice: str | None


def authorization_url(db: Database, company_id: int, intent: str) -> str:
    """Where to send the browser to sign in with Intuit; the state is stored server-side first."""
    client = intuit.qbo_client()
    redirect_uri = current_app.config["INTUIT_REDIRECT_URI"]
    try:
        data = client.create_authorization_url(redirect_uri=redirect_uri)
    except requests.RequestException as exc:
        raise IntuitUnavailable(UNREACHABLE) from exc
    client.save_authorize_data(redirect_uri=redirect_uri, **data)
    flow = OAuthFlow(current_user.session_id, current_user.user_id, company_id, intent, time.time())
    save_flow(db, data["state"], flow, intuit.STATE_LIFETIME_SECONDS)
    return data["url"]


def finish_sign_in(db: Database, args, company_id: int) -> CallbackFailure | CallbackSuccess:
    """Validate Intuit's redirect back to us and, if it is sound, exchange the code and store the connection."""
    if any(len(args.getlist(name)) > 1 for name in ("state", "code", "realmId", "error")):
        return CallbackFailure(BAD_STATE, 400)
    state = args.get("state", "")
    flow = take_flow(db, state) if 0 < len(state) <= 200 else None
    if flow is None or not _belongs_to_this_session(flow, company_id):
        return _fail(db, company_id, CallbackFailure(BAD_STATE, 400), "state missing, unknown, expired or foreign")
    client = intuit.qbo_client()
    if args.get("error"):
        client.framework.clear_state_data(session, state)
        error = args["error"] if ERROR_CODE.fullmatch(args["error"]) else "invalid"
        message = CANCELLED if error == "access_denied" else f"QuickBooks did not authorize the connection ({error})."
        return _fail(db, company_id, CallbackFailure(message, 302), f"intuit error {error}")
    realm_id = args.get("realmId", "")
    if not REALM_ID.fullmatch(realm_id):
        client.framework.clear_state_data(session, state)
        return _fail(db, company_id, CallbackFailure(NO_REALM, 400), "missing or malformed realmId")
    if not args.get("code") or len(args["code"]) > 512:
        client.framework.clear_state_data(session, state)
        return _fail(db, company_id, CallbackFailure(NO_CODE, 400), "missing or malformed code")
    return _exchange_and_store(db, client, flow, realm_id, company_id)


def _belongs_to_this_session(flow: OAuthFlow, company_id: int) -> bool:
    return (
        flow.login_session_id == current_user.session_id
        and flow.user_id == current_user.user_id
        and flow.company_id == company_id
    )


def _exchange_and_store(db, client, flow: OAuthFlow, realm_id: str, company_id: int):
    try:
        token = client.authorize_access_token(claims_options=_id_token_claims(client), headers=intuit.TOKEN_HEADERS)
    except requests.RequestException:
        return _fail(db, company_id, CallbackFailure(UNREACHABLE, 302), "token endpoint unreachable")
    except Exception as exc:  # noqa: BLE001 - any failed exchange or id_token check means no connection
        _revoke_unvalidated(client)
        return _fail(db, company_id, CallbackFailure(EXCHANGE_FAILED, 302), f"exchange failed: {type(exc).__name__}")
    id_claims = token.get("userinfo") or {}
    if id_claims.get("realmid") not in (None, realm_id):
        lifecycle.revoke_quietly(token.get("refresh_token", ""))
        return _fail(db, company_id, CallbackFailure(EXCHANGE_FAILED, 302), "id_token realmid differs from callback")
    try:
        outcome = lifecycle.store_sign_in(db, flow, realm_id, token)
    except lifecycle.SignInRefused as exc:
        return _fail(db, company_id, CallbackFailure(str(exc), 302), str(exc))
    if outcome.carried_from_realm:
        settings = get_realm_settings(db, company_id, realm_id)
        carry_mappings_to_new_realm(db, company_id, outcome.carried_from_realm, realm_id, settings)
    return CallbackSuccess(outcome.needs_setup, outcome.notice)


def _id_token_claims(client) -> dict:
    """OIDC §3.1.3.7: the issuer is the one discovery named, and our client id is in the audience."""
    issuer = client.load_server_metadata()["issuer"]
    return {"iss": {"essential": True, "value": issuer},
            "aud": {"essential": True, "value": current_app.config["INTUIT_CLIENT_ID"]}}


def _revoke_unvalidated(client) -> None:
    """Tokens arrived but failed validation (e.g. a bad id_token): hand them back to Intuit."""
    token = client.token or {}
    if token.get("refresh_token"):
        lifecycle.revoke_quietly(token["refresh_token"])


def _fail(db: Database, company_id: int, failure: CallbackFailure, detail: str) -> CallbackFailure:
    audit.record(db, company_id, current_user.user_id, audit.CONNECT_FAILED, utcnow(), detail=detail)
    return failure
