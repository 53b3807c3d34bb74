"""The Setup Wizard's steps through the test client, against the emulator's QuickBooks companies."""
import re

import pytest

from qbo.accounts import store as accounts
from qbo.connection.realm_settings import get_realm_settings
from qbo.mapping.reference_records import get_record
from qbo.mapping.store import VENDOR, mappings_for, usable_mapping
from qbo.records import catalog as records
from qbo.records import catalog_writes
from qbo.records.demo_records import load_demo_records
from qbo.storage.db import get_db
from tests.conftest import ALEX, REALM_1, REALM_3, SAM
from tests.web.test_integrations import finish_wizard

WIZARD = "/settings/integrations/qbo/setup"
PREFERENCES = {"sync_bills": "1", "sync_invoices": "1", "sync_start_date": "2026-01-01",
               "line_granularity": "cost_code", "posting_style": "item", "project_mapping": "both", "use_classes": "1"}


@pytest.fixture
def acme_id(app):
    with app.app_context():
        db = get_db()
        company_id = accounts.find_company_by_name(db, "Acme Construction").id
        load_demo_records(db, company_id)
        return company_id


def vendor_mappings(app, company_id, realm_id):
    with app.app_context():
        return mappings_for(get_db(), company_id, realm_id, VENDOR)


def first_option(html: str, select_id: str) -> str:
    return re.search(rf'<select id="{select_id}".*?<option value="([^"]+)"', html, re.S).group(1)


