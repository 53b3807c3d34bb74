"""Row-level actions of the wizard's mapping steps: choose, clear, accept suggestions, create in QuickBooks."""
from __future__ import annotations

from flask import Blueprint, make_response, render_template, request

from qbo.desktop.state import is_desktop_realm
from qbo.desktop.wizard_source import queue_create, refresh_on_next_run
from qbo.intuit.errors import IntuitError
from qbo.intuit.faults import QboFault
from qbo.mapping import service as mapping_service
from qbo.mapping.automatch import HIGH as HIGH_CONFIDENCE
from qbo.mapping.quickbooks_bodies import CannotCreate
from qbo.mapping.record_search import find_options
from qbo.mapping.reference_records import find_by_name, get_record
from qbo.mapping.rows import single_row
from qbo.mapping.store import MANUAL, accept_suggestions, clear_mapping, save_mapping, users_of
from qbo.mapping.wizard_steps import KIND_TITLES
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from qbo.web import htmx, wizard_bulk
from qbo.web.wizard import render_step, wizard_view
from qbo.web.wizard_rows import back_to_step, mapping_context, posted_row, posted_step_and_kind, refuse

bp = Blueprint("wizard_mapping", __name__, url_prefix="/settings/integrations/qbo/setup/map")
bp.register_blueprint(wizard_bulk.bp)
QUEUED = "Queued: the Web Connector's next run creates it in QuickBooks Desktop and maps it."
DESKTOP_REFRESH = "The company file's lists are refreshed on the Web Connector's next run."


def _row_response(membership, realm_id, settings, step, kind, inbuild_id, message=None, status=200):
    if not htmx.is_fragment_request():
        return back_to_step(step, kind)
    row = single_row(get_db(), membership.company.id, realm_id, kind, inbuild_id)
    options_entity = mapping_service.kind_spec(kind, settings).entity
    body = render_template("wizard/_mapping_row.html", row=row, step=step, kind=kind, message=message,
                           entity=options_entity, one_to_one=mapping_service.one_to_one(kind, settings))
    return make_response(body, status)


def _chosen_record(company_id: int, realm_id: str, kind: str, settings):
    """The QuickBooks record the admin picked (by id from the combobox, or by exact name), if it is on this list."""
    spec = mapping_service.kind_spec(kind, settings)
    qbo_id = request.form.get("qbo_id", "").strip()
    if qbo_id:
        record = get_record(get_db(), company_id, realm_id, spec.entity, qbo_id)
    else:
        record = find_by_name(get_db(), company_id, realm_id, spec.entity, request.form.get("qbo_name", ""))
    return record if record is not None and spec.admits(record) else None


@bp.post("/save")
@wizard_view
def save_row(membership, realm_id, settings):
    """The admin picked a QuickBooks record for one inBuild record (from this realm's list only)."""
    posted = posted_row(membership, realm_id, settings)
    if posted is None:
        return refuse()
    step, kind, inbuild_id = posted
    db = get_db()
    company_id = membership.company.id
    record = _chosen_record(company_id, realm_id, kind, settings)
    if record is None:
        return _row_response(membership, realm_id, settings, step, kind, inbuild_id,
                             "Choose a record from this QuickBooks company's list.", 422)
    shared = request.form.get("share") == "1"
    others = [i for i in users_of(db, company_id, realm_id, kind, record.qbo_id) if i != inbuild_id]
    if others and mapping_service.one_to_one(kind, settings) and not shared:
        message = (f"“{record.name}” is already mapped to another {KIND_TITLES[kind].lower()[:-1]}. "
                   "Tick “Share” to map both onto it.")
        return _row_response(membership, realm_id, settings, step, kind, inbuild_id, message, 409)
    save_mapping(db, company_id, realm_id, kind, inbuild_id, record.qbo_id, record.name, MANUAL, utcnow(),
                 confidence=100, shared_ok=shared)
    return _row_response(membership, realm_id, settings, step, kind, inbuild_id)


@bp.get("/options")
@wizard_view
def search_options(membership, realm_id, settings):
    """The combobox's listbox for one row: a few of this realm's records per keystroke."""
    posted = posted_row(membership, realm_id, settings)
    if posted is None:
        return refuse()
    step, kind, inbuild_id = posted
    typed = request.args.get("qbo_name", "")
    options = find_options(get_db(), membership.company.id, realm_id, kind, settings, inbuild_id, typed)
    return render_template("wizard/_options.html", options=options, kind=kind, inbuild_id=inbuild_id, typed=typed)


