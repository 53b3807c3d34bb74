"""The mapping step at scale through the test client: paged rows, the QuickBooks combobox, auto-match on change only."""
import re

import pytest

from qbo.accounts import store as accounts
from qbo.mapping import suggestions
from qbo.mapping.reference_records import QboRecord, find_by_name, replace_records
from qbo.mapping.store import VENDOR, mappings_for
from qbo.records import catalog as records
from qbo.records import catalog_writes
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from tests.conftest import ALEX, REALM_1, REALM_3
from tests.web.test_integrations import finish_wizard

WIZARD = "/settings/integrations/qbo/setup"
OPTION = re.compile(r'role="option"[^>]*data-qbo-id="([^"]+)" data-name="([^"]+)"')


@pytest.fixture
def acme_vendors(app, admin):
    """Acme with 120 vendors, connected to Keystone (realm 1), setup finished; another realm and company stored too."""
    with app.app_context():
        db = get_db()
        acme = accounts.find_company_by_name(db, "Acme Construction").id
        cedar = accounts.find_company_by_name(db, "Cedar Homes").id
        for n in range(120):
            catalog_writes.insert_vendor(db, acme, f"Scale Test Vendor {n:03d}", "supplier")
        catalog_writes.insert_vendor(db, acme, "Ferguson Enterprises Inc", "supplier")
        now = utcnow()
        replace_records(db, acme, REALM_3, "Vendor", [QboRecord("Vendor", "31", "Zebra Realm Three Vendor"),
                                                      QboRecord("Vendor", "32", "Ferguson Realm Three")], now)
        replace_records(db, cedar, REALM_1, "Vendor", [QboRecord("Vendor", "41", "Zebra Cedar Vendor"),
                                                       QboRecord("Vendor", "42", "Ferguson Cedar Homes")], now)
    admin.connect(ALEX, REALM_1)
    finish_wizard(admin)
    return acme


def vendor_id(app, company_id, name):
    with app.app_context():
        return next(v.id for v in records.list_vendors(get_db(), company_id) if v.name == name)


def options(admin, inbuild_id, typed, kind=VENDOR, step="vendors"):
    response = admin.client.get(f"{WIZARD}/map/options", query_string={
        "step": step, "kind": kind, "inbuild_id": inbuild_id, "qbo_name": typed}, headers={"HX-Request": "true"})
    return response, OPTION.findall(response.get_data(as_text=True))


def test_rows_come_fifty_a_page_without_a_list_of_every_quickbooks_record(app, admin, acme_vendors):
    page = admin.client.get(f"{WIZARD}/vendors").get_data(as_text=True)
    assert page.count('class="mapping-row') == 50 and "<datalist" not in page
    assert 'role="combobox"' in page and 'aria-current="page">1</a>' in page
    second = admin.client.get(f"{WIZARD}/vendors/rows?kind=vendor&page=2", headers={"HX-Request": "true"})
    html = second.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="mapping-table">') and html.count('class="mapping-row') == 50
    assert second.headers["HX-Push-Url"] == f"{WIZARD}/vendors?kind=vendor&page=2"
    last = admin.client.get(f"{WIZARD}/vendors/rows?kind=vendor&page=99", headers={"HX-Request": "true"})
    assert last.get_data(as_text=True).count('class="mapping-row') == 121 - 100  # the last page, not an empty one
    found = admin.client.get(f"{WIZARD}/vendors/rows?kind=vendor&q=Vendor+007", headers={"HX-Request": "true"})
    assert found.get_data(as_text=True).count('class="mapping-row') == 1
    plain = admin.client.get(f"{WIZARD}/vendors/rows?kind=vendor&page=2")  # not htmx: the whole step instead
    assert plain.status_code == 303 and plain.headers["Location"].endswith("/vendors?kind=vendor&page=2")


