"""The Settings area: its home page and the sidebar every settings page shares."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from qbo.connection.disconnect_notices import disconnect_notice
from qbo.connection.state import ConnectionState, card_state
from qbo.connection.store import get_connection
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from qbo.web.access import NOT_MEMBER, can_use_integrations, current_membership, current_memberships, refusal

bp = Blueprint("settings", __name__, url_prefix="/settings")


ATTENTION = {
    ConnectionState.EXPIRED: "QuickBooks Online needs you: the session has expired and nothing syncs until you "
                             "reconnect.",
    ConnectionState.ERROR: "QuickBooks Online cannot be reached right now; inBuild keeps trying.",
}
DISCONNECTED_IN_QUICKBOOKS = ("QuickBooks Online was disconnected inside QuickBooks: nothing syncs until you "
                              "reconnect.")


def sidebar_context() -> dict:
    """What the settings sidebar and header show for the signed-in user."""
    membership = current_membership()
    show_integrations = can_use_integrations(membership)
    return {
        "membership": membership,
        "memberships": current_memberships(),
        "show_integrations": show_integrations,
        "qbo_attention": _attention(membership.company.id) if show_integrations else None,
    }


def _attention(company_id: int) -> str | None:
    """For admins on every page but the one that already shows it: the connection needs them."""
    if (request.endpoint or "").startswith("integrations."):
        return None
    db = get_db()
    connection = get_connection(db, company_id)
    if disconnect_notice(db, company_id, connection) is not None:
        return DISCONNECTED_IN_QUICKBOOKS
    return ATTENTION.get(card_state(connection, utcnow()))


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
