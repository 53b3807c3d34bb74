"""The sync on the QuickBooks Online Settings page: Sync now, progress, history, the Sync issues list and Retry."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from qbo.connection import audit
from qbo.connection.access_tokens import qbo_client
from qbo.intuit.errors import IntuitError
from qbo.intuit.faults import QboFault
from qbo.jobs.sync_tasks import sync_company
from qbo.records import documents
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from qbo.sync.bodies import BILL, INVOICE
from qbo.sync.engine import blocker
from qbo.sync.messages import fault_message
from qbo.sync.removal import NotRemovable, remove_from_quickbooks
from qbo.sync.status import FIX_STEPS, history_page, issues_page, sync_overview
from qbo.web import htmx
from qbo.web.access import integrations_admin_required

bp = Blueprint("sync", __name__, url_prefix="/settings/integrations/qbo/syncing")


def _page_number() -> int:
    value = request.args.get("page", "1")
    return max(1, int(value)) if value.isdigit() else 1


QUEUE_PATIENCE_POLLS = 30  # one a second: after this the page says the job consumer may not be running


def _status(company_id: int, notice: str = "", after: int | None = None, tries: int = 0):
    """The status fragment; `after` is the newest run id when Sync now was pressed (still waiting for a newer one)."""
    db = get_db()
    overview = sync_overview(db, company_id)
    if after is None and overview.running:
        after = overview.current.id - 1  # so the page refreshes its lists when this run ends
    newest = overview.current or overview.last
    queued = after is not None and not overview.running and (newest is None or newest.id <= after)
    response = make_response(render_template(
        "qbo_settings/_sync_status.html", overview=overview, notice=notice, queued=queued and tries < QUEUE_PATIENCE_POLLS,
        stuck=queued and tries >= QUEUE_PATIENCE_POLLS, after=after, tries=tries + 1, blocked=blocker(db, company_id)))
    if after is not None and not overview.running and not queued:
        htmx.trigger(response, {"sync-changed": True})
    return htmx.vary_on_htmx(response)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/status")
@integrations_admin_required
def status(membership):
    """The Last Sync line with Sync now, or the progress bar while a run is going (polled by htmx)."""
    return _status(membership.company.id, after=_int_arg("after"), tries=_int_arg("tries") or 0)


@bp.post("/run")
@integrations_admin_required
def sync_now(membership):
    db, company_id = get_db(), membership.company.id
    reason = blocker(db, company_id)
    overview = sync_overview(db, company_id)
    newest = overview.current or overview.last
    if reason is None:
        audit.record(db, company_id, current_user.user_id, audit.SYNC_REQUESTED, utcnow(), realm_id=overview.realm_id)
        sync_company(company_id, "manual")
    if not htmx.is_fragment_request():
        return redirect(url_for("qbo_settings.show"))
    return _status(company_id, notice=reason or "", after=(newest.id if newest else 0) if reason is None else None)


@bp.get("/history")
@integrations_admin_required
def history(membership):
    runs, pages = history_page(get_db(), membership.company.id, _page_number())
    return render_template("qbo_settings/_sync_history.html", runs=runs, page=_page_number(), pages=pages)


@bp.get("/issues")
@integrations_admin_required
def issues(membership):
    overview = sync_overview(get_db(), membership.company.id)
    rows = issues_page(get_db(), membership.company.id, overview.realm_id, _page_number()) if overview.realm_id else []
    return render_template("qbo_settings/_sync_issues.html", issues=rows, labels=_labels(membership.company.id, rows),
                           fix_steps=FIX_STEPS, page=_page_number())


@bp.post("/records/<kind>/<int:record_id>/retry")
@integrations_admin_required
def retry(membership, kind: str, record_id: int):
    """Send one record again (Retry on an issue, Resync on a record), in a run of its own."""
    db, company_id = get_db(), membership.company.id
    _own_record_or_404(company_id, kind, record_id)
    reason = blocker(db, company_id)
    if reason is None:
        sync_company(company_id, "retry", [(kind, record_id)])
    message = reason or "Sent again: see its QuickBooks status."
    return _answer(message, "warning" if reason else "success")


@bp.post("/records/<kind>/<int:record_id>/remove")
@integrations_admin_required
def remove(membership, kind: str, record_id: int):
    """Delete a withdrawn bill from QuickBooks, or void a withdrawn invoice there."""
    db, company_id = get_db(), membership.company.id
    _own_record_or_404(company_id, kind, record_id)
    realm_id = sync_overview(db, company_id).realm_id
    reason = blocker(db, company_id) or (None if realm_id else "QuickBooks Online is not connected.")
    if reason is not None:
        return _answer(reason, "warning")
    try:
        message = remove_from_quickbooks(db, company_id, realm_id, kind, record_id, qbo_client(db, company_id),
                                         utcnow())
    except NotRemovable as exc:
        return _answer(str(exc), "warning")
    except QboFault as fault:
        return _answer(fault_message(fault), "error")
    except IntuitError as exc:
        return _answer(f"{exc} Try again shortly.", "error")
    audit.record(db, company_id, current_user.user_id, audit.SYNC_RECORD_REMOVED, utcnow(), realm_id=realm_id,
                 detail=f"{kind} {record_id}")
    return _answer(message, "success")


def _own_record_or_404(company_id: int, kind: str, record_id: int) -> None:
    getter = {BILL: documents.get_bill, INVOICE: documents.get_invoice}.get(kind)
    if getter is None or getter(get_db(), company_id, record_id) is None:
        abort(404)


def _answer(message: str, level: str):
    """The outcome in place of the button that asked (htmx), or back to the page with a flash."""
    if not htmx.is_fragment_request():
        flash(message, level)
        return redirect(request.referrer if _same_site(request.referrer) else url_for("qbo_settings.show"))
    response = make_response(render_template("qbo_settings/_sync_retry_done.html", message=message))
    return htmx.trigger(response, {**htmx.toast(message, level), "sync-changed": True})


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


def _labels(company_id: int, rows) -> dict:
    """What each issue is, as the admin knows it: "Bill INV-881 (Summit Electric, LLC)"."""
    db, labels = get_db(), {}
    for row in rows:
        if row.kind == BILL:
            bill = documents.get_bill(db, company_id, row.record_id)
            labels[row.kind, row.record_id] = f"Bill {bill.number} ({bill.vendor_name})" if bill else "Bill (removed)"
        else:
            invoice = documents.get_invoice(db, company_id, row.record_id)
            labels[row.kind, row.record_id] = (f"Invoice {invoice.number} ({invoice.project_name})" if invoice
                                               else "Invoice (removed)")
    return labels