def test_preferences_are_validated_and_kept(app, admin, acme_id):
    admin.connect(ALEX, REALM_1)
    bad = admin.post(f"{WIZARD}/preferences", {"sync_start_date": "someday", "posting_style": "telepathy"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Choose bills, invoices, or both." in text and "Enter the start date as YYYY-MM-DD." in text
    with app.app_context():
        assert get_realm_settings(get_db(), acme_id, REALM_1) is None
    assert admin.post(f"{WIZARD}/preferences", PREFERENCES).status_code == 303
    # A reload (or coming back later) resumes at the step reached, with the entries kept.
    assert admin.client.get(f"{WIZARD}/").headers["Location"].endswith("/setup/accounts")
    page = admin.client.get(f"{WIZARD}/preferences").get_data(as_text=True)
    assert 'value="item" checked' in page and 'value="both" checked' in page and 'name="use_classes" value="1" checked' in page


def test_full_wizard_with_suggestions_manual_choice_and_create(app, admin, acme_id, intuit):
    admin.connect(ALEX, REALM_1)
    admin.post(f"{WIZARD}/preferences", PREFERENCES)
    accounts_page = admin.client.get(f"{WIZARD}/accounts").get_data(as_text=True)
    assert admin.post(f"{WIZARD}/accounts", {"ap_account_id": first_option(accounts_page, "ap_account_id"),
                                             "income_ref_id": first_option(accounts_page, "income_ref_id")}).status_code == 303
    vendors_page = admin.client.get(f"{WIZARD}/vendors").get_data(as_text=True)
    assert "Suggested · High" in vendors_page
    suggested = vendor_mappings(app, acme_id, REALM_1)
    assert suggested and all(m.source == "suggested" for m in suggested.values())
    accept = admin.post(f"{WIZARD}/map/accept", {"step": "vendors", "kind": VENDOR}, htmx=True)
    assert "high-confidence" in accept.headers["HX-Trigger"]
    confirmed = {i for i, m in vendor_mappings(app, acme_id, REALM_1).items() if m.confirmed}
    assert confirmed and all(suggested[i].confidence >= 90 for i in confirmed)

    with app.app_context():
        vendor_list = records.list_vendors(get_db(), acme_id)
    unmapped = next(v for v in vendor_list if v.id not in confirmed)
    row = admin.post(f"{WIZARD}/map/create", {"step": "vendors", "kind": VENDOR, "inbuild_id": unmapped.id}, htmx=True)
    assert row.status_code == 200 and row.get_data(as_text=True).lstrip().startswith(f'<tr id="map-vendor-{unmapped.id}"')
    created = vendor_mappings(app, acme_id, REALM_1)[unmapped.id]
    assert created.source == "created" and created.confirmed
    with app.app_context():
        assert get_record(get_db(), acme_id, REALM_1, "Vendor", created.qbo_id).name == created.qbo_name

    other = next(v for v in vendor_list if v.id not in confirmed and v.id != unmapped.id)
    choice = admin.post(f"{WIZARD}/map/save", {"step": "vendors", "kind": VENDOR, "inbuild_id": other.id,
                                               "qbo_name": created.qbo_name}, htmx=True)
    assert choice.status_code == 409 and "Tick “Share”" in choice.get_data(as_text=True)
    shared = admin.post(f"{WIZARD}/map/save", {"step": "vendors", "kind": VENDOR, "inbuild_id": other.id,
                                               "qbo_name": created.qbo_name, "share": "1"}, htmx=True)
    assert shared.status_code == 200, shared.get_data(as_text=True)
    assert vendor_mappings(app, acme_id, REALM_1)[other.id].shared_ok

    for step in ("projects", "lines", "review"):
        assert admin.client.get(f"{WIZARD}/{step}").status_code == 200
    finish = admin.post(f"{WIZARD}/review")
    assert finish.status_code == 303 and finish.headers["Location"].endswith("/qbo/settings")
    with app.app_context():
        assert get_realm_settings(get_db(), acme_id, REALM_1).setup_complete


def test_mapping_post_cannot_name_another_realms_or_companys_record(app, admin, acme_id, make_client):
    admin.connect(ALEX, REALM_1)
    finish_wizard(admin)
    admin.client.get(f"{WIZARD}/vendors")
    with app.app_context():
        vendor = records.list_vendors(get_db(), acme_id)[0]
    before = vendor_mappings(app, acme_id, REALM_1)
    # A name that exists only in another QuickBooks company (realm 3): refused, nothing stored.
    other_realm = admin.post(f"{WIZARD}/map/save", {"step": "vendors", "kind": VENDOR, "inbuild_id": vendor.id,
                                                    "qbo_name": "Summit Only Supply Co"}, htmx=True)
    assert other_realm.status_code == 422
    assert "Choose a record from this QuickBooks company" in other_realm.get_data(as_text=True)
    with app.app_context():
        cedar = accounts.find_company_by_name(get_db(), "Cedar Homes").id
        foreign = catalog_writes.insert_vendor(get_db(), cedar, "Cedar Vendor", "supplier")
    foreign_row = admin.post(f"{WIZARD}/map/save", {"step": "vendors", "kind": VENDOR, "inbuild_id": foreign.id,
                                                    "qbo_name": next(iter(before.values())).qbo_name}, htmx=True)
    assert foreign_row.status_code == 404
    wrong_kind = admin.post(f"{WIZARD}/map/save", {"step": "vendors", "kind": "cost_code", "inbuild_id": vendor.id,
                                                   "qbo_name": "x"}, htmx=True)
    assert wrong_kind.status_code == 404
    assert vendor_mappings(app, acme_id, REALM_1) == before


def test_search_and_paging(app, admin, acme_id):
    with app.app_context():
        for n in range(60):
            catalog_writes.insert_vendor(get_db(), acme_id, f"Paging Test Vendor {n:02d}", "supplier")
    admin.connect(ALEX, REALM_1)
    finish_wizard(admin)
    first = admin.client.get(f"{WIZARD}/vendors").get_data(as_text=True)
    assert first.count('class="mapping-row') == 50 and 'aria-current="page">1</a>' in first
    second = admin.client.get(f"{WIZARD}/vendors?page=2").get_data(as_text=True)
    assert second.count('class="mapping-row') == 80 - 50
    found = admin.client.get(f"{WIZARD}/vendors?q=Vendor+07").get_data(as_text=True)
    assert found.count('class="mapping-row') == 1 and "Paging Test Vendor 07" in found


def test_switch_to_another_realm_flags_mappings_and_never_reuses_old_ids(app, admin, acme_id, intuit):
    admin.connect(ALEX, REALM_1)
    finish_wizard(admin)
    admin.client.get(f"{WIZARD}/vendors")
    admin.post(f"{WIZARD}/map/accept", {"step": "vendors", "kind": VENDOR})
    realm_one = {i: m for i, m in vendor_mappings(app, acme_id, REALM_1).items() if m.confirmed}
    assert realm_one
    admin.connect(SAM, REALM_3, intent="switch")
    page = admin.client.get("/settings/integrations/qbo/settings").get_data(as_text=True)
    assert re.search(r"\d+ mappings? needs? review", page)
    with app.app_context():
        db = get_db()
        for inbuild_id in realm_one:
            usable = usable_mapping(db, acme_id, REALM_3, VENDOR, inbuild_id)
            if usable is not None:  # only when realm 3 really has that record, under that id and name
                record = get_record(db, acme_id, REALM_3, "Vendor", usable.qbo_id)
                assert record is not None and record.name == usable.qbo_name and record.active
        assert vendor_mappings(app, acme_id, REALM_1) == vendor_mappings(app, acme_id, REALM_1)  # old realm kept
    # Reconnecting the first company later finds its mappings intact.
    admin.connect(ALEX, REALM_1, intent="switch")
    again = vendor_mappings(app, acme_id, REALM_1)
    assert {i: m.qbo_id for i, m in again.items() if m.confirmed} == {i: m.qbo_id for i, m in realm_one.items()}


def test_inactive_quickbooks_record_makes_its_mapping_stale(app, admin, acme_id):
    from qbo.connection.access_tokens import qbo_client

    admin.connect(ALEX, REALM_1)
    finish_wizard(admin)
    admin.client.get(f"{WIZARD}/vendors")
    admin.post(f"{WIZARD}/map/accept", {"step": "vendors", "kind": VENDOR})
    inbuild_id, mapping = next((i, m) for i, m in vendor_mappings(app, acme_id, REALM_1).items() if m.confirmed)
    with app.app_context():
        client = qbo_client(get_db(), acme_id)
        vendor = client.read("Vendor", mapping.qbo_id)
        client.update("Vendor", vendor["Id"], vendor["SyncToken"], {"Active": False})
    response = admin.post("/settings/integrations/qbo/check-mappings", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Mappings checked: 1 need review." in page
    assert "1 mapping needs review" in page
    with app.app_context():
        assert usable_mapping(get_db(), acme_id, REALM_1, VENDOR, inbuild_id) is None
    assert "made inactive in QuickBooks" in admin.client.get(f"{WIZARD}/vendors?q=").get_data(as_text=True)


def test_hard_expiry_warning_thirty_days_before_the_end(app, admin):
    from datetime import timedelta

    from freezegun import freeze_time

    from qbo.connection.store import get_connection
    from qbo.storage.timeutil import utcnow

    admin.connect(ALEX, REALM_1)
    finish_wizard(admin)
    with app.app_context():
        end = get_connection(get_db(), accounts.find_company_by_name(get_db(), "Acme Construction").id).refresh_hard_expires_at
    assert end is not None and end > utcnow() + timedelta(days=4 * 365)
    settings_page = "/settings/integrations/qbo/settings"
    # Years later the sign-in cookie has long expired (Flask caps its age), so sign in again.
    with freeze_time(end - timedelta(days=31)):
        admin.login("admin@acme.test")
        assert "hard-expiry-warning" not in admin.client.get(settings_page).get_data(as_text=True)
    with freeze_time(end - timedelta(days=30)):
        assert "reconnect before then" in admin.client.get(settings_page).get_data(as_text=True)


def setup_through_accounts(admin, preferences=PREFERENCES):
    admin.post(f"{WIZARD}/preferences", preferences)
    accounts_page = admin.client.get(f"{WIZARD}/accounts").get_data(as_text=True)
    missing = admin.post(f"{WIZARD}/accounts", {"ap_account_id": "", "income_ref_id": "999999"})
    assert missing.status_code == 422 and "Choose the Accounts Payable account" in missing.get_data(as_text=True)
    assert admin.post(f"{WIZARD}/accounts", {"ap_account_id": first_option(accounts_page, "ap_account_id"),
                                             "income_ref_id": first_option(accounts_page, "income_ref_id")}).status_code == 303


def test_projects_as_owner_customer_plus_job_and_cost_codes_as_items(app, admin, acme_id, intuit):
    from qbo.mapping.store import COST_CODE, PROJECT_CLASS, PROJECT_CUSTOMER, PROJECT_JOB

    admin.connect(ALEX, REALM_1)
    setup_through_accounts(admin)
    page = admin.client.get(f"{WIZARD}/projects").get_data(as_text=True)
    assert "Customers" in page and "Projects (jobs)" in page and "Classes" in page  # one tab per mapping
    with app.app_context():
        project = records.list_projects(get_db(), acme_id)[0]
    admin.client.get(f"{WIZARD}/projects?kind=project_job")
    job = admin.post(f"{WIZARD}/map/create", {"step": "projects", "kind": PROJECT_JOB, "inbuild_id": project.id},
                     htmx=True)
    assert job.status_code == 200, job.get_data(as_text=True)
    with app.app_context():
        db = get_db()
        job_mapping = mappings_for(db, acme_id, REALM_1, PROJECT_JOB)[project.id]
        job_record = get_record(db, acme_id, REALM_1, "Customer", job_mapping.qbo_id)
        assert job_record.is_job and job_record.parent_id
        parent = get_record(db, acme_id, REALM_1, "Customer", job_record.parent_id)
        assert parent is not None and parent.name.casefold() == project.customer_name.casefold()
    admin.client.get(f"{WIZARD}/projects?kind=project_class")
    klass = admin.post(f"{WIZARD}/map/create", {"step": "projects", "kind": PROJECT_CLASS, "inbuild_id": project.id},
                       htmx=True)
    assert klass.status_code == 200 and mappings_for_app(app, acme_id, PROJECT_CLASS)[project.id].confirmed
    owners = admin.client.get(f"{WIZARD}/projects?kind=project_customer").get_data(as_text=True)
    assert "Customers → QuickBooks customers" in owners
    assert PROJECT_CUSTOMER  # owners may share a customer: no one-to-one "Share" box there
    assert 'name="share"' not in owners

    lines = admin.client.get(f"{WIZARD}/lines").get_data(as_text=True)
    assert "Cost codes → QuickBooks items" in lines
    with app.app_context():
        code = records.list_cost_codes(get_db(), acme_id)[-1]
    created = admin.post(f"{WIZARD}/map/create", {"step": "lines", "kind": COST_CODE, "inbuild_id": code.id},
                         htmx=True)
    assert created.status_code == 200, created.get_data(as_text=True)
    with app.app_context():
        item = get_record(get_db(), acme_id, REALM_1, "Item", mappings_for_app(app, acme_id, COST_CODE)[code.id].qbo_id)
    assert item.subtype == "Service" and item.code == code.code


def mappings_for_app(app, company_id, kind, realm_id=REALM_1):
    with app.app_context():
        return mappings_for(get_db(), company_id, realm_id, kind)


def test_changing_line_settings_forgets_line_mappings(app, admin, acme_id):
    from qbo.mapping.store import COST_CODE

    admin.connect(ALEX, REALM_1)
    setup_through_accounts(admin)
    admin.client.get(f"{WIZARD}/lines")
    with app.app_context():
        code = records.list_cost_codes(get_db(), acme_id)[-1]
    admin.post(f"{WIZARD}/map/create", {"step": "lines", "kind": COST_CODE, "inbuild_id": code.id}, htmx=True)
    assert mappings_for_app(app, acme_id, COST_CODE)
    response = admin.post(f"{WIZARD}/preferences", {**PREFERENCES, "posting_style": "account"}, follow_redirects=True)
    assert "map your cost codes or cost types again" in response.get_data(as_text=True)
    assert mappings_for_app(app, acme_id, COST_CODE) == {}
