"""Intuit's OAuth 2.0 / OpenID Connect wire endpoints (all but the browser authorize page)."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from .clock import now
from .context import base_url, current_emulator, issuer
from .directory import Client, get_user
from .grants import (
    IssuedTokens, Rejection, exchange_code, find_access_token, refresh_grant, revoke_token,
)
from .responses import OAUTH_SUCCESS_TYPE, json_response, oauth_error
from .tamper import next_tamper, tampered_id_token
from .userinfo import userinfo_claims
from .wire import authenticated_client, bearer_token, invalid_client, note_realm, wire_endpoint

bp = Blueprint("emulator_oauth", __name__)

SCOPES_SUPPORTED = ["openid", "email", "profile", "phone", "address",
                    "com.intuit.quickbooks.accounting", "com.intuit.quickbooks.payment"]
ID_TOKEN_LIFETIME = 3600


def discovery_document(base: str) -> dict:
    """The OpenID discovery document, with every endpoint on this emulator."""
    return {
        "issuer": f"{base}/op/v1",
        "authorization_endpoint": f"{base}/connect/oauth2",
        "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
        "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
        "revocation_endpoint": f"{base}/v2/oauth2/tokens/revoke",
        "jwks_uri": f"{base}/op/v1/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": SCOPES_SUPPORTED,
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["aud", "exp", "iat", "iss", "sub", "realmid", "auth_time", "nonce",
                             "email", "emailVerified", "givenName", "familyName",
                             "phoneNumber", "phoneNumberVerified", "address"],
    }


@bp.get("/.well-known/openid_configuration")
@bp.get("/.well-known/openid_configuration/")
@bp.get("/.well-known/openid_sandbox_configuration")
@bp.get("/.well-known/openid_sandbox_configuration/")
@wire_endpoint("discovery")
def discovery() -> Response:
    """Serve the discovery document."""
    return jsonify(discovery_document(base_url()))


@bp.get("/op/v1/jwks")
@wire_endpoint("jwks")
def jwks() -> Response:
    """Serve the public signing key."""
    return jsonify(current_emulator().signing_key.jwks())


@bp.post("/oauth2/v1/tokens/bearer")
@wire_endpoint("token", latency=True)
def token() -> Response:
    """Exchange a code or a refresh token for tokens."""
    client = authenticated_client()
    if client is None:
        return invalid_client()
    grant_type = request.form.get("grant_type")
    if not grant_type:
        return oauth_error("invalid_request", description="grant_type is required")
    if grant_type not in ("authorization_code", "refresh_token"):
        return oauth_error("unsupported_grant_type")
    result = _run_grant(client, grant_type)
    if isinstance(result, Rejection):
        return oauth_error("invalid_grant", description="Token invalid")
    note_realm(result.grant.realm_id)
    return _token_response(result, client)


def _run_grant(client: Client, grant_type: str) -> IssuedTokens | Rejection:
    emulator, form = current_emulator(), request.form
    rotation = emulator.settings().rotation
    with emulator.db.transaction() as conn:
        if grant_type == "authorization_code":
            return exchange_code(conn, code=form.get("code", ""), client_id=client.client_id,
                                 redirect_uri=form.get("redirect_uri"),
                                 code_verifier=form.get("code_verifier"), at=now())
        return refresh_grant(conn, refresh_token=form.get("refresh_token", ""),
                             client_id=client.client_id, rotation=rotation, at=now())


def _token_response(issued: IssuedTokens, client: Client) -> Response:
    at = now()
    body = {
        "access_token": issued.access_token,
        "refresh_token": issued.refresh_token,
        "token_type": "bearer",
        "expires_in": round(issued.access_expires_at - at),
        "x_refresh_token_expires_in": round(issued.refresh_expires_at - at),
    }
    if request.headers.get("x-include-refresh-token-hard-expires-in", "").lower() == "true":
        body["x_refresh_token_hard_expires_in"] = round(issued.grant.hard_expires_at - at)
    if "openid" in issued.grant.scopes:
        body["id_token"] = _id_token(issued, client, at)
    response = json_response(body, 200, OAUTH_SUCCESS_TYPE)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _id_token(issued: IssuedTokens, client: Client, at: float) -> str:
    grant = issued.grant
    claims = {"iss": issuer(), "aud": [client.client_id], "sub": grant.user_sub,
              "auth_time": int(grant.auth_time), "iat": int(at),
              "exp": int(at) + ID_TOKEN_LIFETIME}
    if grant.realm_id:
        claims["realmid"] = grant.realm_id
    if issued.first_issue and grant.nonce:
        claims["nonce"] = grant.nonce
    tamper = next_tamper()  # test-only: /_emulator/api/id-token-tamper
    if tamper is not None:
        return tampered_id_token(tamper, claims, current_emulator().signing_key, client.client_secret, at)
    return current_emulator().signing_key.sign(claims)


@bp.post("/v2/oauth2/tokens/revoke")
@wire_endpoint("revoke")
def revoke() -> Response:
    """Revoke the grant behind a refresh or access token."""
    client = authenticated_client()
    if client is None:
        return invalid_client()
    token_value = _revoke_token_param()
    revoked = None
    if token_value:
        with current_emulator().db.transaction() as conn:
            revoked = revoke_token(conn, token=token_value, client_id=client.client_id, at=now())
    if revoked is None:
        return Response("", 400)
    note_realm(revoked.realm_id)
    return Response("", 200)


def _revoke_token_param() -> str | None:
    body = request.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get("token"), str):
        return body["token"]
    return request.form.get("token")


@bp.get("/v1/openid_connect/userinfo")
@wire_endpoint("userinfo")
def userinfo() -> Response:
    """Describe the signed-in Intuit user, limited to the granted OpenID scopes."""
    token_value = bearer_token()
    with current_emulator().db.transaction() as conn:
        record = find_access_token(conn, token_value) if token_value else None
        user = get_user(conn, record.grant.user_sub) if record else None
    if record is None or user is None or record.grant.revoked_at or record.expires_at <= now():
        return _invalid_token()
    note_realm(record.grant.realm_id)
    if "openid" not in record.grant.scopes:
        return _insufficient_scope()
    return json_response(userinfo_claims(user, record.grant.scopes), 200, OAUTH_SUCCESS_TYPE)


def _invalid_token() -> Response:
    response = oauth_error("invalid_token", 401)
    response.headers["WWW-Authenticate"] = 'Bearer realm="Intuit", error="invalid_token"'
    return response


def _insufficient_scope() -> Response:
    response = oauth_error("insufficient_scope", 403)
    response.headers["WWW-Authenticate"] = 'Bearer realm="Intuit", error="insufficient_scope"'
    return response
