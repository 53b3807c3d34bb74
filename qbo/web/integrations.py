"""Settings → Accounting Integrations: the page, its cards, and the QuickBooks Online actions."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from qbo.connection import checks, lifecycle
from qbo.connection.oauth_states import CONNECT, INTENTS, RECONNECT, SWITCH
from qbo.connection.disconnect_notices import disconnect_notice
from qbo.connection.realm_settings import get_realm_settings
from qbo.connection.state import ConnectionState, card_state, check_due
from qbo.connection.store import (PROVIDER_NAMES, QBD, QBO, CompanyConnections, active_integration,
                                  company_connections, get_connection)
from qbo.desktop import link_store as desktop_links
from qbo.desktop.lifecycle import RUN_EVERY_CHOICES
from qbo.desktop.state import DesktopState
from qbo.desktop.state import card_state as desktop_card_state
from qbo.intuit.errors import IntuitUnavailable
from qbo.mapping.service import review_needed
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from qbo.sync.status import current_run
from qbo.sync.store import count_by_status
from qbo.web import htmx, sign_in
from qbo.web.access import integrations_admin_required

bp = Blueprint("integrations", __name__, url_prefix="/settings/integrations")

CONNECTION_FAILED = "connection_failed"
DISCONNECTED_TOAST = "Integration disconnected successfully."


def qbo_card_context(company_id: int, connections: CompanyConnections | None = None) -> dict:
    """The QuickBooks Online card; `connections` when the caller has read the company's rows already."""
    db = get_db()
    if connections is None:
        connections = company_connections(db, company_id)
    connection, active = connections.get(QBO), connections.active
    now = utcnow()
    realm = connection.realm_id if connection is not None and connection.is_active else None
    return {
        "connection": connection,
        "review": review_needed(db, company_id, realm, get_realm_settings(db, company_id, realm)) if realm else None,
        "blocked_by": PROVIDER_NAMES[active.provider] if active and active.provider != QBO else None,
        "state": card_state(connection, now),
        "States": ConnectionState,
        "check_due": check_due(connection, now),
        "sync_run": current_run(db, company_id) if realm else None,
        "quickbooks_disconnect": disconnect_notice(db, company_id, connection),  # Intuit's Disconnect URL
    }


def qbd_card_context(company_id: int, password: str | None = None,
                     connections: CompanyConnections | None = None) -> dict:
    """The QuickBooks Desktop slot: the card (or why it is not offered), and a just-issued password to show once."""
    db = get_db()
    if connections is None:
        connections = company_connections(db, company_id)
    active, desktop_row = connections.active, connections.get(QBD)
    show_qbd = active is None or active.provider != QBO
    link = desktop_links.get_link(db, company_id) if show_qbd else None  # else the slot shows no Desktop card
    row_state = desktop_row.state.value if desktop_row else None
    state = desktop_card_state(link, row_state not in (None, "disconnected"), row_state == "error")
    company_file = desktop_links.get_company_file(db, link.company_file_id) if link else None
    realm = company_file.realm_id if company_file and state is not DesktopState.NOT_CONNECTED else None
    return {"show_qbd": show_qbd, "qbd_state": state, "QbdStates": DesktopState,
            "qbd_link": link, "qbd_file": company_file if realm else None, "qbd_password": password,
            "qbd_counts": count_by_status(db, company_id, realm) if realm else {},
            "qbd_run_every": RUN_EVERY_CHOICES}


def cards_context(company_id: int) -> dict:
    """Both cards, from one read of the company's connections."""
    connections = company_connections(get_db(), company_id)
    return {**qbo_card_context(company_id, connections), **qbd_card_context(company_id, connections=connections)}


def render_qbo_card(company_id: int):
    return render_template("integrations/_qbo_card.html", **qbo_card_context(company_id))


@bp.get("/")
@integrations_admin_required
def index(membership):
    return render_template("integrations/index.html", membership=membership, **cards_context(membership.company.id))


@bp.get("/qbo/card")
@integrations_admin_required
def qbo_card(membership):
    return htmx.vary_on_htmx(current_app.make_response(render_qbo_card(membership.company.id)))


@bp.get("/qbd/card")
@integrations_admin_required
def qbd_card(membership):
    return render_template("integrations/_qbd_slot.html", **qbd_card_context(membership.company.id))


@bp.post("/qbo/check")
@integrations_admin_required
def check(membership):
    """Verify the connection with QuickBooks (page-load check, or the admin's "Check again")."""
    checks.check_connection(get_db(), membership.company.id, force=request.form.get("force") == "1",
                               user_id=current_user.user_id)
    if not htmx.is_fragment_request():
        return redirect(url_for(".index"))
    # Never ask for another check from this response: a failing check must not loop.
    context = {**qbo_card_context(membership.company.id), "check_due": False}
    return render_template("integrations/_qbo_card.html", **context)


@bp.post("/qbo/connect")
@integrations_admin_required
def connect(membership):
    """Start the Intuit sign-in (Connect, Reconnect, or Switch Account): a full-page redirect."""
    intent = request.form.get("intent", CONNECT)
    if intent not in INTENTS:
        intent = CONNECT
    db = get_db()
    active = active_integration(db, membership.company.id)
    if active is not None and active.provider != QBO:
        name = PROVIDER_NAMES[active.provider]
        flash(f"{name} is connected. Disconnect it before connecting QuickBooks Online.", CONNECTION_FAILED)
        return redirect(url_for(".index"))
    if intent == SWITCH and (active is None or active.provider != QBO):
        intent = RECONNECT if get_connection(db, membership.company.id) else CONNECT
    try:
        return redirect(sign_in.authorization_url(db, membership.company.id, intent))
    except IntuitUnavailable:
        flash(sign_in.UNREACHABLE, CONNECTION_FAILED)
        return redirect(url_for(".index"))


@bp.get("/qbo/callback")
@integrations_admin_required
def callback(membership):
    """Intuit sends the browser back here after sign-in (or cancel)."""
    result = sign_in.finish_sign_in(get_db(), request.args, membership.company.id)
    if isinstance(result, sign_in.CallbackFailure):
        flash(result.message, CONNECTION_FAILED)
        if result.status == 400:
            context = cards_context(membership.company.id)
            return render_template("integrations/index.html", membership=membership, **context), 400
        return redirect(url_for(".index"))
    if result.notice:
        flash(result.notice, "warning")
    if result.needs_setup:
        return redirect(url_for("wizard.start"))
    flash("QuickBooks Online connected.", "success")
    return redirect(url_for(".index"))


@bp.post("/qbo/disconnect")
@integrations_admin_required
def disconnect(membership):
    lifecycle.disconnect(get_db(), membership.company.id, current_user.user_id)
    if not htmx.is_fragment_request():
        flash(DISCONNECTED_TOAST, "success")
        return redirect(url_for(".index"))
    response = current_app.make_response(render_qbo_card(membership.company.id))
    return htmx.trigger(response, {**htmx.toast(DISCONNECTED_TOAST), "integrations-changed": True})
