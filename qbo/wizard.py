"""The QuickBooks Online Setup Wizard. Step 1 (sync preferences) now; mapping steps come next."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for

from qbo.access import integrations_admin_required
from qbo.connection_state import ConnectionState, card_state
from qbo.connections import get_connection
from qbo.db import get_db
from qbo.realm_settings import get_realm_settings, mark_setup_complete, save_sync_preferences
from qbo.timeutil import utcnow

bp = Blueprint("wizard", __name__, url_prefix="/settings/integrations/qbo/setup")

EARLIEST_START = date(2000, 1, 1)


def _connected_realm(company_id: int) -> str | None:
    connection = get_connection(get_db(), company_id)
    if card_state(connection, utcnow()) is ConnectionState.NOT_CONNECTED:
        return None
    return connection.realm_id


def parse_sync_preferences(form) -> tuple[dict, list[str]]:
    """The submitted preferences, and what is wrong with them (empty when valid)."""
    values = {
        "sync_bills": form.get("sync_bills") == "1",
        "sync_invoices": form.get("sync_invoices") == "1",
        "sync_start_date": form.get("sync_start_date", "").strip(),
    }
    errors = []
    if not (values["sync_bills"] or values["sync_invoices"]):
        errors.append("Choose bills, invoices, or both.")
    try:
        start = date.fromisoformat(values["sync_start_date"])
        if start < EARLIEST_START or start > date(utcnow().year + 1, 12, 31):
            errors.append("The start date must be between 2000 and next year.")
        values["start"] = start
    except ValueError:
        errors.append("Enter the start date as YYYY-MM-DD.")
    return values, errors


@bp.route("/", methods=["GET", "POST"])
@integrations_admin_required
def sync_preferences(membership):
    company_id = membership.company.id
    realm_id = _connected_realm(company_id)
    if realm_id is None:
        flash("Connect QuickBooks Online before running the Setup Wizard.", "info")
        return redirect(url_for("integrations.index"))
    db = get_db()
    if request.method == "GET":
        settings = get_realm_settings(db, company_id, realm_id)
        return render_template("wizard/sync_preferences.html", values=_form_values(settings), errors=[])
    values, errors = parse_sync_preferences(request.form)
    if errors:
        return render_template("wizard/sync_preferences.html", values=values, errors=errors), 422
    now = utcnow()
    save_sync_preferences(db, company_id, realm_id, values["sync_bills"], values["sync_invoices"], values["start"], now)
    mark_setup_complete(db, company_id, realm_id, now)
    flash("QuickBooks Online setup is complete. Bills and invoices can now sync.", "success")
    return redirect(url_for("qbo_settings.show"))


def _form_values(settings) -> dict:
    if settings is None:
        return {"sync_bills": True, "sync_invoices": True, "sync_start_date": utcnow().date().replace(day=1).isoformat()}
    return {
        "sync_bills": settings.sync_bills,
        "sync_invoices": settings.sync_invoices,
        "sync_start_date": settings.sync_start_date.isoformat() if settings.sync_start_date else "",
    }
