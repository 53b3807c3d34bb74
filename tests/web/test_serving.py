"""Serving: the health endpoint, plain HTTP explained, the development setting, and running behind a proxy."""
from __future__ import annotations

from app import create_app
from qbo.storage.db import get_db
from qbo.web import serving
from tests.conftest import app_config, seed_accounts


def make(tmp_path, intuit, **settings):
    app = create_app(app_config(tmp_path, intuit.url, **settings))
    with app.app_context():
        seed_accounts(get_db())
    return app


def test_health_says_ok_when_the_database_and_the_queue_answer(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "jobs": "ok"}


def test_health_is_503_and_names_the_failing_part(app, monkeypatch):
    def broken():
        raise OSError("disk gone")

    monkeypatch.setattr(serving, "get_db", broken)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] == "failing"
    assert "disk gone" not in response.get_data(as_text=True)


def test_plain_http_to_a_remote_host_says_why_sign_in_fails_and_what_to_do(tmp_path, intuit):
    app = make(tmp_path, intuit, SESSION_COOKIE_SECURE=True)
    remote = app.test_client().get("/login", base_url="http://inbuild.example.com").get_data(as_text=True)
    assert 'data-testid="serving-notice"' in remote and "Serve inBuild over HTTPS" in remote
    assert "FLASK_INSECURE_HTTP_DEVELOPMENT=true" in remote
    for fine in ("https://inbuild.example.com", "http://127.0.0.1:5000", "http://localhost:5000"):
        assert 'data-testid="serving-notice"' not in app.test_client().get("/login", base_url=fine).get_data(
            as_text=True)


def test_the_development_setting_drops_secure_cookies_and_warns_on_every_page(tmp_path, intuit):
    app = make(tmp_path, intuit, SESSION_COOKIE_SECURE=True, INSECURE_HTTP_DEVELOPMENT=True)
    assert app.config["SESSION_COOKIE_SECURE"] is False and not app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    page = app.test_client().get("/login", base_url="http://inbuild.lan").get_data(as_text=True)
    assert "Development mode over plain HTTP" in page


def test_behind_a_proxy_the_forwarded_scheme_and_client_address_count(tmp_path, intuit):
    app = make(tmp_path, intuit, SESSION_COOKIE_SECURE=True, PROXY_FIX_HOPS=1)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Host": "inbuild.example.com"}
    seen = {}

    @app.get("/_whoami")
    def whoami():
        from flask import request

        seen.update(addr=request.remote_addr, scheme=request.scheme, host=request.host)
        return "ok"

    app.test_client().get("/_whoami", base_url="http://10.0.0.5", headers=headers)
    assert seen == {"addr": "203.0.113.7", "scheme": "https", "host": "inbuild.example.com"}
    page = app.test_client().get("/login", base_url="http://10.0.0.5", headers=headers).get_data(as_text=True)
    assert 'data-testid="serving-notice"' not in page
