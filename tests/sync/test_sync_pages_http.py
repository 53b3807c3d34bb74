"""The sync on the QuickBooks Online Settings page, through Flask's test client (jobs run inline)."""
from __future__ import annotations


from qbo.connection import audit
from qbo.connection.realm_settings import set_sync_enabled
from qbo.mapping.store import VENDOR, clear_mapping
from qbo.storage.db import get_db
from qbo.sync.store import SYNCED, WAITING, sync_records
from tests.conftest import REALM_1
from tests.sync.conftest import NOW
from tests.sync.test_engine import approved_bills, qbo_bills

BASE = "/settings/integrations/qbo/syncing"


def test_sync_now_runs_and_the_status_shows_the_result(acme, admin, intuit, app_context):
    response = admin.post(f"{BASE}/run", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="sync-status"' in html and "Sync queued" not in html
    status = admin.client.get(f"{BASE}/status?after=0", headers={"HX-Request": "true"})
    text = status.get_data(as_text=True)
    created = len(approved_bills(get_db(), acme))
    assert f"{created} created, 0 updated, 0 failed, 0 waiting" in text
    assert "sync-changed" in status.headers.get("HX-Trigger", "")
    assert len(qbo_bills(intuit)) == created
    actions = [row["action"] for row in get_db().query("SELECT action FROM audit_events WHERE company_id = ?", [acme])]
    assert audit.SYNC_REQUESTED in actions


def test_sync_now_while_paused_says_why_and_sends_nothing(acme, admin, intuit, app_context):
    set_sync_enabled(get_db(), acme, REALM_1, False, NOW)
    html = admin.post(f"{BASE}/run", htmx=True).get_data(as_text=True)
    assert "QuickBooks Sync is paused." in html
    assert sync_records(get_db(), acme, REALM_1) == {} and qbo_bills(intuit) == []


def test_issues_list_names_what_a_record_waits_for_with_a_link_to_fix_it(acme, admin, intuit, app_context):
    db = get_db()
    bill = approved_bills(db, acme)[0]
    clear_mapping(db, acme, REALM_1, VENDOR, bill.vendor_id)
    admin.post(f"{BASE}/run", htmx=True)
    html = admin.client.get(f"{BASE}/issues").get_data(as_text=True)
    assert f"Waiting: vendor &#39;{bill.vendor_name}&#39; is not mapped" in html or \
        f"Waiting: vendor '{bill.vendor_name}' is not mapped" in html
    assert "/settings/integrations/qbo/setup/vendors" in html and "Retry" in html


def test_retry_sends_one_record_once_its_mapping_is_fixed(acme, admin, intuit, app_context):
    db = get_db()
    bill = approved_bills(db, acme)[0]
    mapping = db.execute("SELECT qbo_id, qbo_name FROM mappings WHERE company_id = ? AND kind = 'vendor' "
                         "AND inbuild_id = ?", [acme, bill.vendor_id]).fetchone()
    clear_mapping(db, acme, REALM_1, VENDOR, bill.vendor_id)
    admin.post(f"{BASE}/run", htmx=True)
    assert sync_records(db, acme, REALM_1)[("bill", bill.id)].status == WAITING
    from qbo.mapping.store import MANUAL, save_mapping
    save_mapping(db, acme, REALM_1, VENDOR, bill.vendor_id, mapping[0], mapping[1], MANUAL, NOW)
    response = admin.post(f"{BASE}/records/bill/{bill.id}/retry", htmx=True)
    assert "Sent again" in response.get_data(as_text=True)
    assert sync_records(db, acme, REALM_1)[("bill", bill.id)].status == SYNCED


def test_retry_of_a_record_that_is_not_ours_is_404_and_changes_nothing(acme, admin, intuit, app_context):
    admin.post(f"{BASE}/run", htmx=True)
    before = sync_records(get_db(), acme, REALM_1)
    assert admin.post(f"{BASE}/records/bill/999999/retry", htmx=True).status_code == 404
    assert admin.post(f"{BASE}/records/vendor/1/retry", htmx=True).status_code == 404
    assert sync_records(get_db(), acme, REALM_1) == before


def test_history_lists_runs_newest_first(acme, admin, intuit, app_context):
    admin.post(f"{BASE}/run", htmx=True)
    admin.post(f"{BASE}/run", htmx=True)
    html = admin.client.get(f"{BASE}/history").get_data(as_text=True)
    assert html.count('class="sync-run"') == 2 and "Page 1 of 1" in html


def test_a_standard_user_cannot_sync(acme, make_client, intuit):
    staff = make_client("staff@acme.test")
    assert staff.post(f"{BASE}/run", htmx=True).status_code == 403
    assert staff.client.get(f"{BASE}/issues").status_code == 403
    assert qbo_bills(intuit) == []


def test_bills_list_and_page_show_the_quickbooks_status_and_id(acme, admin, intuit, app_context):
    admin.post(f"{BASE}/run", htmx=True)
    bill = approved_bills(get_db(), acme)[0]
    state = sync_records(get_db(), acme, REALM_1)[("bill", bill.id)]
    listing = admin.client.get(f"/records/bills?q={bill.number}").get_data(as_text=True)
    assert 'data-qbo-status="synced"' in listing and f"QuickBooks #{state.qbo_id}" in listing
    page = admin.client.get(f"/records/bills/{bill.id}").get_data(as_text=True)
    assert 'data-testid="qbo-status">Synced<' in page and "Resync" in page


def test_resync_sends_an_update_even_when_nothing_changed(acme, admin, intuit, app_context):
    admin.post(f"{BASE}/run", htmx=True)
    bill = approved_bills(get_db(), acme)[0]
    before = sync_records(get_db(), acme, REALM_1)[("bill", bill.id)]
    admin.post(f"{BASE}/records/bill/{bill.id}/retry", htmx=True)
    after = sync_records(get_db(), acme, REALM_1)[("bill", bill.id)]
    assert after.qbo_id == before.qbo_id and int(after.sync_token) == int(before.sync_token) + 1
    assert len(qbo_bills(intuit)) == len(approved_bills(get_db(), acme))


def test_a_withdrawn_bill_is_deleted_from_quickbooks_only_when_the_admin_asks(acme, admin, intuit, app_context):
    from qbo.records import document_writes
    from qbo.records.documents import ApprovalStatus

    admin.post(f"{BASE}/run", htmx=True)
    bill, other = approved_bills(get_db(), acme)[:2]
    refused = admin.post(f"{BASE}/records/bill/{other.id}/remove", htmx=True).get_data(as_text=True)
    assert "Only a record withdrawn" in refused
    document_writes.set_approval_status(get_db(), acme, "bill", bill.id, ApprovalStatus.REJECTED)
    admin.post(f"{BASE}/run", htmx=True)
    qbo_id = sync_records(get_db(), acme, REALM_1)[("bill", bill.id)].qbo_id
    assert any(b["Id"] == qbo_id for b in qbo_bills(intuit))
    done = admin.post(f"{BASE}/records/bill/{bill.id}/remove", htmx=True).get_data(as_text=True)
    assert "Deleted from QuickBooks." in done
    assert not any(b["Id"] == qbo_id for b in qbo_bills(intuit))
    assert any(b["Id"] == other_state.qbo_id for b in qbo_bills(intuit)
               for other_state in [sync_records(get_db(), acme, REALM_1)[("bill", other.id)]])
    assert sync_records(get_db(), acme, REALM_1)[("bill", bill.id)].status == "deleted"
