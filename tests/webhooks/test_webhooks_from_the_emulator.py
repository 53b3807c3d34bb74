"""End to end: the emulator sends real signed webhooks to the app on a loopback port; the app records and acts."""
from __future__ import annotations

import requests

from qbo.mapping.store import COST_CODE, VENDOR, mappings_for
from qbo.storage.db import get_db
from qbo.sync.engine import run_sync
from qbo.sync.store import DELETED, SYNCED, sync_records
from tests.conftest import PAT, REALM_1, REALM_3
from tests.sync.conftest import sync_worker
from tests.webhooks.conftest import VERIFIER, stored_events, table_count, wait_until


def send_webhooks(intuit, live_app, fmt: str = "cloudevents", token: str = VERIFIER, hold: bool = False) -> None:
    intuit.post("webhooks", {"url": f"{live_app.url}/intuit/webhooks", "verifier_token": token, "format": fmt,
                             "enabled": True, "hold": hold})


def webhook_status(intuit) -> dict:
    """The emulator's webhook settings, waiting events and newest deliveries."""
    return requests.get(f"{intuit.url}/_emulator/api/webhooks", timeout=10).json()


def change_in_quickbooks(intuit, entity: str, entity_id: str, change: str, realm_id: str = REALM_1) -> dict:
    return intuit.post(f"realms/{realm_id}/changes", {"entity": entity, "id": entity_id, "change": change})


def run_first_sync(app, acme_id: int) -> dict:
    with app.app_context():
        db = get_db()
        run_sync(db, acme_id, "manual", sync_worker())
        return {key: state for key, state in sync_records(db, acme_id, REALM_1).items() if state.status == SYNCED}


def state_of(app, acme_id: int, key: tuple[str, int]):
    with app.app_context():
        return sync_records(get_db(), acme_id, REALM_1)[key]


def mapping_of(app, acme_id: int, kind: str, inbuild_id: int):
    with app.app_context():
        return mappings_for(get_db(), acme_id, REALM_1, kind)[inbuild_id]


def test_inbuilds_own_sync_makes_events_but_flags_nothing(app, acme, intuit, live_app):
    send_webhooks(intuit, live_app)
    synced = run_first_sync(app, acme)
    assert wait_until(lambda: webhook_status(intuit)["pending"] == 0 and all(
        e["status"] == "done" for e in stored_events(app)) and len(stored_events(app)) >= len(synced))
    assert all(state_of(app, acme, key).status == SYNCED and not state_of(app, acme, key).message for key in synced)
    assert {e["operation"] for e in stored_events(app)} == {"Create"}


def test_a_bill_deleted_or_changed_inside_quickbooks_is_flagged_on_its_row(app, acme, intuit, live_app):
    synced = run_first_sync(app, acme)
    (deleted_key, deleted), (changed_key, changed) = [(k, s) for k, s in synced.items() if k[0] == "bill"][:2]
    send_webhooks(intuit, live_app)
    change_in_quickbooks(intuit, "Bill", deleted.qbo_id, "delete")
    change_in_quickbooks(intuit, "Bill", changed.qbo_id, "update")
    assert wait_until(lambda: state_of(app, acme, deleted_key).status == DELETED)
    assert "Deleted in QuickBooks" in state_of(app, acme, deleted_key).message
    assert wait_until(lambda: state_of(app, acme, changed_key).message)
    assert state_of(app, acme, changed_key).status == SYNCED
    assert state_of(app, acme, changed_key).message.startswith("Changed in QuickBooks")


def test_a_mapped_vendor_made_inactive_inside_quickbooks_marks_the_mapping_stale(app, acme, intuit, live_app):
    send_webhooks(intuit, live_app)
    vendor = next(iter(mappings_for_kind(app, acme, VENDOR).values()))
    change_in_quickbooks(intuit, "Vendor", vendor.qbo_id, "deactivate")
    assert wait_until(lambda: mapping_of(app, acme, VENDOR, vendor.inbuild_id).stale)


def test_legacy_format_works_the_same(app, acme, intuit, live_app):
    send_webhooks(intuit, live_app, fmt="legacy")
    cost_code = next(iter(mappings_for_kind(app, acme, COST_CODE).values()))
    change_in_quickbooks(intuit, "Account", cost_code.qbo_id, "deactivate")
    assert wait_until(lambda: mapping_of(app, acme, COST_CODE, cost_code.inbuild_id).stale)
    assert webhook_status(intuit)["deliveries"][0]["body"]["eventNotifications"][0]["realmId"] == REALM_1


def test_one_delivery_mixing_two_companies_reaches_both(app, acme, make_client, intuit, live_app):
    make_client("admin@cedar.test").connect(PAT, REALM_3)
    send_webhooks(intuit, live_app, hold=True)
    vendor = next(iter(mappings_for_kind(app, acme, VENDOR).values()))
    change_in_quickbooks(intuit, "Vendor", vendor.qbo_id, "deactivate")
    summit_vendor = requests.get(f"{intuit.url}/_emulator/api/realms/{REALM_3}/entities/Vendor",
                                 timeout=10).json()["entities"][0]["Id"]
    change_in_quickbooks(intuit, "Vendor", summit_vendor, "update", realm_id=REALM_3)
    sent = intuit.post("webhooks/deliver")["deliveries"]
    assert len(sent) == 1 and sent[0]["status"] == 200 and sent[0]["events"] == 2
    assert webhook_status(intuit)["deliveries"][0]["realms"] == sorted([REALM_1, REALM_3])
    assert mapping_of(app, acme, VENDOR, vendor.inbuild_id).stale
    assert [e["realm_id"] for e in stored_events(app, "Cedar Homes")] == [REALM_3]


def test_a_redelivered_webhook_is_answered_and_changes_nothing(app, acme, intuit, live_app):
    send_webhooks(intuit, live_app, hold=True)
    vendor = next(iter(mappings_for_kind(app, acme, VENDOR).values()))
    change_in_quickbooks(intuit, "Vendor", vendor.qbo_id, "deactivate")
    first = intuit.post("webhooks/deliver")["deliveries"][0]
    before = stored_events(app)
    again = intuit.post("webhooks/redeliver", {"delivery_id": first["id"]})
    assert again["status"] == 200 and stored_events(app) == before and len(before) == 1


def test_webhooks_signed_with_another_token_are_refused_and_store_nothing(app, acme, intuit, live_app):
    send_webhooks(intuit, live_app, token="not-the-apps-token", hold=True)
    vendor = next(iter(mappings_for_kind(app, acme, VENDOR).values()))
    change_in_quickbooks(intuit, "Vendor", vendor.qbo_id, "deactivate")
    assert [d["status"] for d in intuit.post("webhooks/deliver")["deliveries"]] == [401]
    assert table_count(app, "webhook_events") == 0 and not mapping_of(app, acme, VENDOR, vendor.inbuild_id).stale


def mappings_for_kind(app, acme_id: int, kind: str) -> dict:
    with app.app_context():
        return {k: m for k, m in mappings_for(get_db(), acme_id, REALM_1, kind).items() if m.qbo_id}
