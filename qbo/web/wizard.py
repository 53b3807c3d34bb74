"""The Setup Wizard: preferences → default accounts → vendors → projects → lines → review, on the active
integration's realm (QuickBooks Online's, or a QuickBooks Desktop company file's)."""
from __future__ import annotations

import functools

from flask import Blueprint, flash, g, make_response, render_template, request, url_for

from qbo.connection.realm_settings import (
    get_realm_settings,
    mark_setup_complete,
    save_default_accounts,
    save_preferences,
    set_wizard_step,
)
from qbo.connection.state import ConnectionState, card_state
from qbo.connection.store import get_connection
from qbo.desktop.state import is_desktop_realm
from qbo.desktop.wizard_source import desktop_realm
from qbo.mapping import service as mapping_service
from qbo.mapping.reference_records import AP_ACCOUNT_TYPES, INCOME_ACCOUNT_TYPES, get_record, list_records
from qbo.mapping.rows import progress
from qbo.mapping.wizard_steps import (
    ACCOUNTS,
    GRANULARITIES,
    KIND_TITLES,
    LINES,
    MAPPING_STEPS,
    POSTING_STYLES,
    PREFERENCES,
    PROJECT_MAPPINGS,
    REVIEW,
    STEPS,
    VENDORS,
    kinds_for_step,
    lines_title,
    missing_defaults,
    next_step,
    parse_preferences,
    preference_values,
    step_by_slug,
)
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from qbo.web import htmx
from qbo.web.access import integrations_admin_required
from qbo.web.wizard_rows import chosen_kind, htmx_aware_redirect, load_lists, mapping_context, table_context

bp = Blueprint("wizard", __name__, url_prefix="/settings/integrations/qbo/setup")
__all__ = ["bp", "htmx_aware_redirect", "render_step", "wizard_view"]
NOT_CONNECTED = "Connect QuickBooks Online before running the Setup Wizard."
DESKTOP_NOT_READY = ("Run the Web Connector once (Update Selected) so inBuild can read the company file's lists, "
                     "then open the Setup Wizard.")


def wizard_view(view):
    """Admin only, with an active integration that has a realm; passes (membership, realm_id, settings)."""

    @functools.wraps(view)
    @integrations_admin_required
    def wrapped(membership, *args, **kwargs):
        realm_id = wizard_realm(membership.company.id)
        if not realm_id:
            flash(DESKTOP_NOT_READY if realm_id == "" else NOT_CONNECTED, "info")
            return htmx_aware_redirect(url_for("integrations.index"))
        g.wizard_realm = realm_id
        settings = get_realm_settings(get_db(), membership.company.id, realm_id)
        return view(membership, realm_id, settings, *args, **kwargs)

    return wrapped


def wizard_realm(company_id: int) -> str | None:
    """The active integration's realm: the Desktop company file's, or QuickBooks Online's ("" or None: not ready)."""
    desktop = desktop_realm(get_db(), company_id)
    if desktop is not None:
        return desktop
    connection = get_connection(get_db(), company_id)
    return None if card_state(connection, utcnow()) is ConnectionState.NOT_CONNECTED else connection.realm_id


def render_step(step, settings, status=200, **context):
    """The whole wizard page; htmx navigation picks #wizard out of it and pushes the step's URL."""
    body = render_template("wizard/page.html", step=step, steps=STEPS, settings=settings, provider=provider_name(),
                           lines_title=lines_title(settings), kind_titles=KIND_TITLES, **context)
    response = make_response(body, status)
    if htmx.is_fragment_request() and request.method == "GET":
        response.headers["HX-Push-Url"] = request.full_path.rstrip("?")
    return htmx.vary_on_htmx(response)


def provider_name() -> str:
    """Which QuickBooks this request's wizard sets up (`wizard_view` keeps the realm it chose on `g`)."""
    return "QuickBooks Desktop" if is_desktop_realm(g.get("wizard_realm", "")) else "QuickBooks Online"


def go_to(step):
    return htmx_aware_redirect(url_for("wizard.show_step", slug=step.slug))


@bp.get("/")
@wizard_view
def start(membership, realm_id, settings):
    step = step_by_slug(settings.wizard_step) if settings else PREFERENCES
    return go_to(step or PREFERENCES)


@bp.get("/<slug>")
@wizard_view
def show_step(membership, realm_id, settings, slug):
    step = step_by_slug(slug)
    if step is None:
        return go_to(PREFERENCES)
    if settings is None and step is not PREFERENCES:
        flash("Start with your preferences.", "info")
        return go_to(PREFERENCES)
    company_id = membership.company.id
    if settings is not None:
        set_wizard_step(get_db(), company_id, realm_id, step.slug)
    return render_step(step, settings, **step_context(step, company_id, realm_id, settings))


