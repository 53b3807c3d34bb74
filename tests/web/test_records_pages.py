"""The read-only Records pages through the Flask test client: access, search fragments, paging, company scoping."""
import re

import pytest

from app import create_app
from qbo.accounts import store as accounts
from qbo.records import catalog_writes, documents
from qbo.records.demo_records import load_demo_records
from qbo.storage.db import get_db
from qbo.web import records
from tests.conftest import PASSWORD, app_config, seed_accounts

FRAGMENT = {"HX-Request": "true"}
BILL_ROW = 'data-testid="bill-row"'


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app with the records blueprint wired in (until create_app registers it), Acme and Cedar demo records.

    Shared by this module's tests, which only read (password hashing makes a fresh one per test slow)."""
    app = create_app(app_config(tmp_path_factory.mktemp("records_http"), "http://127.0.0.1:9"))
    if "records" not in app.blueprints:
        app.register_blueprint(records.bp)
    with app.app_context():
        db = get_db()
        seed_accounts(db)
        for name in ("Acme Construction", "Cedar Homes"):
            load_demo_records(db, accounts.find_company_by_name(db, name).id)
        cedar = accounts.find_company_by_name(db, "Cedar Homes").id
        catalog_writes.insert_vendor(db, cedar, "Cedar Only Supply", "supplier", email="ap@cedaronly.example")
    return app


@pytest.fixture
def acme_admin(make_client):
    return make_client("admin@acme.test")


def company_id(app, name: str) -> int:
    with app.app_context():
        return accounts.find_company_by_name(get_db(), name).id


def first_bill_id(app, name: str) -> int:
    with app.app_context():
        return documents.list_bills(get_db(), company_id(app, name), limit=1)[0].id


