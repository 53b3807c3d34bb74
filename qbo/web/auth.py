"""Signing in and out. The session cookie holds only an opaque login-session id, closed server-side."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from qbo.accounts import store as accounts
from qbo.accounts.store import Membership
from qbo.storage.db import get_db
from qbo.web.sign_in_protection import PER_ACCOUNT, PER_ADDRESS, account_key, audit_breach, failed, limiter
from qbo.web.htmx import client_redirect, is_fragment_request

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"


@dataclass
class SessionUser:
    """flask-login's user: one open login session of one user."""

    session_id: str
    user_id: int
    email: str
    name: str
    company_id: int | None
    memberships: tuple[Membership, ...] = ()  # read with the session: every signed-in request needs them

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.session_id


@login_manager.user_loader
def load_session_user(session_id: str) -> SessionUser | None:
    found = accounts.login_session(get_db(), session_id)
    if found is None:
        return None
    user = found.user
    return SessionUser(found.session_id, user.id, user.email, user.name, found.company_id, found.memberships)


@login_manager.unauthorized_handler
def unauthorized():
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if is_fragment_request():
        return client_redirect(url_for("auth.login"))
    flash(login_manager.login_message, "info")
    return redirect(target)


def safe_next(value: str | None) -> str:
    """A same-origin path to return to after sign-in, or the settings home. Never an open redirect."""
    default = url_for("settings.index")
    if not value or any(c in value for c in "\\\r\n\t") or not value.isascii():
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return default
    return value


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(PER_ACCOUNT, key_func=account_key, methods=["POST"], deduct_when=failed, on_breach=audit_breach)
@limiter.limit(PER_ADDRESS, methods=["POST"], deduct_when=failed, on_breach=audit_breach)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("settings.index"))
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    db = get_db()
    user = accounts.authenticate(db, request.form.get("email", ""), request.form.get("password", ""))
    if user is None:
        flash("Incorrect e-mail or password.", "error")
        return render_template("auth/login.html", next=request.form.get("next", "")), 401
    memberships = accounts.memberships_of(db, user.id)
    company_id = memberships[0].company.id if memberships else None
    session.clear()  # a fresh session: nothing from before sign-in survives
    session_id = accounts.open_login_session(db, user.id, company_id)
    login_user(load_session_user(session_id))
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
@login_required
def logout():
    accounts.close_login_session(get_db(), current_user.session_id)
    logout_user()
    session.clear()
    flash("You have been signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.post("/company")
@login_required
def switch_company():
    """Work in another company the user belongs to (ids from the form are checked against memberships)."""
    db = get_db()
    company_id = request.form.get("company_id", type=int)
    if company_id is None or accounts.membership(db, current_user.user_id, company_id) is None:
        abort(403)
    accounts.switch_session_company(db, current_user.session_id, company_id)
    return redirect(url_for("settings.index"))
