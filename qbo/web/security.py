"""Response headers every page gets, and error pages that never leak internals."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, abort, make_response, render_template, request
from flask_wtf.csrf import CSRFError

from qbo.web import serving, sign_in_protection
from qbo.web.htmx import is_fragment_request, toast, trigger

log = logging.getLogger(__name__)

CSRF_MESSAGE = "This form has expired or did not come from this site. Reload the page and try again."
AUTHORIZE_ORIGINS = {"sandbox": "https://appcenter.intuit.com", "production": "https://appcenter.intuit.com"}


def content_security_policy(config) -> str:
    # Connect is a form POST answered by a redirect to Intuit, so Intuit's origin must be a form-action.
    authorize = AUTHORIZE_ORIGINS.get(config["INTUIT_ENVIRONMENT"])
    if authorize is None:
        parts = urlsplit(config["INTUIT_EMULATOR_URL"])
        authorize = f"{parts.scheme}://{parts.netloc}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; form-action 'self' {authorize}; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )


def init_app(app: Flask) -> None:
    policy = content_security_policy(app.config)
    sign_in_protection.init_app(app)
    serving.init_app(app)

    @app.before_request
    def refuse_unused_methods():
        if request.method in ("OPTIONS", "TRACE"):
            abort(405)

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if not request.path.startswith("/static/"):
            headers["Cache-Control"] = "no-store"
        return response

    app.register_error_handler(CSRFError, _csrf_failed)
    for status in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(status, _http_error)


def _csrf_failed(error: CSRFError):
    return _error_response(400, CSRF_MESSAGE)


def _http_error(error):
    status = getattr(error, "code", None) or 500
    if status == 500:
        log.error("Unhandled error on %s %s: %s", request.method, request.path, type(error).__name__)
    messages = {
        400: "The request could not be understood.",
        403: "You do not have access to this page.",
        404: "This page does not exist.",
        405: "That action is not allowed here.",
        413: "The upload is too large.",
        500: "Something went wrong on our side. Nothing was changed; please try again.",
    }
    return _error_response(status, messages.get(status, messages[500]))


def _error_response(status: int, message: str):
    if is_fragment_request():
        response = make_response(render_template("errors/_refusal.html", message=message), status)
        return trigger(response, toast(message, "error"))
    return render_template("errors/refusal.html", message=message), status