def test_combobox_offers_this_realms_records_only(app, admin, acme_vendors):
    admin.client.get(f"{WIZARD}/vendors")
    ferguson = vendor_id(app, acme_vendors, "Ferguson Enterprises Inc")
    response, found = options(admin, ferguson, "fergu")
    assert response.status_code == 200 and [name for _, name in found] == ["Ferguson Enterprises"]
    assert options(admin, ferguson, "zebra")[1] == []  # realm 3's and Cedar's records are never offered
    assert "No QuickBooks records match “zebra”" in options(admin, ferguson, "zebra")[0].get_data(as_text=True)
    _, closest = options(admin, ferguson, "")  # nothing typed: the row's closest records, with why
    assert closest[0][1] == "Ferguson Enterprises" and len(closest) <= 8
    assert "same name" in options(admin, ferguson, "")[0].get_data(as_text=True)
    _, typo = options(admin, ferguson, "Fergusen Enterprizes")
    assert [name for _, name in typo][:1] == ["Ferguson Enterprises"]
    assert all("Realm Three" not in name and "Cedar" not in name for _, name in closest + typo)


def test_combobox_refuses_rows_of_another_company_or_kind(app, admin, acme_vendors):
    with app.app_context():
        cedar = accounts.find_company_by_name(get_db(), "Cedar Homes").id
        foreign = catalog_writes.insert_vendor(get_db(), cedar, "Cedar Vendor", "supplier")
    assert options(admin, foreign.id, "fer")[0].status_code == 404
    own = vendor_id(app, acme_vendors, "Ferguson Enterprises Inc")
    assert options(admin, own, "fer", kind="cost_code")[0].status_code == 404


def test_picking_by_id_saves_only_a_record_of_this_realms_list(app, admin, acme_vendors):
    admin.client.get(f"{WIZARD}/vendors")
    ferguson = vendor_id(app, acme_vendors, "Ferguson Enterprises Inc")
    qbo_id = options(admin, ferguson, "ferguson")[1][0][0]
    picked = admin.post(f"{WIZARD}/map/save", {"step": "vendors", "kind": VENDOR, "inbuild_id": ferguson,
                                               "qbo_id": qbo_id, "qbo_name": "Ferguson Enterprises"}, htmx=True)
    assert picked.status_code == 200 and "Confirmed" in picked.get_data(as_text=True)
    with app.app_context():
        mapped = mappings_for(get_db(), acme_vendors, REALM_1, VENDOR)[ferguson]
        assert mapped.source == "manual" and mapped.qbo_id == qbo_id
        other_realm = find_by_name(get_db(), acme_vendors, REALM_3, "Vendor", "Ferguson Realm Three")
    refused = admin.post(f"{WIZARD}/map/save", {"step": "vendors", "kind": VENDOR, "inbuild_id": ferguson,
                                                "qbo_id": other_realm.qbo_id}, htmx=True)
    assert refused.status_code == 422
    with app.app_context():
        assert mappings_for(get_db(), acme_vendors, REALM_1, VENDOR)[ferguson].qbo_id == qbo_id


def test_auto_match_runs_when_lists_change_or_on_request_not_on_every_view(app, admin, acme_vendors, monkeypatch):
    runs = []
    real_auto_match = suggestions.auto_match
    monkeypatch.setattr(suggestions, "auto_match", lambda *a, **k: runs.append(1) or real_auto_match(*a, **k))
    admin.client.get(f"{WIZARD}/vendors")
    assert len(runs) == 1
    admin.client.get(f"{WIZARD}/vendors")
    admin.client.get(f"{WIZARD}/vendors?page=2")
    admin.client.get(f"{WIZARD}/vendors/rows?kind=vendor&page=3", headers={"HX-Request": "true"})
    assert len(runs) == 1
    rematch = admin.post(f"{WIZARD}/map/rematch", {"step": "vendors", "kind": VENDOR}, htmx=True)
    assert "Auto-match suggested" in rematch.headers["HX-Trigger"] and len(runs) == 2
    with app.app_context():
        catalog_writes.insert_vendor(get_db(), acme_vendors, "Brand New Vendor", "supplier")
    admin.client.get(f"{WIZARD}/vendors")
    assert len(runs) == 3
