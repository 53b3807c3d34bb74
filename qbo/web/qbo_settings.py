"""The QuickBooks Online Settings page: integration status, sync pause/resume, Switch Account."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from qbo.accounts import store as accounts
from qbo.connection import audit
from qbo.connection.realm_settings import get_realm_settings, set_sync_enabled
from qbo.connection.state import ConnectionState, card_state, hard_expiry_warning_due
from qbo.connection.store import get_connection
from qbo.intuit.errors import IntuitError
from qbo.mapping.service import check_mappings, mapping_summary, review_needed
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from qbo.web import htmx
from qbo.web.access import integrations_admin_required
from qbo.web.wizard import htmx_aware_redirect

bp = Blueprint("qbo_settings", __name__, url_prefix="/settings/integrations/qbo")

NOT_CONNECTED = "QuickBooks Online is not connected. Connect it from Accounting Integrations."


def status_context(company_id: int) -> dict:
    db = get_db()
    connection = get_connection(db, company_id)
    realm = connection.realm_id if connection else None
    settings = get_realm_settings(db, company_id, realm) if realm else None
    return {
        "connection": connection,
        "state": card_state(connection, utcnow()),
        "States": ConnectionState,
        "realm_settings": settings,
        "review": review_needed(db, company_id, realm, settings) if realm else None,
        "mapping_summary": mapping_summary(db, company_id, realm, settings) if settings else [],
        "hard_expiry_warning": connection is not None and hard_expiry_warning_due(connection, utcnow()),
    }


@bp.get("/settings")
@integrations_admin_required
def show(membership):
    context = status_context(membership.company.id)
    if context["state"] is ConnectionState.NOT_CONNECTED:
        flash(NOT_CONNECTED, "info")
        return redirect(url_for("integrations.index"))
    return render_template("qbo_settings/show.html", **context)


def _connected_settings(company_id: int):
    """The realm settings to act on, or None (with a message queued) when QuickBooks is not connected."""
    context = status_context(company_id)
    if context["state"] is ConnectionState.NOT_CONNECTED or context["realm_settings"] is None:
        flash(NOT_CONNECTED, "error")
        return None
    return context["realm_settings"]


@bp.post("/sync")
@integrations_admin_required
def toggle_sync(membership):
    """Pause or resume syncing without disconnecting."""
    db = get_db()
    settings = _connected_settings(membership.company.id)
    if settings is None:
        return htmx_aware_redirect(url_for("integrations.index"))
    enabled = request.form.get("enabled") == "1"
    now = utcnow()
    set_sync_enabled(db, membership.company.id, settings.realm_id, enabled, now)
    action = audit.SYNC_RESUMED if enabled else audit.SYNC_PAUSED
    audit.record(db, membership.company.id, current_user.user_id, action, now, realm_id=settings.realm_id)
    message = "QuickBooks sync resumed." if enabled else "QuickBooks sync paused."
    if not htmx.is_fragment_request():
        flash(message, "success")
        return redirect(url_for(".show"))
    response = render_template("qbo_settings/_sync.html", **status_context(membership.company.id))
    return htmx.trigger(make_response(response), htmx.toast(message))


@bp.post("/check-mappings")
@integrations_admin_required
def recheck_mappings(membership):
    """Check every mapping against the QuickBooks company now (deleted or inactive records become stale)."""
    db = get_db()
    settings = _connected_settings(membership.company.id)
    if settings is None:
        return redirect(url_for("integrations.index"))
    try:
        stale = check_mappings(db, membership.company.id, settings.realm_id, settings)
        flash(f"Mappings checked: {stale} need review." if stale else "Mappings checked: all up to date.", "success")
    except IntuitError:
        flash("QuickBooks could not be reached to check the mappings. Try again shortly.", "error")
    return redirect(url_for(".show"))


AUDIT_PAGE = 25
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@bp.get("/audit")
@integrations_admin_required
def audit_trail(membership):
    """The audit trail, newest first, one page at a time, optionally one kind of action."""
    db, company_id = get_db(), membership.company.id
    action = request.args.get("kind") or None
    page = max(1, int(request.args.get("page", "1"))) if request.args.get("page", "1").isdigit() else 1
    events = audit.recent_events(db, company_id, AUDIT_PAGE, (page - 1) * AUDIT_PAGE, action)
    pages = max(1, -(-audit.count_events(db, company_id, action) // AUDIT_PAGE))
    users = accounts.user_emails(db, {e.user_id for e in events if e.user_id})
    return htmx.vary_on_htmx(make_response(render_template(
        "qbo_settings/_audit.html", events=events, users=users, page=page, pages=pages, kind=action,
        kinds=audit.actions_recorded(db, company_id))))


@bp.get("/audit.csv")
@integrations_admin_required
def audit_csv(membership):
    """The whole trail (or one kind) as CSV; cells that a spreadsheet would run as formulas are escaped."""
    db, company_id = get_db(), membership.company.id
    action = request.args.get("kind") or None
    events = audit.recent_events(db, company_id, audit.count_events(db, company_id, action), 0, action)
    users = accounts.user_emails(db, {e.user_id for e in events if e.user_id})
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["time (UTC)", "action", "inBuild user", "QuickBooks user", "provider", "realm", "detail"])
    for e in events:
        writer.writerow([_cell(v) for v in (e.created_at.isoformat(), e.action, users.get(e.user_id, ""),
                                            e.qbo_user or "", e.provider or "", e.realm_id or "", e.detail)])
    response = make_response(buffer.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=inbuild-audit-trail.csv"
    return response


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value
