"""What the wizard's mapping views share: the posted step and kind, the step's context, refusals, redirects."""
from __future__ import annotations

from flask import make_response, redirect, request, url_for

from qbo.desktop.state import is_desktop_realm
from qbo.desktop.wizard_source import list_problem
from qbo.intuit.errors import IntuitError
from qbo.mapping import service as mapping_service
from qbo.mapping.bulk_store import latest_bulk
from qbo.mapping.rows import progress, row_page, single_row
from qbo.mapping.wizard_steps import kinds_for_step, step_by_slug
from qbo.storage.db import get_db
from qbo.web import htmx

LIST_ERROR = "QuickBooks could not be reached to load its lists. Your entries are saved; try again shortly."
SEARCH_LIMIT = 100


def htmx_aware_redirect(url: str):
    return htmx.client_redirect(url) if htmx.is_fragment_request() else redirect(url, 303)


def load_lists(company_id: int, realm_id: str, entities, force: bool = False) -> str | None:
    """Bring the realm's lists up to date; a Desktop company file's lists are those its Web Connector sent."""
    if is_desktop_realm(realm_id):
        return list_problem(get_db(), company_id, realm_id, entities)
    try:
        mapping_service.refresh_reference_records(get_db(), company_id, realm_id, entities, force=force)
    except IntuitError:
        return LIST_ERROR
    return None


def chosen_kind(step, settings, kind: str | None = None) -> str:
    kinds = kinds_for_step(step.slug, settings)
    if kind in kinds:
        return kind
    return request.args.get("kind") if request.args.get("kind") in kinds else kinds[0]


def table_context(step, company_id: int, realm_id: str, settings, kind: str) -> dict:
    """One page of a mapping step's rows (searched), as the table partial shows them."""
    page = row_page(get_db(), company_id, realm_id, kind, request.args.get("q", "").strip()[:SEARCH_LIMIT],
                    request.args.get("page", 1, type=int))
    return {"kind": kind, "row_page": page, "one_to_one": mapping_service.one_to_one(kind, settings),
            "entity": mapping_service.kind_spec(kind, settings).entity}


def mapping_context(step, company_id: int, realm_id: str, settings, kind: str | None = None) -> dict:
    """A mapping step: its lists loaded, auto-match run if they changed, one page of rows."""
    db = get_db()
    kinds = kinds_for_step(step.slug, settings)
    kind = chosen_kind(step, settings, kind)
    error = load_lists(company_id, realm_id, sorted({mapping_service.kind_spec(k, settings).entity for k in kinds}))
    if error is None:
        mapping_service.suggest_matches(db, company_id, realm_id, kind, settings)
    return {**table_context(step, company_id, realm_id, settings, kind), "kinds": kinds,
            "progress": progress(db, company_id, realm_id, kind), "list_error": error,
            "bulk": latest_bulk(db, company_id, realm_id, kind, unfinished_only=True)}


def posted_step_and_kind(settings):
    """The step and kind a request names, if the kind belongs to the step under the current settings."""
    step = step_by_slug(request.values.get("step", ""))
    kind = request.values.get("kind", "")
    if step is None or kind not in kinds_for_step(step.slug, settings):
        return None, None
    return step, kind


def posted_row(membership, realm_id, settings):
    """(step, kind, inbuild_id) for a row action, or None unless all three are this company's and fit together."""
    step, kind = posted_step_and_kind(settings)
    inbuild_id = request.values.get("inbuild_id", type=int)
    if step is None or inbuild_id is None or single_row(get_db(), membership.company.id, realm_id, kind,
                                                         inbuild_id) is None:
        return None
    return step, kind, inbuild_id


def back_to_step(step, kind):
    return htmx_aware_redirect(url_for("wizard.show_step", slug=step.slug, kind=kind,
                                       q=request.values.get("q") or None, page=request.values.get("page") or None))


def refuse():
    message = "That record is not part of this company's setup."
    if htmx.is_fragment_request():
        return htmx.trigger(make_response(message, 404), htmx.toast(message, "error"))
    return message, 404
