"""'Create all unmapped in QuickBooks': a preview, then Batch chunks with a progress bar; rows fill in as they end."""
from __future__ import annotations

from flask import Blueprint, flash, render_template, url_for

from qbo.desktop.state import is_desktop_realm
from qbo.desktop.wizard_source import queue_create
from qbo.intuit.errors import IntuitError
from qbo.mapping.quickbooks_bodies import CannotCreate
from qbo.mapping.bulk_create import run_next_chunk, start_bulk_create
from qbo.mapping.bulk_plan import plan_bulk_create
from qbo.mapping.bulk_store import FINISHED, PAUSED, RUNNING, get_bulk, items_of, set_bulk_status
from qbo.mapping.kinds import one_to_one
from qbo.mapping.rows import progress, single_row
from qbo.mapping.wizard_steps import KIND_TITLES
from qbo.storage.db import get_db, immediate
from qbo.storage.timeutil import utcnow
from qbo.web import htmx
from qbo.web.wizard import htmx_aware_redirect, provider_name, render_step, wizard_view
from qbo.web.wizard_rows import back_to_step, mapping_context, posted_step_and_kind, refuse

bp = Blueprint("bulk", __name__, url_prefix="/bulk")
PREVIEW_ROWS = 50
UNREACHABLE = "QuickBooks could not be reached. What was created so far is mapped; resume to create the rest."


@bp.get("/preview")
@wizard_view
def preview(membership, realm_id, settings):
    """The names as they will appear in QuickBooks, before anything is created."""
    step, kind = posted_step_and_kind(settings)
    if step is None:  # a bare or stale link: back to the wizard rather than an error page
        return htmx_aware_redirect(url_for("wizard.start"))
    plan = plan_bulk_create(get_db(), membership.company.id, realm_id, kind, settings)
    context = {"plan": plan, "shown": plan.records[:PREVIEW_ROWS], "step": step, "kind": kind,
               "kind_titles": KIND_TITLES, "provider": provider_name()}
    if htmx.is_fragment_request():
        return render_template("wizard/_bulk_preview.html", **context)
    return render_step(step, settings, bulk_preview=plan, bulk_shown=context["shown"],
                       **mapping_context(step, membership.company.id, realm_id, settings, kind))


@bp.post("/start")
@wizard_view
def start(membership, realm_id, settings):
    step, kind = posted_step_and_kind(settings)
    if step is None:
        return refuse()
    company_id = membership.company.id
    if is_desktop_realm(realm_id):
        return _queue_desktop_creates(membership, realm_id, settings, step, kind)
    bulk_id = start_bulk_create(get_db(), company_id, realm_id, kind, settings)
    if htmx.is_fragment_request():  # the panel asks for each chunk in turn, so the bar moves
        return _panel(company_id, realm_id, settings, step, kind, bulk_id, [])
    bulk = get_bulk(get_db(), company_id, realm_id, bulk_id)
    while bulk.status == RUNNING:
        bulk = _next(company_id, realm_id, settings, bulk_id)[0]
    flash(_summary(bulk), "success" if bulk.status == FINISHED else "error")
    return back_to_step(step, kind)


def _queue_desktop_creates(membership, realm_id, settings, step, kind):
    """Desktop: every unmapped record is queued for the Web Connector's next run (no Batch API there)."""
    company_id = membership.company.id
    plan = plan_bulk_create(get_db(), company_id, realm_id, kind, settings)
    try:
        with immediate(get_db()):
            for record in plan.records:
                queue_create(get_db(), company_id, realm_id, kind, record.inbuild_id, utcnow())
        message = (f"Queued {len(plan.records)} {KIND_TITLES[kind].lower()}: the Web Connector's next run "
                   "creates them in QuickBooks Desktop and maps them.")
        level = "success"
    except CannotCreate as exc:
        message, level = str(exc), "error"
    if not htmx.is_fragment_request():
        flash(message, level)
        return back_to_step(step, kind)
    response = render_step(step, settings, **mapping_context(step, company_id, realm_id, settings, kind))
    return htmx.trigger(response, htmx.toast(message, level))


@bp.post("/<int:bulk_id>/next")
@wizard_view
def next_chunk(membership, realm_id, settings, bulk_id):
    """Create the next chunk of up to 30 records through one Batch request."""
    step, kind = posted_step_and_kind(settings)
    bulk = get_bulk(get_db(), membership.company.id, realm_id, bulk_id)
    if step is None or bulk is None or bulk.kind != kind:
        return refuse()
    bulk, finished = _next(membership.company.id, realm_id, settings, bulk_id)
    return _panel(membership.company.id, realm_id, settings, step, kind, bulk_id, finished)


def _next(company_id: int, realm_id: str, settings, bulk_id: int):
    db = get_db()
    try:
        result = run_next_chunk(db, company_id, realm_id, bulk_id, settings)
    except IntuitError:
        set_bulk_status(db, bulk_id, PAUSED, utcnow(), UNREACHABLE)
        return get_bulk(db, company_id, realm_id, bulk_id), []
    if result.bulk.status == PAUSED:
        set_bulk_status(db, bulk_id, RUNNING, utcnow())
    return get_bulk(db, company_id, realm_id, bulk_id), result.finished


def _panel(company_id: int, realm_id: str, settings, step, kind, bulk_id: int, finished):
    db = get_db()
    bulk = get_bulk(db, company_id, realm_id, bulk_id)
    rows = [row for row in (single_row(db, company_id, realm_id, kind, item.inbuild_id) for item in finished) if row]
    return render_template("wizard/_bulk_progress.html", bulk=bulk, step=step, kind=kind, rows=rows,
                           failures=items_of(db, bulk_id, ("failed",)), summary=_summary(bulk),
                           progress=progress(db, company_id, realm_id, kind), one_to_one=one_to_one(kind, settings))


def _summary(bulk) -> str:
    counts = bulk.counts
    text = (f"{counts.get('created', 0)} created in QuickBooks, {counts.get('linked', 0)} linked to records "
            f"QuickBooks already had, {counts.get('failed', 0)} failed")
    return f"{text}; {counts.get('pending', 0)} still to create." if bulk.status != FINISHED else f"{text}."
