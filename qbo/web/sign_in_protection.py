"""Sign-in throttling: Flask-Limiter per account and per client address, counted only for failed attempts.

Counters live in the app's database (qbo.accounts.sign_in_limits), or in Redis when RATELIMIT_STORAGE_URI
names it, so the limits hold across gunicorn workers.
"""
from __future__ import annotations

import json
import logging
import time

from flask import Flask, flash, render_template, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

from qbo.accounts import sign_in_limits  # noqa: F401  (registers the inbuild-sqlite storage scheme)
from qbo.accounts import store as accounts
from qbo.connection import audit
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow

log = logging.getLogger(__name__)

PER_ACCOUNT = "5 per 15 minutes"
PER_ADDRESS = "20 per 15 minutes"

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", f"{sign_in_limits.SCHEME}:///{app.config['DATABASE']}")
    app.config.setdefault("RATELIMIT_STRATEGY", "fixed-window")
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _too_many_attempts)


def account_key() -> str:
    return "sign-in:" + request.form.get("email", "").strip().casefold()


def failed(response) -> bool:
    """Only wrong passwords count; a successful sign-in costs nothing."""
    return response.status_code == 401


def audit_breach(limit: RequestLimit) -> None:
    """One audit row per company of the account being tried (the trail is per company), and one log line."""
    email = request.form.get("email", "").strip()
    log.warning(json.dumps({"event": "sign_in_throttled", "email": email[:254], "address": get_remote_address()}))
    db = get_db()
    user = accounts.find_user_by_email(db, email)
    for membership in accounts.memberships_of(db, user.id) if user else ():
        audit.record(db, membership.company.id, user.id, audit.SIGN_IN_THROTTLED, utcnow(), provider=None,
                     detail=f"from {get_remote_address()}")


def _too_many_attempts(error: RateLimitExceeded):
    reset_at = limiter.current_limit.reset_at if limiter.current_limit else time.time() + 15 * 60
    minutes = max(1, round((reset_at - time.time()) / 60))  # the window ends a second or so past the minute
    flash(f"Too many attempts, try again in {minutes} minute{'s' if minutes != 1 else ''}.", "error")
    return render_template("auth/login.html", next=request.form.get("next", "")), 429
