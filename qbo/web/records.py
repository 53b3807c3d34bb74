"""Records: read-only, searchable pages of the current company's inBuild records, for any of its members."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request

from qbo.connection.state import Connection
from qbo.connection.store import QBO, active_integration
from qbo.records import catalog as records
from qbo.records import documents
from qbo.records.documents import ApprovalStatus
from qbo.storage.db import get_db
from qbo.sync.bodies import BILL, INVOICE
from qbo.sync.status import STATUS_LABELS, record_payment, record_payments, record_state, record_states
from qbo.web import htmx
from qbo.web.access import current_membership, member_required

bp = Blueprint("records", __name__, url_prefix="/records")

PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 100
STATUS_CLASSES = {ApprovalStatus.APPROVED: "status-ok", ApprovalStatus.PENDING: "status-warn",
                  ApprovalStatus.DRAFT: "status-draft", ApprovalStatus.REJECTED: "status-bad"}


@dataclass(frozen=True)
class Listing:
    """One searchable, paged list page: what it shows and where its rows come from."""

    endpoint: str
    title: str
    table: str
    placeholder: str
    rows: Callable[..., list]
    count: Callable[..., int]
    filters_by_status: bool = False


def _directory(endpoint: str, title: str, table: str, placeholder: str, rows, count) -> Listing:
    return Listing(endpoint, title, table, placeholder, lambda db, company_id, search, status, offset, limit:
                   rows(db, company_id, search, offset, limit), lambda db, company_id, search, status:
                   count(db, company_id, search))


PROJECTS = _directory("records.projects", "Projects", "records/_projects_table.html",
                      "Number, name or customer", records.list_projects, records.count_projects)
VENDORS = _directory("records.vendors", "Vendors", "records/_vendors_table.html",
                     "Name, e-mail or tax id", records.list_vendors, records.count_vendors)
COST_CODES = _directory("records.cost_codes", "Cost codes", "records/_cost_codes_table.html",
                        "Code or description", records.list_cost_codes, records.count_cost_codes)
COST_TYPES = _directory("records.cost_types", "Cost types", "records/_cost_types_table.html",
                        "Code or name", records.list_cost_types, records.count_cost_types)
BILLS = Listing("records.bills", "Bills", "records/_bills_table.html", "Number, vendor, project or commitment",
                lambda db, company_id, search, status, offset, limit:
                documents.list_bills(db, company_id, offset, limit, status, search),
                lambda db, company_id, search, status: documents.count_bills(db, company_id, status, search), True)
INVOICES = Listing("records.invoices", "Invoices", "records/_invoices_table.html", "Number or project",
                   lambda db, company_id, search, status, offset, limit:
                   documents.list_invoices(db, company_id, offset, limit, status, search),
                   lambda db, company_id, search, status: documents.count_invoices(db, company_id, status, search), True)
LISTINGS = (PROJECTS, VENDORS, COST_CODES, COST_TYPES, BILLS, INVOICES)
SYNCED_KINDS = {BILLS.endpoint: BILL, INVOICES.endpoint: INVOICE}


@dataclass(frozen=True)
class Page:
    number: int
    count: int

    @classmethod
    def of(cls, requested: str | None, total: int) -> Page:
        """The requested page (1 when missing or not a number), kept within the pages there are."""
        count = max(1, -(-total // PAGE_SIZE))
        number = int(requested) if requested and requested.isdigit() else 1
        return cls(min(max(number, 1), count), count)

    @property
    def offset(self) -> int:
        return (self.number - 1) * PAGE_SIZE


def listing_context(listing: Listing, company_id: int) -> dict:
    """The rows, counts and paging a list page (or its results fragment) shows for the request's query."""
    search = request.args.get("q", "").strip()[:MAX_SEARCH_LENGTH]
    status = request.args.get("status", "")
    status = status if listing.filters_by_status and status in tuple(ApprovalStatus) else None
    db = get_db()
    total = listing.count(db, company_id, search, status)
    page = Page.of(request.args.get("page"), total)
    rows = listing.rows(db, company_id, search, status, page.offset, PAGE_SIZE)
    kind = SYNCED_KINDS.get(listing.endpoint)
    integration = active_integration(db, company_id) if kind else None
    states = record_states(db, company_id, integration, kind) if kind else {}
    shown = {row.id: states[row.id] for row in rows if row.id in states} if kind else {}
    return {"listing": listing, "rows": rows, "total": total, "page": page, "search": search, "status": status,
            "statuses": tuple(ApprovalStatus), "section": listing.endpoint, "qbo_states": states,
            "payments": record_payments(db, company_id, kind, shown) if kind else {}, "kind": kind,
            "can_sync": _can_sync(integration)}


