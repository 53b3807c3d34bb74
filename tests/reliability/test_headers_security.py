"""Row 8: no-store and no-referrer on every token-bearing response, no third-party subresources.
Row 32: HSTS, a strict CSP, nosniff on every page; OPTIONS and TRACE refused."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.conftest import ALEX, REALM_1
from tests.support.intuit_signin import path_and_query, sign_in_at_intuit

FRAGMENT = {"HX-Request": "true"}
SUBRESOURCE_ATTRS = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
                     ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"), ("input", "src")}


class Subresources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (tag, name) in SUBRESOURCE_ATTRS and value:
                self.urls.append(value)
            if name == "srcset" and value:
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]
            if name == "style" and value and "url(" in value:
                self.urls += re.findall(r"url\(['\"]?([^'\")]+)", value)


def assert_private(response, what: str) -> None:
    assert response.headers.get("Cache-Control") == "no-store", what
    # Row 8 accepts either; `same-origin` is the likely fix for the HTTPS CSRF-referrer bug (test_session_cookies).
    assert response.headers.get("Referrer-Policy") in ("no-referrer", "same-origin"), what


def assert_first_party_only(html: str, what: str) -> None:
    parser = Subresources()
    parser.feed(html)
    assert parser.urls, what  # every page loads at least our CSS and scripts
    for url in parser.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and url.startswith("/"), (what, url)


def assert_baseline_headers(response, what: str) -> None:
    hsts = response.headers.get("Strict-Transport-Security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    assert max_age and int(max_age.group(1)) >= 31_536_000, (what, hsts)
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("frame-ancestors") == ["'none'"], (what, csp)
    assert directives.get("object-src") == ["'none'"], (what, csp)
    assert directives.get("base-uri") == ["'none'"], (what, csp)
    assert "'unsafe-eval'" not in csp and "'unsafe-inline'" not in csp, (what, csp)
    assert "default-src" in directives and "script-src" in directives, (what, csp)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what


def connected_admin(admin):
    back = sign_in_at_intuit(admin.start_connect(), ALEX, REALM_1)
    callback = admin.client.get(path_and_query(back))
    assert callback.status_code == 302
    return callback


def test_callback_responses_are_private(admin, intuit):
    refused = admin.client.get("/settings/integrations/qbo/callback", query_string={"state": "nope", "code": "x"})
    assert refused.status_code == 400
    assert_private(refused, "refused callback")
    assert_first_party_only(refused.get_data(as_text=True), "refused callback")
    assert_private(connected_admin(admin), "successful callback")


NEEDS_A_ROW = {"/settings/integrations/qbo/setup/map/options"}


def signed_in_get_routes(app) -> list[str]:
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments and rule.endpoint not in ("static", "home")
                  and not rule.endpoint.startswith("auth.")
                  and rule.endpoint not in ("integrations.callback", "intuit_disconnect.callback"))


def test_every_signed_in_page_and_fragment_is_private_first_party_and_hardened(app, admin, intuit):
    connected_admin(admin)
    routes = signed_in_get_routes(app)
    assert {"/settings/", "/settings/integrations/", "/settings/integrations/qbo/card"} <= set(routes)
    pages = 0
    for path in routes:
        for headers in ({}, FRAGMENT):
            response = admin.client.get(path, headers=headers)
            what = f"{path} {headers}"
            # The combobox needs a row (step, kind, inbuild_id) in its query: without one it is a 404, still hardened.
            expected = (200, 302, 303, 404) if path in NEEDS_A_ROW else (200, 302, 303)
            assert response.status_code in expected, what
            assert_private(response, what)
            assert_baseline_headers(response, what)
            body = response.get_data(as_text=True)
            if response.status_code == 200 and "<html" in body:  # a full page, not a fragment
                assert_first_party_only(body, what)
                pages += 1
    assert pages >= 3
    for path, data in [("/settings/integrations/qbo/check", {"force": "1"}),
                       ("/settings/integrations/qbo/disconnect", {})]:
        response = admin.post(path, data, htmx=True)
        assert response.status_code == 200, path
        assert_private(response, "htmx " + path)
        assert_baseline_headers(response, "htmx " + path)


def test_anonymous_and_error_pages_are_hardened_too(app):
    client = app.test_client()
    for path, status in [("/login", 200), ("/no-such-page", 404), ("/settings/", 302)]:
        response = client.get(path)
        assert response.status_code == status, path
        assert_private(response, path)
        assert_baseline_headers(response, path)
    assert_first_party_only(client.get("/login").get_data(as_text=True), "/login")
    refused = client.post("/logout")  # no CSRF token
    assert refused.status_code == 400
    assert_baseline_headers(refused, "csrf error")


def test_refusals_are_hardened(make_client):
    staff = make_client("staff@acme.test")
    response = staff.client.get("/settings/integrations/")
    assert response.status_code == 403
    assert_private(response, "403")
    assert_baseline_headers(response, "403")


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE"])
def test_unused_methods_are_refused(admin, method):
    for path in ["/", "/login", "/settings/", "/settings/integrations/", "/settings/integrations/qbo/callback",
                 "/settings/integrations/qbo/disconnect", "/static/app.css", "/no-such-page"]:
        response = admin.client.open(path, method=method)
        assert response.status_code == 405, (method, path, response.status_code)
        assert "Traceback" not in response.get_data(as_text=True)


def test_debug_is_off_and_errors_do_not_leak(app):
    assert not app.debug
    body = app.test_client().get("/static/../app.py").get_data(as_text=True)
    assert "create_app" not in body
