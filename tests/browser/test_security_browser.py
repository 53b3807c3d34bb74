"""Security properties only a real browser shows: cross-origin CSRF, cookie visibility, CSP violations and
Referer leaks during the connect → disconnect flow (rows 8, 12, 13, 32)."""
from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from qbo.storage.db import connect as open_db
from tests.browser.conftest import intuit_sign_in, sign_in
from tests.conftest import ALEX, REALM_1
from tests.support.live_server import serve

pytestmark = pytest.mark.browser

CARD = "#qbo-card"
DISCONNECT = "/settings/integrations/qbo/disconnect"
WATCH_CSP = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
    {page: location.href, directive: e.violatedDirective, blocked: e.blockedURI}));
"""


def attacker_site(target: str):
    """Another loopback origin serving pages that try to disconnect inBuild's QuickBooks connection."""
    pages = {
        "/form": f"""<!doctype html><form id="f" method="post" action="{target}">
                      <input name="intent" value="disconnect"></form>
                      <script>document.getElementById('f').submit()</script>""",
        "/fetch": f"""<!doctype html><p id="out">pending</p><script>
            Promise.allSettled([
              fetch("{target}", {{method: "POST", credentials: "include", mode: "no-cors",
                                  body: new URLSearchParams({{intent: "disconnect"}})}}),
              fetch("{target}", {{method: "POST", credentials: "include",
                                  headers: {{"HX-Request": "true", "X-CSRFToken": "guessed"}}}}),
            ]).then(r => document.getElementById("out").textContent = "done:" + r.map(x => x.status).join(","));
            </script>""",
    }

    def app(environ, start_response):
        body = pages.get(environ["PATH_INFO"], "not found").encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body]

    return serve(app)


def connection_state(live_app) -> str | None:
    db = open_db(live_app.flask_app.config["DATABASE"])
    try:
        row = db.execute("SELECT state FROM connections").fetchone()
        return row[0] if row else None
    finally:
        db.close()


def connect_through_the_ui(page: Page, base: str) -> None:
    page.goto(base + "/settings/integrations/")
    page.click(f"{CARD} >> button:has-text('Connect')")
    intuit_sign_in(page, ALEX, REALM_1)
    page.wait_for_url(re.compile(re.escape(base) + r"/settings/integrations/qbo/setup/.*"))


def test_cross_origin_pages_cannot_disconnect_but_the_htmx_button_can(page: Page, live_app, caplog):
    base = live_app.url
    sign_in(page, base)
    connect_through_the_ui(page, base)
    assert connection_state(live_app) == "connected"
    attacker = attacker_site(base + DISCONNECT)
    try:
        with caplog.at_level(logging.INFO, logger="flask_wtf.csrf"):
            page.goto(attacker.url + "/fetch")
            expect(page.locator("#out")).to_have_text("done:fulfilled,rejected")
            page.goto(attacker.url + "/form")
            page.wait_for_url(base + DISCONNECT)  # the browser did post, with the session cookie...
            expect(page.locator("body")).to_contain_text("did not come from this site")
    finally:
        attacker.stop()
    assert connection_state(live_app) == "connected"  # ...and nothing happened
    refused = [r for r in caplog.records if "CSRF token is missing" in r.getMessage()]
    assert len(refused) == 2  # the form and the simple fetch arrived; the header fetch died at preflight
    page.goto(base + "/settings/integrations/")
    page.click(f"{CARD} >> button:has-text('Disconnect')")
    expect(page.locator(CARD)).to_have_attribute("data-state", "not_connected")
    assert connection_state(live_app) == "disconnected"


def test_session_cookie_is_invisible_to_scripts_and_strictly_flagged(page: Page, live_app):
    sign_in(page, live_app.url)
    assert "inbuild_session" not in page.evaluate("document.cookie")
    cookies = [c for c in page.context.cookies() if "inbuild_session" in c["name"]]
    assert len(cookies) == 1
    cookie = cookies[0]
    assert cookie["name"].startswith("__Host-") and cookie["httpOnly"] and cookie["secure"]
    assert cookie["sameSite"] == "Lax" and cookie["path"] == "/" and cookie["domain"] == "127.0.0.1"
    assert cookie["expires"] == -1  # a browser-session cookie, no remember-me
    assert [c["name"] for c in page.context.cookies(live_app.url)] == [cookie["name"]]


def test_connect_and_disconnect_without_csp_violations_console_errors_or_referer_leaks(page: Page, live_app):
    base = live_app.url
    app_origin = f"{urlsplit(base).scheme}://{urlsplit(base).netloc}"
    problems, requests_seen = [], []
    page.add_init_script(WATCH_CSP)

    def on_console(message):
        # The browser's own /favicon.ico probe 404s (the app has none); that is not a page error.
        source = (message.location or {}).get("url", "")
        if message.type in ("error", "warning") and page.url.startswith(app_origin) \
                and not source.endswith("/favicon.ico"):
            problems.append(f"console {message.type}: {message.text} @ {page.url} from {source}")

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}")
            if r.status >= 400 and r.url.startswith(app_origin) else None)
    page.on("request", lambda r: requests_seen.append(
        (r.url, r.headers.get("referer", ""), r.is_navigation_request(), r.frame.url)))

    sign_in(page, base)
    connect_through_the_ui(page, base)
    callback = next(url for url, *_ in requests_seen if "/qbo/callback?" in url)
    code = dict(p.split("=", 1) for p in urlsplit(callback).query.split("&"))["code"]
    page.goto(base + "/settings/integrations/")
    page.click(f"{CARD} >> button:has-text('Disconnect')")
    expect(page.locator(CARD)).to_have_attribute("data-state", "not_connected")

    assert page.evaluate("window.__violations") == []
    assert problems == []
    leaks = [(url, referer) for url, referer, *_ in requests_seen
             if url != callback and (code in url or code in referer)]
    assert leaks == []
    subresources = [url for url, _, navigation, frame in requests_seen
                    if not navigation and frame.startswith(app_origin)]
    assert subresources and all(url.startswith(app_origin + "/") for url in subresources), subresources
