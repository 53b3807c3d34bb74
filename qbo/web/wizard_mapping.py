"""Row-level actions of the wizard's mapping steps: choose, clear, accept suggestions, create in QuickBooks."""
from __future__ import annotations

from flask import Blueprint, make_response, render_template, request, url_for

from qbo.intuit.errors import IntuitError
from qbo.intuit.faults import QboFault
from qbo.mapping import service as mapping_service
from qbo.mapping.automatch import HIGH as HIGH_CONFIDENCE
from qbo.mapping.quickbooks_bodies import CannotCreate
from qbo.mapping.reference_records import find_by_name
from qbo.mapping.rows import single_row
from qbo.mapping.store import MANUAL, accept_suggestions, clear_mapping, save_mapping, users_of
from qbo.mapping.wizard_steps import KIND_TITLES, kinds_for_step, step_by_slug
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from qbo.web import htmx
from qbo.web.wizard import htmx_aware_redirect, mapping_context, render_step, wizard_view

bp = Blueprint("wizard_mapping", __name__, url_prefix="/settings/integrations/qbo/setup/map")


def _kind_and_step(settings):
    """The posted kind, if it belongs to the posted step under the current settings."""
    step = step_by_slug(request.values.get("step", ""))
    kind = request.values.get("kind", "")
    if step is None or kind not in kinds_for_step(step.slug, settings):
        return None, None
    return step, kind


def _posted_row(membership, realm_id, settings):
    """(step, kind, inbuild_id) for a row action, or None unless all three are this company's and fit together."""
    step, kind = _kind_and_step(settings)
    inbuild_id = request.form.get("inbuild_id", type=int)
    if step is None or inbuild_id is None or single_row(get_db(), membership.company.id, realm_id, kind,
                                                         inbuild_id) is None:
        return None
    return step, kind, inbuild_id


def _back_to_step(step, kind):
    return htmx_aware_redirect(url_for("wizard.show_step", slug=step.slug, kind=kind,
                                       q=request.values.get("q") or None, page=request.values.get("page") or None))


def _row_response(membership, realm_id, settings, step, kind, inbuild_id, message=None, status=200):
    if not htmx.is_fragment_request():
        return _back_to_step(step, kind)
    row = single_row(get_db(), membership.company.id, realm_id, kind, inbuild_id)
    options_entity = mapping_service.kind_spec(kind, settings).entity
    body = render_template("wizard/_mapping_row.html", row=row, step=step, kind=kind, message=message,
                           entity=options_entity, one_to_one=mapping_service.one_to_one(kind, settings))
    return make_response(body, status)


@bp.post("/save")
@wizard_view
def save_row(membership, realm_id, settings):
    """The admin picked a QuickBooks record for one inBuild record (names from this realm's list only)."""
    posted = _posted_row(membership, realm_id, settings)
    if posted is None:
        return _refuse()
    step, kind, inbuild_id = posted
    db = get_db()
    company_id = membership.company.id
    spec = mapping_service.kind_spec(kind, settings)
    record = find_by_name(db, company_id, realm_id, spec.entity, request.form.get("qbo_name", ""))
    if record is None or record not in mapping_service.candidates_for(db, company_id, realm_id, kind, settings):
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


@bp.post("/clear")
@wizard_view
def clear_row(membership, realm_id, settings):
    posted = _posted_row(membership, realm_id, settings)
    if posted is None:
        return _refuse()
    step, kind, inbuild_id = posted
    clear_mapping(get_db(), membership.company.id, realm_id, kind, inbuild_id)
    return _row_response(membership, realm_id, settings, step, kind, inbuild_id)


@bp.post("/create")
@wizard_view
def create_row(membership, realm_id, settings):
    """Create the QuickBooks record for an unmatched row (or link an existing record of the same name)."""
    posted = _posted_row(membership, realm_id, settings)
    if posted is None:
        return _refuse()
    step, kind, inbuild_id = posted
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


@bp.post("/accept")
@wizard_view
def accept_high_confidence(membership, realm_id, settings):
    step, kind = _kind_and_step(settings)
    if step is None:
        return _refuse()
    count = accept_suggestions(get_db(), membership.company.id, realm_id, kind, HIGH_CONFIDENCE, utcnow())
    if not htmx.is_fragment_request():
        return _back_to_step(step, kind)
    response = render_step(step, settings, **mapping_context(step, membership.company.id, realm_id, settings, kind))
    return htmx.trigger(response, htmx.toast(f"Accepted {count} high-confidence matches."))


@bp.post("/refresh")
@wizard_view
def refresh_lists(membership, realm_id, settings):
    """Re-read the QuickBooks lists now and re-check every mapping against them."""
    step, kind = _kind_and_step(settings)
    if step is None:
        return _refuse()
    try:
        stale = mapping_service.check_mappings(get_db(), membership.company.id, realm_id, settings)
        message, level = f"QuickBooks lists refreshed. {stale} mappings need review.", "success"
    except IntuitError:
        message, level = "QuickBooks could not be reached. Try again shortly.", "error"
    if not htmx.is_fragment_request():
        return _back_to_step(step, kind)
    response = render_step(step, settings, **mapping_context(step, membership.company.id, realm_id, settings, kind))
    return htmx.trigger(response, htmx.toast(message, level))


def _refuse():
    message = "That record is not part of this company's setup."
    if htmx.is_fragment_request():
        return htmx.trigger(make_response(message, 404), htmx.toast(message, "error"))
    return message, 404