def _can_sync(integration: Connection | None) -> bool:
    """Resync and Remove buttons are for Company Admins of a company with accounting integrations on, while
    QuickBooks Online is the active integration (the Web Connector sends Desktop edits on its next run by itself)."""
    membership = current_membership()
    if membership is None or not membership.is_admin or not membership.company.accounting_integrations:
        return False
    return integration is not None and integration.provider == QBO


def render_listing(listing: Listing, company_id: int):
    """The whole page, or only the results fragment when htmx asks to swap it (searching, paging)."""
    template = "records/_results.html" if htmx.is_fragment_request() else "records/list.html"
    response = current_app.make_response(render_template(template, **listing_context(listing, company_id)))
    return htmx.vary_on_htmx(response)


@bp.app_template_global("qbo_status_label")
def qbo_status_label(state) -> str:
    return STATUS_LABELS.get(state.status, state.status) if state else "Not yet"


@bp.app_template_filter("cents")
def format_cents(amount_cents: int) -> str:
    """12345 → '$123.45'; -5 → '-$0.05'."""
    sign = "-" if amount_cents < 0 else ""
    dollars, cents = divmod(abs(amount_cents), 100)
    return f"{sign}${dollars:,}.{cents:02d}"


@bp.app_template_filter("approval_class")
def approval_class(status: ApprovalStatus) -> str:
    return STATUS_CLASSES[ApprovalStatus(status)]


@bp.get("/")
@member_required
def overview(membership):
    db, company_id = get_db(), membership.company.id
    counts = [(listing, listing.count(db, company_id, "", None)) for listing in LISTINGS]
    return render_template("records/overview.html", counts=counts, section="records.overview")


@bp.get("/projects")
@member_required
def projects(membership):
    return render_listing(PROJECTS, membership.company.id)


@bp.get("/vendors")
@member_required
def vendors(membership):
    return render_listing(VENDORS, membership.company.id)


@bp.get("/cost-codes")
@member_required
def cost_codes(membership):
    return render_listing(COST_CODES, membership.company.id)


@bp.get("/cost-types")
@member_required
def cost_types(membership):
    return render_listing(COST_TYPES, membership.company.id)


@bp.get("/bills")
@member_required
def bills(membership):
    return render_listing(BILLS, membership.company.id)


@bp.get("/bills/<int:bill_id>")
@member_required
def show_bill(membership, bill_id: int):
    bill = documents.get_bill(get_db(), membership.company.id, bill_id) or abort(404)
    return render_document(bill, "Bill", BILLS.endpoint, BILL)


@bp.get("/invoices")
@member_required
def invoices(membership):
    return render_listing(INVOICES, membership.company.id)


@bp.get("/invoices/<int:invoice_id>")
@member_required
def show_invoice(membership, invoice_id: int):
    invoice = documents.get_invoice(get_db(), membership.company.id, invoice_id) or abort(404)
    return render_document(invoice, "Invoice", INVOICES.endpoint, INVOICE)


def render_document(document, noun: str, section: str, kind: str):
    """A bill's or an invoice's page, with its QuickBooks status."""
    db = get_db()
    integration = active_integration(db, document.company_id)
    state = record_state(db, document.company_id, integration, kind, document.id)
    return render_template("records/document.html", document=document, noun=noun, section=section, kind=kind,
                           qbo_state=state, payment=record_payment(db, document.company_id, kind, state),
                           can_sync=_can_sync(integration))
