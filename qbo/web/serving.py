"""Running behind a reverse proxy and on plain HTTP, and the health endpoint a load balancer or systemd polls."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from qbo.jobs.queue import huey
from qbo.storage.db import get_db

log = logging.getLogger(__name__)

LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
PLAIN_HTTP = ("This page came over plain HTTP from {host}. Browsers do not keep inBuild's sign-in cookie (it is "
              "Secure) on plain HTTP, so signing in fails with \"This form has expired\". Serve inBuild over HTTPS "
              "(README: Deploying), or on a trusted development network set FLASK_INSECURE_HTTP_DEVELOPMENT=true.")
DEVELOPMENT_HTTP = ("Development mode over plain HTTP: sign-in cookies travel unencrypted. Never use "
                    "INSECURE_HTTP_DEVELOPMENT in production.")


def init_app(app: Flask) -> None:
    hops = int(app.config.get("PROXY_FIX_HOPS", 0))
    if hops:
        # Behind N trusted proxies: the client address, scheme and host come from their X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    if app.config.get("INSECURE_HTTP_DEVELOPMENT"):
        app.config.update(SESSION_COOKIE_SECURE=False, SESSION_COOKIE_NAME="inbuild_session")
    app.add_url_rule("/healthz", "health", health)
    app.context_processor(lambda: {"serving_notice": serving_notice(app)})


def serving_notice(app: Flask) -> str | None:
    """Why sign-in cannot work here (plain HTTP to a remote host), or the development-mode warning."""
    if app.config.get("INSECURE_HTTP_DEVELOPMENT"):
        return DEVELOPMENT_HTTP
    host = request.host.rsplit(":", 1)[0] if not request.host.startswith("[") else request.host.split("]")[0] + "]"
    if app.config.get("SESSION_COOKIE_SECURE") and not request.is_secure and host not in LOCAL_HOSTS:
        return PLAIN_HTTP.format(host=host)
    return None


def health():
    """200 when the database and the job queue answer, else 503 naming what failed (no details of secrets)."""
    checks = {"database": _database_answers(), "jobs": _queue_answers()}
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if healthy else "failing", **checks), 200 if healthy else 503


def _database_answers() -> str:
    try:
        get_db().execute("SELECT 1").fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure is "not healthy"; the type goes to the log
        log.error("health: database check failed: %s", type(exc).__name__)
        return "failing"
    return "ok"


def _queue_answers() -> str:
    try:
        huey.pending_count()
    except Exception as exc:  # noqa: BLE001
        log.error("health: job queue check failed: %s", type(exc).__name__)
        return "failing"
    return "ok"