@bp.get("/<slug>/rows")
@wizard_view
def show_rows(membership, realm_id, settings, slug):
    """One page of a mapping step's rows (paging, search): no list refresh, no auto-match, just the table."""
    step = step_by_slug(slug)
    if step is None or step.slug not in MAPPING_STEPS or settings is None:
        return go_to(PREFERENCES)
    context = table_context(step, membership.company.id, realm_id, settings, chosen_kind(step, settings))
    rows = context["row_page"]
    step_url = url_for("wizard.show_step", slug=step.slug, kind=context["kind"], q=rows.search or None,
                       page=rows.page if rows.page > 1 else None)
    if not htmx.is_fragment_request():
        return htmx_aware_redirect(step_url)
    body = render_template("wizard/_mapping_table.html", step=step, kind_titles=KIND_TITLES, **context)
    response = make_response(body)
    response.headers["HX-Push-Url"] = step_url
    return htmx.vary_on_htmx(response)


def step_context(step, company_id: int, realm_id: str, settings) -> dict:
    if step is PREFERENCES:
        return {"values": preference_values(settings, utcnow().date()), "errors": [],
                "choices": (GRANULARITIES, POSTING_STYLES, PROJECT_MAPPINGS)}
    if step is ACCOUNTS:
        return accounts_context(company_id, realm_id, settings)
    if step is REVIEW:
        return review_context(company_id, realm_id, settings)
    return mapping_context(step, company_id, realm_id, settings)


def accounts_context(company_id: int, realm_id: str, settings) -> dict:
    db = get_db()
    error = load_lists(company_id, realm_id, ("Account", "Item"))
    item_based = settings.posting_style == "item"
    income = (list_records(db, company_id, realm_id, "Item", ("Service", "NonInventory")) if item_based
              else list_records(db, company_id, realm_id, "Account", INCOME_ACCOUNT_TYPES))
    return {"ap_accounts": list_records(db, company_id, realm_id, "Account", AP_ACCOUNT_TYPES),
            "income_choices": income, "income_label": "income item" if item_based else "income account",
            "list_error": error, "errors": []}


def review_context(company_id: int, realm_id: str, settings) -> dict:
    db = get_db()
    kinds = [k for slug in (VENDORS.slug, "projects", LINES.slug) for k in kinds_for_step(slug, settings)]
    return {"missing": missing_defaults(settings),
            "summary": [(KIND_TITLES[k], progress(db, company_id, realm_id, k)) for k in kinds]}


@bp.post("/preferences")
@wizard_view
def save_preferences_step(membership, realm_id, settings):
    prefs, values, errors = parse_preferences(request.form, utcnow().date())
    if errors:
        return render_step(PREFERENCES, settings, 422, values=values, errors=errors,
                           choices=(GRANULARITIES, POSTING_STYLES, PROJECT_MAPPINGS))
    db = get_db()
    now = utcnow()
    save_preferences(db, membership.company.id, realm_id, prefs, now)
    lines_changed = settings is not None and (settings.posting_style, settings.line_granularity) != (
        prefs.posting_style, prefs.line_granularity)
    if lines_changed:
        mapping_service.forget_line_mappings(db, membership.company.id, realm_id)
        flash("Line-item settings changed: map your cost codes or cost types again.", "warning")
    set_wizard_step(db, membership.company.id, realm_id, next_step(PREFERENCES).slug)
    return go_to(next_step(PREFERENCES))


@bp.post("/accounts")
@wizard_view
def save_accounts_step(membership, realm_id, settings):
    db = get_db()
    company_id = membership.company.id
    income_entity = "Item" if settings.posting_style == "item" else "Account"
    ap = get_record(db, company_id, realm_id, "Account", request.form.get("ap_account_id", ""))
    income = get_record(db, company_id, realm_id, income_entity, request.form.get("income_ref_id", ""))
    errors = []
    if settings.sync_bills and (ap is None or ap.subtype not in AP_ACCOUNT_TYPES):
        errors.append("Choose the Accounts Payable account bills are posted to.")
    if settings.sync_invoices and income is None:
        errors.append("Choose the income item or account invoices are posted to.")
    if errors:
        return render_step(ACCOUNTS, settings, 422, **{**accounts_context(company_id, realm_id, settings),
                                                       "errors": errors})
    save_default_accounts(db, company_id, realm_id, (ap.qbo_id, ap.name) if ap else None,
                          (income.qbo_id, income.name) if income else None, utcnow())
    set_wizard_step(db, company_id, realm_id, next_step(ACCOUNTS).slug)
    return go_to(next_step(ACCOUNTS))


@bp.post("/review")
@wizard_view
def finish(membership, realm_id, settings):
    missing = missing_defaults(settings)
    if missing:
        return render_step(REVIEW, settings, 422, **review_context(membership.company.id, realm_id, settings))
    mark_setup_complete(get_db(), membership.company.id, realm_id, utcnow())
    flash(f"{provider_name()} setup is complete. Bills and invoices can now sync.", "success")
    if is_desktop_realm(realm_id):  # they go with the Web Connector's next run; the Desktop card shows them
        return htmx_aware_redirect(url_for("integrations.index"))
    return htmx_aware_redirect(url_for("qbo_settings.show"))
