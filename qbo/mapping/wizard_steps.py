"""The Setup Wizard's steps and the validation of what each step submits. No Flask here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from qbo.connection.realm_settings import Preferences, RealmSettings
from qbo.mapping.store import COST_CODE, COST_TYPE, PROJECT_CLASS, PROJECT_CUSTOMER, PROJECT_JOB, VENDOR

EARLIEST_START = date(2000, 1, 1)
GRANULARITIES = {"cost_code": "Cost code", "cost_type": "Cost type"}
POSTING_STYLES = {"account": "Expense accounts (account-based lines)", "item": "Service items (item-based lines)"}
PROJECT_MAPPINGS = {"customer": "A QuickBooks customer", "job": "A QuickBooks project (sub-customer job)",
                    "both": "Both: the owner as customer, the project as its job"}


@dataclass(frozen=True)
class Step:
    slug: str
    title: str


PREFERENCES = Step("preferences", "Preferences")
ACCOUNTS = Step("accounts", "Default accounts")
VENDORS = Step("vendors", "Vendors")
PROJECTS = Step("projects", "Projects")
LINES = Step("lines", "Cost codes")
REVIEW = Step("review", "Review")
STEPS = (PREFERENCES, ACCOUNTS, VENDORS, PROJECTS, LINES, REVIEW)
MAPPING_STEPS = {VENDORS.slug, PROJECTS.slug, LINES.slug}
KIND_TITLES = {VENDOR: "Vendors", PROJECT_CUSTOMER: "Customers", PROJECT_JOB: "Projects (jobs)",
               PROJECT_CLASS: "Classes", COST_CODE: "Cost codes", COST_TYPE: "Cost types"}


def step_by_slug(slug: str) -> Step | None:
    return next((s for s in STEPS if s.slug == slug), None)


def next_step(step: Step) -> Step:
    return STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]


def previous_step(step: Step) -> Step:
    return STEPS[max(STEPS.index(step) - 1, 0)]


def lines_title(settings: RealmSettings | None) -> str:
    return "Cost types" if settings is not None and settings.line_granularity == "cost_type" else "Cost codes"


def kinds_for_step(slug: str, settings: RealmSettings | None) -> tuple[str, ...]:
    """Which mappings a step edits, given the company's line-item settings."""
    if slug == VENDORS.slug:
        return (VENDOR,)
    if slug == LINES.slug:
        return (COST_TYPE,) if settings is not None and settings.line_granularity == "cost_type" else (COST_CODE,)
    if slug != PROJECTS.slug:
        return ()
    mode = settings.project_mapping if settings is not None else "customer"
    kinds = {"customer": (PROJECT_CUSTOMER,), "job": (PROJECT_JOB,), "both": (PROJECT_CUSTOMER, PROJECT_JOB)}[mode]
    return kinds + ((PROJECT_CLASS,) if settings is not None and settings.use_classes else ())


def parse_preferences(form, today: date) -> tuple[Preferences | None, dict, list[str]]:
    """The submitted preferences (None if invalid), the raw values to re-show, and what is wrong."""
    values = {
        "sync_bills": form.get("sync_bills") == "1",
        "sync_invoices": form.get("sync_invoices") == "1",
        "sync_start_date": form.get("sync_start_date", "").strip(),
        "line_granularity": form.get("line_granularity", ""),
        "posting_style": form.get("posting_style", ""),
        "project_mapping": form.get("project_mapping", ""),
        "use_classes": form.get("use_classes") == "1",
    }
    errors = []
    if not (values["sync_bills"] or values["sync_invoices"]):
        errors.append("Choose bills, invoices, or both.")
    start = _parse_start(values["sync_start_date"], today, errors)
    for field, allowed, label in (("line_granularity", GRANULARITIES, "line detail"),
                                  ("posting_style", POSTING_STYLES, "posting style"),
                                  ("project_mapping", PROJECT_MAPPINGS, "project mapping")):
        if values[field] not in allowed:
            errors.append(f"Choose a {label}.")
    if errors:
        return None, values, errors
    prefs = Preferences(values["sync_bills"], values["sync_invoices"], start, values["line_granularity"],
                        values["posting_style"], values["project_mapping"], values["use_classes"])
    return prefs, values, []


def _parse_start(text: str, today: date, errors: list[str]) -> date | None:
    try:
        start = date.fromisoformat(text)
    except ValueError:
        errors.append("Enter the start date as YYYY-MM-DD.")
        return None
    if start < EARLIEST_START or start > date(today.year + 1, 12, 31):
        errors.append("The start date must be between 2000 and next year.")
    return start


def preference_values(settings: RealmSettings | None, today: date) -> dict:
    if settings is None:
        return {"sync_bills": True, "sync_invoices": True, "sync_start_date": today.replace(day=1).isoformat(),
                "line_granularity": "cost_code", "posting_style": "account", "project_mapping": "customer",
                "use_classes": False}
    return {
        "sync_bills": settings.sync_bills, "sync_invoices": settings.sync_invoices,
        "sync_start_date": settings.sync_start_date.isoformat() if settings.sync_start_date else "",
        "line_granularity": settings.line_granularity, "posting_style": settings.posting_style,
        "project_mapping": settings.project_mapping, "use_classes": settings.use_classes,
    }


def missing_defaults(settings: RealmSettings | None) -> list[str]:
    """What the review step still needs before setup can finish."""
    if settings is None:
        return ["Save your preferences."]
    missing = []
    if settings.sync_bills and not settings.ap_account_id:
        missing.append("Choose the Accounts Payable account for bills.")
    if settings.sync_invoices and not settings.income_ref_id:
        missing.append("Choose the income item or account for invoices.")
    return missing