def html_of(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


# --- pages and access -------------------------------------------------------------------------------------------


def test_overview_shows_the_company_s_counts(acme_admin):
    html = html_of(acme_admin.client.get("/records/"))
    for kind, count in [("projects", 6), ("vendors", 20), ("cost_codes", 30), ("cost_types", 5), ("bills", 100),
                        ("invoices", 20)]:
        assert f'data-testid="count-{kind}">{count}<' in html
    assert "records.css" in html


@pytest.mark.parametrize("path, expected", [
    ("/records/projects", "Riverside Medical Office Building"), ("/records/vendors", "ABC Concrete Inc."),
    ("/records/cost-codes", "Cast-in-Place Concrete"), ("/records/cost-types", "Subcontract"),
    ("/records/bills", "SC-1"), ("/records/invoices", "P-1001-PA01"),
])
def test_list_pages_render(acme_admin, path, expected):
    html = html_of(acme_admin.client.get(path))
    assert expected in html and "<html" in html and 'id="record-results"' in html
    assert 'aria-current="page"' in html


def test_any_member_may_look_but_others_may_not(app, make_client):
    for email in ("staff@acme.test", "admin@birch.test"):  # a Standard user; a company with the feature off
        assert make_client(email).client.get("/records/bills").status_code == 200
    with app.app_context():
        accounts.create_user(get_db(), "loner@nowhere.test", PASSWORD)
    refused = make_client("loner@nowhere.test").client.get("/records/bills")
    assert refused.status_code == 403 and "not a member of any company" in refused.get_data(as_text=True)
    anonymous = app.test_client().get("/records/bills")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_no_records_yet(make_client):
    html = html_of(make_client("admin@birch.test").client.get("/records/vendors"))
    assert "0 results" in html and "No vendors yet" in html


# --- company scoping --------------------------------------------------------------------------------------------


def test_another_company_s_bill_or_invoice_is_not_found(app, acme_admin):
    cedar_bill = first_bill_id(app, "Cedar Homes")
    assert acme_admin.client.get(f"/records/bills/{cedar_bill}").status_code == 404
    assert acme_admin.client.get("/records/bills/999999").status_code == 404
    with app.app_context():
        cedar_invoice = documents.list_invoices(get_db(), company_id(app, "Cedar Homes"), limit=1)[0].id
    assert acme_admin.client.get(f"/records/invoices/{cedar_invoice}").status_code == 404


def test_own_bill_shows_its_lines_and_total(app, acme_admin):
    with app.app_context():
        bill = documents.get_bill(get_db(), company_id(app, "Acme Construction"), first_bill_id(app, "Acme Construction"))
    html = html_of(acme_admin.client.get(f"/records/bills/{bill.id}"))
    assert bill.number in html and bill.vendor_name in html and bill.commitment_number in html
    assert html.count("<tr>") >= len(bill.lines)
    assert records.format_cents(bill.total_cents) in html


def test_lists_never_show_another_company_s_records(acme_admin, make_client):
    assert "Cedar Only Supply" not in html_of(acme_admin.client.get("/records/vendors"))
    assert "0 results" in html_of(acme_admin.client.get("/records/vendors?q=cedar+only"))
    assert "Cedar Only Supply" in html_of(make_client("admin@cedar.test").client.get("/records/vendors?q=cedar"))


# --- search -----------------------------------------------------------------------------------------------------


def test_search_box_works_with_and_without_javascript(acme_admin):
    html = html_of(acme_admin.client.get("/records/vendors"))
    form = re.search(r'<form method="get" action="/records/vendors".*?</form>', html, re.S).group(0)
    assert 'name="q"' in form and 'type="submit"' in form
    assert 'hx-get="/records/vendors"' in form
    assert 'hx-trigger="input changed delay:300ms, search"' in form
    assert 'hx-target="#record-results"' in form and 'hx-push-url="true"' in form


def test_search_fragment_for_htmx_is_only_the_results(acme_admin):
    response = acme_admin.client.get("/records/vendors?q=abc", headers=FRAGMENT)
    html = html_of(response)
    assert html.lstrip().startswith('<div id="record-results"') and "<html" not in html and "<form" not in html
    assert "ABC Concrete Inc." in html and "Summit Electric" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_boosted_and_history_restore_requests_get_the_whole_page(acme_admin):
    for headers in ({**FRAGMENT, "HX-Boosted": "true"}, {**FRAGMENT, "HX-History-Restore-Request": "true"}):
        html = html_of(acme_admin.client.get("/records/vendors?q=abc", headers=headers))
        assert "<html" in html and 'value="abc"' in html


def test_plain_get_search_renders_the_page_with_the_query(acme_admin):
    html = html_of(acme_admin.client.get("/records/bills?q=abc+concrete"))
    assert "<html" in html and 'value="abc concrete"' in html
    assert html.count(BILL_ROW) and "Summit Electric" not in html


def test_search_text_is_escaped(acme_admin):
    html = html_of(acme_admin.client.get("/records/projects?q=<script>alert(1)</script>"))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_status_filter(acme_admin):
    html = html_of(acme_admin.client.get("/records/bills?status=rejected", headers=FRAGMENT))
    assert html.count(BILL_ROW) and html.count("status-bad") == html.count(BILL_ROW)
    ignored = html_of(acme_admin.client.get("/records/bills?status=bogus"))
    assert "100 results" in ignored


# --- paging -----------------------------------------------------------------------------------------------------


def test_bills_are_paged_fifty_at_a_time(acme_admin):
    first = html_of(acme_admin.client.get("/records/bills"))
    assert first.count(BILL_ROW) == 50 and "Page 1 of 2" in first
    assert 'href="/records/bills?page=2" rel="next"' in first and 'rel="prev"' not in first
    second = html_of(acme_admin.client.get("/records/bills?page=2", headers=FRAGMENT))
    assert second.count(BILL_ROW) == 50 and "Page 2 of 2" in second
    assert 'href="/records/bills?page=1" rel="prev"' in second and 'rel="next"' not in second
    assert 'hx-get="/records/bills?page=1"' in second
    first_numbers = set(re.findall(r'href="/records/bills/(\d+)"', first))
    assert first_numbers.isdisjoint(re.findall(r'href="/records/bills/(\d+)"', second))


@pytest.mark.parametrize("page, shown", [("99", "Page 2 of 2"), ("0", "Page 1 of 2"), ("abc", "Page 1 of 2")])
def test_out_of_range_pages_are_kept_in_range(acme_admin, page, shown):
    assert shown in html_of(acme_admin.client.get(f"/records/bills?page={page}"))


def test_paging_links_keep_the_search_and_status(acme_admin):
    html = html_of(acme_admin.client.get("/records/bills?q=P-10&status=approved"))  # every job is P-10xx
    assert "Page 1 of 2" in html  # Acme's demo data has 54 approved bills
    assert 'href="/records/bills?q=P-10&amp;status=approved&amp;page=2"' in html
    small = html_of(acme_admin.client.get("/records/bills?q=ABC+Concrete"))
    assert 'class="pager"' not in small


def test_format_cents():
    assert [records.format_cents(c) for c in (0, 5, 123456, -1250, 100000000)] == [
        "$0.00", "$0.05", "$1,234.56", "-$12.50", "$1,000,000.00"]
