"""The Setup Wizard on a QuickBooks Desktop company file, through the test client: the realm is the company file's,
its lists are those the Web Connector read, creates are queued for the next run, and no other company shows."""
from __future__ import annotations

import re

import pytest

from qbo.connection.realm_settings import get_realm_settings
from qbo.desktop.list_add_store import list_adds
from qbo.desktop.simulator.company_file import demo_company_file
from qbo.desktop.simulator.quickbooks import QuickBooks
from qbo.desktop.simulator.web_connector import request_names
from qbo.mapping.reference_records import find_by_name
from qbo.mapping.store import VENDOR, mappings_for
from qbo.storage.db import get_db
from tests.conftest import Browserless
from tests.desktop.conftest import Desktop, company_id, configure, realm_of, seed_records

WIZARD = "/settings/integrations/qbo/setup"
PREFERENCES = {"sync_bills": "1", "sync_start_date": "2026-01-01", "line_granularity": "cost_code",
               "posting_style": "account", "project_mapping": "customer"}
CEDAR = "Cedar Homes"


def first_option(html: str, select_id: str) -> str:
    return re.search(rf'<select id="{select_id}".*?<option value="([^"]+)"', html, re.S).group(1)


def vendor_row(inbuild_id: int) -> dict:
    return {"step": "vendors", "kind": VENDOR, "inbuild_id": str(inbuild_id)}


@pytest.fixture
def cedar(app, live):
    """Cedar Homes on Desktop too, with a company file of its own (one vendor only it has)."""
    company_file = demo_company_file("C:\\Cedar\\Cedar Homes.qbw")
    company_file.add_list_record("Vendor", "Cedar Only Lumber", CompanyName="Cedar Only Lumber")
    other = Desktop(app, live)
    other.quickbooks = QuickBooks(company_file)
    other.connect(CEDAR)
    other.update()
    session = Browserless(app, app.test_client())
    session.login("admin@cedar.test")
    return session


def test_the_desktop_card_links_to_the_wizard_once_a_company_file_reported(app, admin, desktop):
    assert 'data-testid="qbd-settings"' not in admin.client.get("/settings/integrations/").get_data(as_text=True)
    waiting = admin.client.get(f"{WIZARD}/preferences")
    assert waiting.status_code == 303 and waiting.headers["Location"].endswith("/settings/integrations/")
    assert "Run the Web Connector once" in admin.client.get("/settings/integrations/").get_data(as_text=True)
    desktop.update()
    card = admin.client.get("/settings/integrations/").get_data(as_text=True)
    assert 'data-testid="qbd-settings"' in card and f'href="{WIZARD}/"' in card
    page = admin.client.get(f"{WIZARD}/preferences").get_data(as_text=True)
    assert "QuickBooks Desktop Setup Wizard" in page and "QuickBooks Online Setup Wizard" not in page


def test_wizard_steps_use_the_company_files_lists_and_its_realm(app, admin, desktop):
    records = seed_records(app)
    desktop.update()
    realm = realm_of(app)
    assert admin.post(f"{WIZARD}/preferences", PREFERENCES).status_code == 303
    accounts_page = admin.client.get(f"{WIZARD}/accounts").get_data(as_text=True)
    assert "Accounts Payable" in accounts_page
    assert admin.post(f"{WIZARD}/accounts", {"ap_account_id": first_option(accounts_page, "ap_account_id")}
                      ).status_code == 303
    with app.app_context():
        settings = get_realm_settings(get_db(), company_id(app), realm)
        payable = find_by_name(get_db(), company_id(app), realm, "Account", "Accounts Payable")
    assert settings.ap_account_id == payable.qbo_id and settings.wizard_step == "vendors"
    vendors = admin.client.get(f"{WIZARD}/vendors").get_data(as_text=True)
    assert "ABC Concrete, Inc." in vendors and "Nobody Supply Co" in vendors  # the same auto-match ran
    with app.app_context():
        suggested = mappings_for(get_db(), company_id(app), realm, VENDOR)
    assert suggested[records.abc].qbo_name == "ABC Concrete, Inc."
    chosen = admin.post(f"{WIZARD}/map/save", {**vendor_row(records.abc), "qbo_name": "Home Depot"}, htmx=True)
    assert chosen.status_code == 200
    with app.app_context():
        assert mappings_for(get_db(), company_id(app), realm, VENDOR)[records.abc].qbo_name == "Home Depot"


