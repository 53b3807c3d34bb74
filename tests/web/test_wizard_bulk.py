"""'Create all unmapped in QuickBooks' through the test client, against the emulator's Batch endpoint."""
import re

import pytest

from qbo.accounts import store as accounts
from qbo.intuit.api_client import QboClient
from qbo.mapping.reference_records import get_record
from qbo.mapping.store import VENDOR, mappings_for
from qbo.records import catalog as records
from qbo.records import catalog_writes
from qbo.records.demo_records import load_demo_records
from qbo.storage.db import get_db
from tests.conftest import ALEX, REALM_1, REALM_2
from tests.web.test_integrations import finish_wizard

WIZARD = "/settings/integrations/qbo/setup"
STEP = {"step": "vendors", "kind": VENDOR}
NEXT_URL = re.compile(r'hx-post="([^"]+/bulk/\d+/next)"')


@pytest.fixture
def acme(app, admin, monkeypatch):
    """Acme's demo vendors against Keystone, plus one whose name an inactive Keystone vendor holds."""
    with app.app_context():
        db = get_db()
        company_id = accounts.find_company_by_name(db, "Acme Construction").id
        load_demo_records(db, company_id)
        catalog_writes.insert_vendor(db, company_id, "Wissahickon Landscaping", "subcontractor")
    admin.connect(ALEX, REALM_1)
    finish_wizard(admin)
    admin.client.get(f"{WIZARD}/vendors")
    return company_id


@pytest.fixture
def batches(monkeypatch):
    """The size of every Batch request sent."""
    sizes = []
    real_batch = QboClient.batch

    def counting_batch(self, items, request_id):
        sizes.append(len(items))
        return real_batch(self, items, request_id)

    monkeypatch.setattr(QboClient, "batch", counting_batch)
    return sizes


def vendor_named(app, company_id, name):
    with app.app_context():
        return next(v for v in records.list_vendors(get_db(), company_id) if v.name == name)


def unmap(app, admin, company_id, name):
    """The admin clears a suggestion: the vendor has no mapping, though QuickBooks has one of that name."""
    vendor = vendor_named(app, company_id, name)
    admin.post(f"{WIZARD}/map/clear", {**STEP, "inbuild_id": vendor.id}, htmx=True)
    return vendor


def run_to_the_end(admin, first):
    responses = [first]
    while 'data-status="running"' in responses[-1] and len(responses) < 20:
        responses.append(admin.post(NEXT_URL.search(responses[-1]).group(1), STEP, htmx=True).get_data(as_text=True))
    return responses


def test_preview_shows_names_as_quickbooks_will_hold_them(app, admin, acme):
    unmap(app, admin, acme, "Home Depot Pro")
    with app.app_context():
        catalog_writes.insert_vendor(get_db(), acme, "Smith: Jones Drywall " + "x" * 90, "subcontractor")
    preview = admin.client.get(f"{WIZARD}/map/bulk/preview", query_string=STEP, headers={"HX-Request": "true"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and html.lstrip().startswith('<section id="bulk-create"')
    assert "Smith- Jones Drywall" in html and "becomes “-”" in html and "Shortened to 100 characters" in html
    assert "QuickBooks already has “Home Depot Pro”: it will be linked" in html
    assert "An inactive QuickBooks vendor has this name" in html
    assert re.search(r"Create \d+ in QuickBooks</button>", html)


def test_bulk_create_through_batch_links_a_duplicate_name_and_names_what_failed(app, admin, acme, batches):
    home_depot = unmap(app, admin, acme, "Home Depot Pro")
    inactive = vendor_named(app, acme, "Wissahickon Landscaping")
    with app.app_context():
        unmapped = [v for v in records.list_vendors(get_db(), acme)
                    if v.id not in mappings_for(get_db(), acme, REALM_1, VENDOR)]
    assert home_depot in unmapped and inactive in unmapped and len(unmapped) > 3
    started = admin.post(f"{WIZARD}/map/bulk/start", STEP, htmx=True).get_data(as_text=True)
    assert 'hx-trigger="load"' in started and f"0 of {len(unmapped)} done" in started
    responses = run_to_the_end(admin, started)
    final = responses[-1]
    assert 'data-status="finished"' in final and batches and max(batches) <= 30
    assert f"{len(unmapped)} of {len(unmapped)} done" in final
    assert "1 linked to records QuickBooks already had, 1 failed" in final
    assert "Wissahickon Landscaping</strong>: An inactive QuickBooks vendor already uses" in final
    assert f'<tr id="map-vendor-{home_depot.id}"' in "".join(responses) and 'hx-swap-oob="true"' in responses[1]
    with app.app_context():
        mapped = mappings_for(get_db(), acme, REALM_1, VENDOR)
        linked = get_record(get_db(), acme, REALM_1, "Vendor", mapped[home_depot.id].qbo_id)
    assert linked.name == "Home Depot Pro" and mapped[home_depot.id].confirmed
    assert mapped[home_depot.id].match_reason == "already in QuickBooks, linked"
    assert inactive.id not in mapped
    others = [v for v in unmapped if v not in (home_depot, inactive)]
    assert all(mapped[v.id].source == "created" and mapped[v.id].confirmed for v in others)


def test_an_unreachable_quickbooks_pauses_the_run_and_resume_finishes_it(app, admin, acme, intuit):
    intuit.post("faults", {"kind": "500", "endpoint": "api", "resource": "batch", "count": 1})
    started = admin.post(f"{WIZARD}/map/bulk/start", STEP, htmx=True).get_data(as_text=True)
    paused = admin.post(NEXT_URL.search(started).group(1), STEP, htmx=True).get_data(as_text=True)
    assert 'data-status="paused"' in paused and "QuickBooks could not be reached" in paused and ">Resume<" in paused
    resume_url = re.search(r'<form method="post" action="([^"]+/next)"', paused).group(1)
    resumed = admin.post(resume_url, STEP, htmx=True).get_data(as_text=True)
    assert 'data-status="finished"' in run_to_the_end(admin, resumed)[-1]


def test_without_javascript_the_run_goes_to_the_end_and_comes_back_to_the_step(app, admin, acme):
    response = admin.post(f"{WIZARD}/map/bulk/start", STEP)
    assert response.status_code == 303 and response.headers["Location"].endswith("/setup/vendors?kind=vendor")
    page = admin.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "created in QuickBooks" in page and "1 failed." in page
    inactive = vendor_named(app, acme, "Wissahickon Landscaping")
    with app.app_context():
        mapped = mappings_for(get_db(), acme, REALM_1, VENDOR)
        assert {v.id for v in records.list_vendors(get_db(), acme)} - set(mapped) == {inactive.id}


def test_another_companys_run_is_refused(app, admin, acme, make_client):
    started = admin.post(f"{WIZARD}/map/bulk/start", STEP, htmx=True).get_data(as_text=True)
    next_url = NEXT_URL.search(started).group(1)
    cedar = make_client("admin@cedar.test")
    cedar.connect(ALEX, REALM_2)
    finish_wizard(cedar)
    refused = cedar.post(next_url, STEP, htmx=True)
    assert refused.status_code == 404
    assert 'data-status="running"' in started  # Acme's run is untouched, still waiting for its next chunk
