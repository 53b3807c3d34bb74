"""Talking to Intuit: the authlib client registration per environment, and the few calls we make."""
from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import FlaskIntegration, OAuth
from authlib.integrations.requests_client import OAuth2Session
from flask import Flask, current_app

from qbo.intuit.errors import AccessRejected, IntuitUnavailable, RefreshRejected

SCOPES = "com.intuit.quickbooks.accounting openid email profile"
STATE_LIFETIME_SECONDS = 600
MINOR_VERSION = 75
PRODUCTION_DISCOVERY = "https://developer.api.intuit.com/.well-known/openid_configuration"
SANDBOX_DISCOVERY = "https://developer.api.intuit.com/.well-known/openid_sandbox_configuration"
PRODUCTION_API = "https://quickbooks.api.intuit.com/v3"
SANDBOX_API = "https://sandbox-quickbooks.api.intuit.com/v3"
ENVIRONMENTS = ("emulator", "sandbox", "production")
# Intuit adds the refresh token's absolute (5-year) expiry to token responses only when asked.
TOKEN_HEADERS = {
    "Accept": "application/json",
    "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
    "x-include-refresh-token-hard-expires-in": "true",
}


@dataclass(frozen=True)
class IntuitEndpoints:
    discovery_url: str
    api_base_url: str


def endpoints_for(config: dict) -> IntuitEndpoints:
    environment = config["INTUIT_ENVIRONMENT"]
    if environment == "production":
        return IntuitEndpoints(PRODUCTION_DISCOVERY, PRODUCTION_API)
    if environment == "sandbox":
        return IntuitEndpoints(SANDBOX_DISCOVERY, SANDBOX_API)
    if environment == "emulator":
        base = config["INTUIT_EMULATOR_URL"].rstrip("/")
        return IntuitEndpoints(f"{base}/.well-known/openid_configuration", f"{base}/v3")
    raise RuntimeError(f"INTUIT_ENVIRONMENT must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}.")


class ShortLivedStateIntegration(FlaskIntegration):
    """OAuth `state` (and its PKCE verifier and nonce) lives 10 minutes, server-side."""

    expires_in = STATE_LIFETIME_SECONDS


class IntuitOAuth(OAuth):
    framework_integration_cls = ShortLivedStateIntegration


def init_app(app: Flask, state_cache) -> None:
    """Register the `qbo` OAuth client for this app's Intuit environment."""
    endpoints = endpoints_for(app.config)
    oauth = IntuitOAuth(app, cache=state_cache)
    oauth.register(
        "qbo",
        client_id=app.config["INTUIT_CLIENT_ID"],
        client_secret=app.config["INTUIT_CLIENT_SECRET"],
        server_metadata_url=endpoints.discovery_url,
        client_kwargs={
            "scope": SCOPES,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic",
            "default_timeout": app.config["INTUIT_HTTP_TIMEOUT"],
        },
    )
    app.extensions["qbo_oauth"] = oauth
    # authlib logs PKCE verifiers at DEBUG; secrets never reach our logs.
    logging.getLogger("authlib").setLevel(logging.INFO)


def qbo_client():
    return current_app.extensions["qbo_oauth"].create_client("qbo")


def _metadata() -> dict:
    try:
        return qbo_client().load_server_metadata()
    except requests.RequestException as exc:
        raise IntuitUnavailable("Intuit's sign-in service could not be reached.") from exc


def _session() -> OAuth2Session:
    config = current_app.config
    return OAuth2Session(
        config["INTUIT_CLIENT_ID"],
        config["INTUIT_CLIENT_SECRET"],
        token_endpoint_auth_method="client_secret_basic",
        default_timeout=config["INTUIT_HTTP_TIMEOUT"],
    )


def refresh_tokens(refresh_token: str) -> dict:
    """Exchange a refresh token for a new token set (Intuit may rotate the refresh token)."""
    token_endpoint = _metadata()["token_endpoint"]
    try:
        with _session() as session:
            return dict(session.refresh_token(token_endpoint, refresh_token=refresh_token, headers=TOKEN_HEADERS))
    except OAuthError as exc:
        if exc.error == "invalid_grant":
            raise RefreshRejected("QuickBooks rejected the refresh token.") from exc
        raise IntuitUnavailable(f"QuickBooks token refresh failed ({exc.error}).") from exc
    except requests.RequestException as exc:
        raise IntuitUnavailable(_describe_http_failure(exc)) from exc


def revoke_token(token: str) -> None:
    """Revoke the grant behind a token. Raises IntuitUnavailable if Intuit did not confirm it."""
    url = _metadata()["revocation_endpoint"]
    config = current_app.config
    try:
        response = requests.post(
            url,
            json={"token": token},
            auth=(config["INTUIT_CLIENT_ID"], config["INTUIT_CLIENT_SECRET"]),
            headers={"Accept": "application/json"},
            timeout=config["INTUIT_HTTP_TIMEOUT"],
        )
    except requests.RequestException as exc:
        raise IntuitUnavailable(_describe_http_failure(exc)) from exc
    # 400 means the grant is already gone (e.g. disconnected inside QuickBooks): nothing left to revoke.
    if response.status_code not in (200, 400):
        raise IntuitUnavailable(f"Intuit's revoke endpoint answered HTTP {response.status_code}.")


def fetch_userinfo(access_token: str) -> dict:
    """The signed-in Intuit user's profile (camelCase keys: email, givenName, familyName)."""
    url = _metadata()["userinfo_endpoint"]
    return _get_json(url, access_token)


def fetch_company_info(realm_id: str, access_token: str) -> dict:
    base = endpoints_for(current_app.config).api_base_url
    url = f"{base}/company/{realm_id}/companyinfo/{realm_id}"
    return _get_json(url, access_token, params={"minorversion": MINOR_VERSION}).get("CompanyInfo", {})


def _get_json(url: str, access_token: str, params: dict | None = None) -> dict:
    try:
        response = requests.get(
            url,
            params=params,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            timeout=current_app.config["INTUIT_HTTP_TIMEOUT"],
        )
    except requests.RequestException as exc:
        raise IntuitUnavailable(_describe_http_failure(exc)) from exc
    if response.status_code == 401:
        raise AccessRejected("QuickBooks refused the access token (HTTP 401).")
    if response.status_code == 403:
        raise IntuitUnavailable("QuickBooks refused access to this company (HTTP 403).")
    if response.status_code != 200:
        raise IntuitUnavailable(f"QuickBooks answered HTTP {response.status_code}.")
    try:
        return response.json()
    except ValueError as exc:
        raise IntuitUnavailable("QuickBooks sent a response that is not JSON.") from exc


def _describe_http_failure(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return "QuickBooks did not answer in time."
    if isinstance(exc, requests.ConnectionError):
        return "QuickBooks could not be reached."
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"QuickBooks answered HTTP {exc.response.status_code}."
    return "The request to QuickBooks failed."