def test_create_in_quickbooks_is_queued_for_the_web_connectors_next_run(app, admin, desktop):
    records = seed_records(app)
    desktop.update()
    admin.post(f"{WIZARD}/preferences", PREFERENCES)
    response = admin.post(f"{WIZARD}/map/create", vendor_row(records.unknown_vendor), htmx=True)
    assert response.status_code == 200 and "next run" in response.get_data(as_text=True)
    realm = realm_of(app)
    with app.app_context():
        queued = list_adds(get_db(), company_id(app), realm)
    assert [(a.kind, a.inbuild_id, a.status) for a in queued] == [(VENDOR, records.unknown_vendor, "pending")]
    log = desktop.update()
    assert "VendorAddRq" in request_names(log)
    assert desktop.quickbooks.company.find_list_record("Vendor", full_name="Nobody Supply Co") is not None
    with app.app_context():
        mapped = mappings_for(get_db(), company_id(app), realm, VENDOR)[records.unknown_vendor]
    assert mapped.qbo_name == "Nobody Supply Co" and mapped.confirmed


def test_cost_codes_cannot_be_queued_and_bulk_create_queues_vendors(app, admin, desktop):
    records = seed_records(app)
    desktop.update()
    admin.post(f"{WIZARD}/preferences", PREFERENCES)
    refused = admin.post(f"{WIZARD}/map/create", {"step": "lines", "kind": "cost_code",
                                                  "inbuild_id": str(records.cost_code)}, htmx=True)
    assert refused.status_code == 422 and "Create this in QuickBooks Desktop" in refused.get_data(as_text=True)
    preview = admin.client.get(f"{WIZARD}/map/bulk/preview?step=vendors&kind=vendor",
                               headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "QuickBooks Desktop adds them on the Web Connector's next run" in preview
    assert 'hx-target="#wizard"' in preview
    started = admin.post(f"{WIZARD}/map/bulk/start", {"step": "vendors", "kind": VENDOR}, htmx=True)
    assert started.status_code == 200 and "Queued" in started.headers.get("HX-Trigger", "")
    with app.app_context():
        queued = {a.inbuild_id for a in list_adds(get_db(), company_id(app), realm_of(app))}
    assert records.unknown_vendor in queued


def test_refresh_says_the_next_run_reads_the_lists_again(app, admin, desktop):
    seed_records(app)
    desktop.update()
    admin.post(f"{WIZARD}/preferences", PREFERENCES)
    assert request_names(desktop.update()) == []  # lists were read within the hour: nothing to do
    response = admin.post(f"{WIZARD}/map/refresh", {"step": "vendors", "kind": VENDOR}, htmx=True)
    assert response.status_code == 200
    assert "refreshed on the Web Connector" in response.headers["HX-Trigger"]
    assert request_names(desktop.update())[:4] == ["AccountQueryRq", "VendorQueryRq", "CustomerQueryRq",
                                                   "ItemQueryRq"]


def test_another_companys_company_file_never_appears(app, admin, desktop, cedar):
    records = seed_records(app)
    desktop.update()
    admin.post(f"{WIZARD}/preferences", PREFERENCES)
    assert cedar.post(f"{WIZARD}/preferences", PREFERENCES).status_code == 303
    assert realm_of(app) != realm_of(app, CEDAR)
    with app.app_context():
        lumber = find_by_name(get_db(), company_id(app, CEDAR), realm_of(app, CEDAR), "Vendor", "Cedar Only Lumber")
    assert lumber is not None
    pages = [admin.client.get(f"{WIZARD}/vendors").get_data(as_text=True),
             admin.client.get(f"{WIZARD}/map/options?step=vendors&kind=vendor&inbuild_id={records.abc}&qbo_name=Cedar",
                              headers={"HX-Request": "true"}).get_data(as_text=True)]
    assert all("Cedar Only Lumber" not in page for page in pages)
    forged = admin.post(f"{WIZARD}/map/save", {**vendor_row(records.abc), "qbo_id": lumber.qbo_id}, htmx=True)
    assert forged.status_code == 422
    with app.app_context():
        assert mappings_for(get_db(), company_id(app), realm_of(app), VENDOR)[records.abc].qbo_id != lumber.qbo_id
    cedar_page = cedar.client.get(f"{WIZARD}/vendors").get_data(as_text=True)
    assert "Nobody Supply Co" not in cedar_page and "ABC Concrete" not in cedar_page


def test_finishing_returns_to_the_desktop_card(app, admin, desktop):
    records = seed_records(app)
    desktop.update()
    configure(app, records)
    response = admin.post(f"{WIZARD}/review")
    assert response.status_code == 303 and response.headers["Location"].endswith("/settings/integrations/")
    page = admin.client.get("/settings/integrations/").get_data(as_text=True)
    assert "QuickBooks Desktop setup is complete" in page


def test_classes_are_not_offered_as_read_from_a_company_file(app, admin, desktop):
    seed_records(app)
    desktop.update()
    admin.post(f"{WIZARD}/preferences", {**PREFERENCES, "use_classes": "1"})
    page = admin.client.get(f"{WIZARD}/projects?kind=project_class").get_data(as_text=True)
    assert "classes are not read from the company file yet" in page
