"""Intuit's browser sign-in and consent page at /connect/oauth2."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, Response, make_response, redirect, render_template, request
from werkzeug.datastructures import MultiDict

from .clock import now
from .context import current_emulator
from .directory import (
    Client, User, authenticate_user, get_client, get_company, has_access, list_companies,
)
from .grants import API_SCOPES, CodeRequest, create_code

bp = Blueprint("emulator_authorize", __name__)

SCOPE_DESCRIPTIONS = {
    "com.intuit.quickbooks.accounting": "Read and write your QuickBooks accounting data",
    "com.intuit.quickbooks.payment": "Process payments through QuickBooks Payments",
    "openid": "Sign you in with your Intuit account",
    "email": "See your email address",
    "profile": "See your name",
    "phone": "See your phone number",
    "address": "See your address",
}
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43,128}$")
INVALID_REDIRECT = ("The redirect_uri query parameter value is invalid. Make sure it is listed in"
                    " the Redirect URIs section on your app's keys tab and matches it exactly.")


@dataclass(frozen=True)
class AuthorizeParams:
    client_id: str
    redirect_uri: str
    response_type: str
    scope: str
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str | None

    @classmethod
    def from_values(cls, values: MultiDict) -> "AuthorizeParams":
        """Read the OAuth parameters from a query string or form."""
        def text(name: str) -> str | None:
            return values.get(name) or None
        return cls(values.get("client_id", ""), values.get("redirect_uri", ""),
                   values.get("response_type", ""), " ".join(values.get("scope", "").split()),
                   text("state"), text("code_challenge"), text("code_challenge_method"),
                   text("nonce"))

    @property
    def scopes(self) -> list[str]:
        """The requested scopes, in request order."""
        return self.scope.split()

    @property
    def wants_company(self) -> bool:
        """Whether an API scope was asked for, so a company must be chosen."""
        return bool(API_SCOPES.intersection(self.scopes))


def client_redirect(redirect_uri: str, params: dict[str, str | None]) -> str:
    """The redirect URI with params appended, keeping its own query exactly as registered."""
    query = urlencode([(key, value) for key, value in params.items() if value is not None])
    base, _, fragment = redirect_uri.partition("#")
    joined = f"{base}{'&' if '?' in base else '?'}{query}"
    return f"{joined}#{fragment}" if fragment else joined


def _error_page(message: str) -> Response:
    response = make_response(render_template("emulator/error.html", message=message), 400)
    response.headers["Cache-Control"] = "no-store"
    return response


def _redirect_error(params: AuthorizeParams) -> str | None:
    if params.response_type != "code":
        return "unsupported_response_type"
    if params.code_challenge or params.code_challenge_method:
        # Only S256 is allowed; a challenge without a method would default to plain.
        well_formed = _CHALLENGE.match(params.code_challenge or "")
        if params.code_challenge_method != "S256" or not well_formed:
            return "invalid_request"
    if not params.scopes or any(scope not in SCOPE_DESCRIPTIONS for scope in params.scopes):
        return "invalid_scope"
    return None


def _checked_request(params: AuthorizeParams) -> tuple[Client | None, Response | None]:
    with current_emulator().db.transaction() as conn:
        client = get_client(conn, params.client_id) if params.client_id else None
    if client is None:
        return None, _error_page("The client_id query parameter value is invalid.")
    if params.redirect_uri not in client.redirect_uris:
        return None, _error_page(INVALID_REDIRECT)
    error = _redirect_error(params)
    if error:
        return None, _bounce(params, {"error": error, "state": params.state})
    return client, None


def _bounce(params: AuthorizeParams, values: dict[str, str | None]) -> Response:
    response = redirect(client_redirect(params.redirect_uri, values), 302)
    response.headers["Cache-Control"] = "no-store"
    return response


def _sign_in_page(client: Client, params: AuthorizeParams, error: str | None = None) -> Response:
    with current_emulator().db.transaction() as conn:
        companies = list_companies(conn)
    page = render_template(
        "emulator/authorize.html", client=client, params=params, error=error,
        scopes=[(scope, SCOPE_DESCRIPTIONS[scope]) for scope in params.scopes],
        companies=companies if params.wants_company else [],
        email=request.form.get("email", ""), selected_realm=request.form.get("realm_id", ""))
    response = make_response(page, 200)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


@bp.get("/connect/oauth2")
def authorize() -> Response:
    """Show the sign-in and consent page, or explain why the request is bad."""
    params = AuthorizeParams.from_values(request.args)
    client, problem = _checked_request(params)
    return problem or _sign_in_page(client, params)


@bp.post("/connect/oauth2")
def authorize_submit() -> Response:
    """Handle Authorize or Cancel on the sign-in page."""
    params = AuthorizeParams.from_values(request.form)
    client, problem = _checked_request(params)
    if problem:
        return problem
    if request.form.get("action") == "cancel":
        return _bounce(params, {"error": "access_denied", "state": params.state})
    with current_emulator().db.transaction() as conn:
        user = authenticate_user(conn, request.form.get("email", ""),
                                 request.form.get("password", ""))
    if user is None:
        return _sign_in_page(client, params, "Incorrect email or password.")
    realm_id = (request.form.get("realm_id") or None) if params.wants_company else None
    refusal = _company_refusal(user, realm_id) if params.wants_company else None
    if refusal:
        return _sign_in_page(client, params, refusal)
    code = _issue_code(client, params, user, realm_id)
    return _bounce(params, {"code": code, "state": params.state, "realmId": realm_id})


def _company_refusal(user: User, realm_id: str | None) -> str | None:
    if not realm_id:
        return "Choose the QuickBooks company to connect."
    with current_emulator().db.transaction() as conn:
        company = get_company(conn, realm_id)
        allowed = company is not None and has_access(conn, user.sub, realm_id)
    if company is None:
        return "That QuickBooks company does not exist."
    if not allowed:
        return (f"{user.email} is not an admin of {company.name}. Only a company admin can"
                " connect apps. Choose another company or sign in as another user.")
    return None


def _issue_code(client: Client, params: AuthorizeParams, user: User, realm_id: str | None) -> str:
    request_ = CodeRequest(client.client_id, params.redirect_uri, user.sub, realm_id,
                           params.scope, params.code_challenge, params.nonce)
    with current_emulator().db.transaction() as conn:
        return create_code(conn, request_, now())
