"""The Settings area: its home page and the sidebar every settings page shares."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from qbo.accounts import store as accounts
from qbo.storage.db import get_db
from qbo.web.access import NOT_MEMBER, can_use_integrations, current_membership, refusal

bp = Blueprint("settings", __name__, url_prefix="/settings")


def sidebar_context() -> dict:
    """What the settings sidebar and header show for the signed-in user."""
    membership = current_membership()
    return {
        "membership": membership,
        "memberships": accounts.memberships_of(get_db(), current_user.user_id),
        "show_integrations": can_use_integrations(membership),
    }


@bp.get("/")
@login_required
def index():
    if current_membership() is None:
        return refusal(NOT_MEMBER)
    return render_template("settings/index.html")


def init_app(app) -> None:
    @app.context_processor
    def inject_sidebar():
        if current_user.is_authenticated:
            return sidebar_context()
        return {}

    @app.get("/")
    def home():
        return redirect(url_for("settings.index"))
