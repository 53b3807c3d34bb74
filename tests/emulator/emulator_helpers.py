"""Helpers for driving the emulator over real HTTP like a browser and an app would."""
from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from qbo.emulator.seed import COMPANIES, DEMO_CLIENT, USERS

CLIENT_ID = DEMO_CLIENT["client_id"]
CLIENT_SECRET = DEMO_CLIENT["client_secret"]
REDIRECT_URI = DEMO_CLIENT["redirect_uris"][0]
ACCOUNTING = "com.intuit.quickbooks.accounting"
FULL_SCOPE = f"{ACCOUNTING} openid email profile"
ALEX, SAM, PAT = USERS
KEYSTONE, HARBOR, SUMMIT = (company.realm_id for company in COMPANIES)
PASSWORD = ALEX.password


class FormParser(HTMLParser):
    """Collects the first form on a page the way a browser would submit it."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.options: list[str] = []
        self.buttons: list[tuple[str, str]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self.action = attributes.get("action", "")
        elif tag == "input" and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value", "")
        elif tag == "select":
            self._select = attributes.get("name")
        elif tag == "option" and self._select:
            self.options.append(attributes.get("value", ""))
            self.fields.setdefault(self._select, attributes.get("value", ""))
        elif tag == "button" and attributes.get("name"):
            self.buttons.append((attributes["name"], attributes.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def parse_form(html: str) -> FormParser:
    """The first form of an HTML page."""
    parser = FormParser()
    parser.feed(html)
    return parser


def query_of(location: str) -> dict[str, str]:
    """The query parameters of a redirect Location, single-valued."""
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def pkce_pair() -> tuple[str, str]:
    """A fresh (verifier, S256 challenge)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class Emulator:
    url: str
    http: requests.Session = field(default_factory=requests.Session)

    def authorize_params(self, **overrides: str | None) -> dict[str, str]:
        """A valid authorize query, with overrides (None drops a parameter)."""
        params = {"client_id": CLIENT_ID, "response_type": "code", "scope": FULL_SCOPE,
                  "redirect_uri": REDIRECT_URI, "state": "state-123"}
        params.update(overrides)
        return {key: value for key, value in params.items() if value is not None}

    def open_authorize(self, **overrides: str | None) -> requests.Response:
        """GET the authorize page."""
        return self.http.get(f"{self.url}/connect/oauth2",
                             params=self.authorize_params(**overrides), allow_redirects=False)

    def submit_sign_in(self, page: requests.Response, email: str = ALEX.email,
                       password: str = PASSWORD, realm_id: str | None = KEYSTONE,
                       action: str = "authorize") -> requests.Response:
        """Fill in and submit the sign-in form on a page, like a browser."""
        form = parse_form(page.text)
        data = {**form.fields, "email": email, "password": password, "action": action}
        if realm_id is not None and "realm_id" in form.fields:
            data["realm_id"] = realm_id
        return self.http.post(urljoin(page.url, form.action), data=data, allow_redirects=False)

    def authorize(self, email: str = ALEX.email, realm_id: str | None = KEYSTONE,
                  **overrides: str | None) -> dict[str, str]:
        """Run the browser part of the flow and return the callback query."""
        response = self.submit_sign_in(self.open_authorize(**overrides), email, PASSWORD, realm_id)
        assert response.status_code == 302, response.text
        return query_of(response.headers["Location"])

    def token(self, data: dict, auth: tuple[str, str] | None = (CLIENT_ID, CLIENT_SECRET),
              headers: dict | None = None, timeout: float = 10) -> requests.Response:
        """POST to the token endpoint with Basic client auth."""
        return self.http.post(f"{self.url}/oauth2/v1/tokens/bearer", data=data, auth=auth,
                              headers={"Accept": "application/json", **(headers or {})},
                              timeout=timeout)

    def exchange(self, code: str, redirect_uri: str = REDIRECT_URI, **extra: str) -> requests.Response:
        """Redeem an authorization code."""
        return self.token({"grant_type": "authorization_code", "code": code,
                           "redirect_uri": redirect_uri, **extra})

    def refresh(self, refresh_token: str, **kwargs) -> requests.Response:
        """Use a refresh token."""
        return self.token({"grant_type": "refresh_token", "refresh_token": refresh_token}, **kwargs)

    def connect(self, email: str = ALEX.email, realm_id: str | None = KEYSTONE,
                **overrides: str | None) -> dict:
        """Authorize and exchange; the token response JSON plus realm_id."""
        callback = self.authorize(email, realm_id, **overrides)
        response = self.exchange(callback["code"])
        assert response.status_code == 200, response.text
        return {**response.json(), "realm_id": callback.get("realmId")}

    def api(self, path: str, access_token: str, realm_id: str = KEYSTONE,
            method: str = "GET", **kwargs) -> requests.Response:
        """Call the QBO API for a company."""
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json",
                   **kwargs.pop("headers", {})}
        return self.http.request(method, f"{self.url}/v3/company/{realm_id}/{path}",
                                 headers=headers, **kwargs)

    def control(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call a /_emulator control endpoint."""
        return self.http.request(method, f"{self.url}/_emulator/{path}", **kwargs)

    def grants(self, realm_id: str | None = None) -> list[dict]:
        """The emulator's grants, optionally for one realm."""
        params = {"realm_id": realm_id} if realm_id else {}
        return self.control("GET", "api/grants", params=params).json()

    def calls(self) -> list[dict]:
        """The emulator's call log."""
        return self.control("GET", "api/calls").json()
