"""Intuit's "Disconnect URL": where Intuit sends the user after they disconnect inBuild inside QuickBooks.

No inBuild sign-in is needed. The landing page explains what happened and starts an OpenID-only sign-in with
Intuit (scope `openid email`, no access to QuickBooks data; a plain form POST, then a redirect). The callback
validates state, PKCE and the id_token like the Connect flow, learns the Intuit user, hands the short grant back to
Intuit, and lets the connection package check and mark that user's connections.
"""
from __future__ import annotations

import logging
import re

import requests
from flask import Blueprint, current_app, redirect, render_template, request, session

from qbo.connection import lifecycle
from qbo.connection.quickbooks_disconnect import Verdict, confirm_disconnects
from qbo.intuit import oauth as intuit
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow

log = logging.getLogger(__name__)

bp = Blueprint("intuit_disconnect", __name__, url_prefix="/intuit/disconnected")

OPENID_SCOPES = "openid email"
PURPOSE = "disconnect_url"  # marks this flow's state data, so a Connect state cannot finish here (or the reverse)
REALM_ID = re.compile(r"[0-9]{1,32}")
EXPIRED = "This sign-in has expired or was already used. Start again from the link below."
CANCELLED = "You cancelled the sign-in with Intuit. Nothing was changed in inBuild."
FAILED = "Intuit could not confirm who you are. Nothing was changed in inBuild."
UNREACHABLE = "Intuit could not be reached. Nothing was changed in inBuild; please try again in a few minutes."


class NotIdentified(Exception):
    """The sign-in did not tell us who the user is; the message and status to answer with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _realm_hint(value: str | None) -> str:
    """Intuit may name the company (undocumented); accept only a well-formed realm id."""
    return value if value and REALM_ID.fullmatch(value) else ""


@bp.get("/")
def landing():
    return render_template("intuit/disconnected.html", realm_id=_realm_hint(request.args.get("realmId")))


@bp.post("/sign-in")
def start_sign_in():
    """Start the OpenID-only sign-in: a full-page redirect to Intuit."""
    client = intuit.qbo_client()
    redirect_uri = current_app.config["INTUIT_DISCONNECT_REDIRECT_URI"]
    try:
        data = client.create_authorization_url(redirect_uri=redirect_uri, scope=OPENID_SCOPES)
    except requests.RequestException:
        return _outcome(UNREACHABLE, 503)
    client.save_authorize_data(redirect_uri=redirect_uri, purpose=PURPOSE,
                               realm_hint=_realm_hint(request.form.get("realm_id")), **data)
    return redirect(data["url"])


@bp.get("/callback")
def callback():
    """Intuit sends the browser back here: identify the user, then check and mark their connections."""
    if any(len(request.args.getlist(name)) > 1 for name in ("state", "code", "error")):
        return _outcome(EXPIRED, 400)
    client, state = intuit.qbo_client(), request.args.get("state", "")
    flow = client.framework.get_state_data(session, state) if 0 < len(state) <= 200 else None
    if not flow or flow.get("purpose") != PURPOSE:
        return _outcome(EXPIRED, 400)
    if request.args.get("error"):
        client.framework.clear_state_data(session, state)
        return _outcome(CANCELLED if request.args["error"] == "access_denied" else FAILED, 200)
    if not request.args.get("code") or len(request.args["code"]) > 512:
        client.framework.clear_state_data(session, state)
        return _outcome(FAILED, 400)
    try:
        user_sub = _identify(client)
    except NotIdentified as exc:
        return _outcome(exc.message, exc.status)
    findings = confirm_disconnects(get_db(), user_sub, flow.get("realm_hint") or None, utcnow())
    return render_template("intuit/disconnect_outcome.html", message=None, findings=findings, Verdicts=Verdict)


def _identify(client) -> str:
    """The Intuit user's `sub` from a validated id_token (NotIdentified otherwise)."""
    try:
        token = client.authorize_access_token(claims_options=_id_token_claims(client), headers=intuit.TOKEN_HEADERS)
    except requests.RequestException as exc:
        raise NotIdentified(UNREACHABLE, 503) from exc
    except Exception as exc:  # noqa: BLE001 - any failed exchange or id_token check identifies nobody
        log.warning("Disconnect URL sign-in failed: %s", type(exc).__name__)
        raise NotIdentified(FAILED, 400) from exc
    if token.get("refresh_token"):
        lifecycle.revoke_quietly(token["refresh_token"])  # only who they are was needed: hand the grant back
    user_sub = (token.get("userinfo") or {}).get("sub")
    if not isinstance(user_sub, str) or not user_sub:
        raise NotIdentified(FAILED, 400)
    return user_sub


def _id_token_claims(client) -> dict:
    """OIDC §3.1.3.7: the issuer is the one discovery named, and our client id is in the audience."""
    issuer = client.load_server_metadata()["issuer"]
    return {"iss": {"essential": True, "value": issuer},
            "aud": {"essential": True, "value": current_app.config["INTUIT_CLIENT_ID"]}}


def _outcome(message: str, status: int):
    return render_template("intuit/disconnect_outcome.html", message=message, findings=[], Verdicts=Verdict), status
