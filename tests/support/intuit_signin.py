"""Drive the emulator's Intuit sign-in form the way a browser would (for HTTP-level tests)."""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import requests

DEMO_PASSWORD = "intuit-demo"


class _FormFields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.action: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.hidden[attrs["name"]] = attrs.get("value") or ""


def sign_in_at_intuit(
    authorize_url: str, email: str, realm_id: str, action: str = "authorize", password: str = DEMO_PASSWORD
) -> str:
    """Open the authorize URL, submit the form, and return where Intuit redirects the browser."""
    page = requests.get(authorize_url, timeout=10)
    page.raise_for_status()
    fields = _FormFields()
    fields.feed(page.text)
    parts = urlsplit(authorize_url)
    post_url = f"{parts.scheme}://{parts.netloc}{fields.action or parts.path}"
    if fields.action and fields.action.startswith("http"):
        post_url = fields.action
    form = {**fields.hidden, "email": email, "password": password, "realm_id": realm_id, "action": action}
    answer = requests.post(post_url, data=form, allow_redirects=False, timeout=10)
    if answer.status_code != 302:
        raise AssertionError(f"Intuit sign-in did not redirect (HTTP {answer.status_code}): {answer.text[:300]}")
    return answer.headers["Location"]


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