@bp.post("/clear")
@wizard_view
def clear_row(membership, realm_id, settings):
    posted = posted_row(membership, realm_id, settings)
    if posted is None:
        return refuse()
    step, kind, inbuild_id = posted
    clear_mapping(get_db(), membership.company.id, realm_id, kind, inbuild_id)
    return _row_response(membership, realm_id, settings, step, kind, inbuild_id)


@bp.post("/create")
@wizard_view
def create_row(membership, realm_id, settings):
    """Create the QuickBooks record for an unmatched row (or link an existing record of the same name)."""
    posted = posted_row(membership, realm_id, settings)
    if posted is None:
        return refuse()
    step, kind, inbuild_id = posted
    if is_desktop_realm(realm_id):
        return _queue_desktop_create(membership, realm_id, settings, step, kind, inbuild_id)
    try:
        record, created = mapping_service.create_in_quickbooks(get_db(), membership.company.id, realm_id, kind,
                                                               inbuild_id, settings)
    except (CannotCreate, QboFault) as exc:
        return _row_response(membership, realm_id, settings, step, kind, inbuild_id, str(exc), 422)
    except IntuitError:
        return _row_response(membership, realm_id, settings, step, kind, inbuild_id,
                             "QuickBooks could not be reached. Try again shortly.", 503)
    note = None if created else f"“{record.name}” already existed in QuickBooks and is now linked."
    return _row_response(membership, realm_id, settings, step, kind, inbuild_id, note)


def _queue_desktop_create(membership, realm_id, settings, step, kind, inbuild_id):
    """Desktop: the Web Connector's next run adds the record to the company file and maps it."""
    try:
        queue_create(get_db(), membership.company.id, realm_id, kind, inbuild_id, utcnow())
    except CannotCreate as exc:
        return _row_response(membership, realm_id, settings, step, kind, inbuild_id, str(exc), 422)
    return _row_response(membership, realm_id, settings, step, kind, inbuild_id, QUEUED)


def _step_with_toast(membership, realm_id, settings, step, kind, message, level="success"):
    if not htmx.is_fragment_request():
        return back_to_step(step, kind)
    response = render_step(step, settings, **mapping_context(step, membership.company.id, realm_id, settings, kind))
    return htmx.trigger(response, htmx.toast(message, level))


@bp.post("/accept")
@wizard_view
def accept_high_confidence(membership, realm_id, settings):
    step, kind = posted_step_and_kind(settings)
    if step is None:
        return refuse()
    count = accept_suggestions(get_db(), membership.company.id, realm_id, kind, HIGH_CONFIDENCE, utcnow())
    return _step_with_toast(membership, realm_id, settings, step, kind, f"Accepted {count} high-confidence matches.")


@bp.post("/rematch")
@wizard_view
def rematch(membership, realm_id, settings):
    """Run auto-match again now (it otherwise runs only when the lists change); choices made stay."""
    step, kind = posted_step_and_kind(settings)
    if step is None:
        return refuse()
    added = mapping_service.suggest_matches(get_db(), membership.company.id, realm_id, kind, settings, force=True)
    return _step_with_toast(membership, realm_id, settings, step, kind, f"Auto-match suggested {added} matches.")


@bp.post("/refresh")
@wizard_view
def refresh_lists(membership, realm_id, settings):
    """Re-read the QuickBooks lists now and re-check every mapping against them."""
    step, kind = posted_step_and_kind(settings)
    if step is None:
        return refuse()
    if is_desktop_realm(realm_id):
        stale = refresh_on_next_run(get_db(), membership.company.id, realm_id, settings, utcnow())
        message = f"{DESKTOP_REFRESH} {stale} mappings need review."
        return _step_with_toast(membership, realm_id, settings, step, kind, message)
    try:
        stale = mapping_service.check_mappings(get_db(), membership.company.id, realm_id, settings)
        message, level = f"QuickBooks lists refreshed. {stale} mappings need review.", "success"
    except IntuitError:
        message, level = "QuickBooks could not be reached. Try again shortly.", "error"
    return _step_with_toast(membership, realm_id, settings, step, kind, message, level)
