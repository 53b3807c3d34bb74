"""Processing recorded webhook events: flags on synced bills and invoices, stale mappings (store level, a fake API)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from qbo.connection.realm_settings import Preferences, save_preferences
from qbo.connection.webhook_store import claim_events, events_of, record_events
from qbo.intuit.errors import IntuitUnavailable
from qbo.intuit.faults import QboNotFound
from qbo.intuit.webhooks import WebhookEvent
from qbo.mapping.checks import INACTIVE
from qbo.mapping.store import (
    COST_CODE, MANUAL, PROJECT_CUSTOMER, VENDOR, mappings_for, save_mapping,
)
from qbo.sync import quickbooks_changes
from qbo.sync.quickbooks_changes import DELETED_OR_INACTIVE, MERGED_AWAY, process_company_events
from qbo.sync.store import DELETED, SENDING, SYNCED, get_sync_record, save_state
from tests.support.store_fixtures import connected_db, new_cipher

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
REALM = "9130350000000001"


class FakeQuickBooks:
    """QboClient.read over a dict of records; an exception as a value is raised."""

    def __init__(self, records: dict | None = None):
        self.records, self.reads = records or {}, []

    def read(self, entity: str, entity_id: str) -> dict:
        self.reads.append((entity, entity_id))
        found = self.records.get((entity, entity_id))
        if isinstance(found, Exception):
            raise found
        if found is None:
            raise QboNotFound("610", "Object Not Found", f"{entity} Id={entity_id}", 400, "tid")
        return found


@pytest.fixture
def store(tmp_path):
    db, company_id = connected_db(str(tmp_path / "store.sqlite3"), new_cipher(), NOW)
    yield db, company_id
    db.close()


def event(entity: str, entity_id: str, operation: str, realm_id: str = REALM, deleted_id: str | None = None,
          n: int = 0) -> WebhookEvent:
    return WebhookEvent(f"{entity}-{entity_id}-{operation}-{n}", realm_id, entity, entity_id, operation,
                        "2026-11-20T11:00:00Z", deleted_id)


def process(store, events: list[WebhookEvent], quickbooks: FakeQuickBooks | None = None):
    db, company_id = store
    record_events(db, events, NOW)
    return process_company_events(db, company_id, lambda _db, _company: quickbooks or FakeQuickBooks(), NOW)


def synced(store, kind: str = "bill", record_id: int = 1, qbo_id: str = "12", status: str = SYNCED,
           sync_token: str = "3") -> None:
    db, company_id = store
    save_state(db, company_id, REALM, kind, record_id, NOW, status=status, qbo_id=qbo_id, sync_token=sync_token,
               version="v1", synced_version="v1", request_id="r", synced_at=NOW)


def state(store, kind: str = "bill", record_id: int = 1):
    db, company_id = store
    return get_sync_record(db, company_id, REALM, kind, record_id)


def test_a_synced_bill_deleted_in_quickbooks_is_flagged_removed_without_a_read(store):
    synced(store)
    quickbooks = FakeQuickBooks()
    outcome = process(store, [event("Bill", "12", "Delete")], quickbooks)
    flagged = state(store)
    assert outcome.done == 1 and quickbooks.reads == []
    assert flagged.status == DELETED and flagged.message.startswith("Deleted in QuickBooks on Nov 20, 2026")
    assert flagged.qbo_id == "12"  # kept, for the admin's reference


def test_a_synced_invoice_voided_in_quickbooks_is_flagged_removed(store):
    synced(store, kind="invoice", qbo_id="40")
    process(store, [event("Invoice", "40", "Void")])
    assert state(store, "invoice").status == DELETED and "Voided in QuickBooks" in state(store, "invoice").message


def test_an_update_inbuild_made_itself_changes_nothing(store):
    synced(store, sync_token="3")
    process(store, [event("Bill", "12", "Update")], FakeQuickBooks({("Bill", "12"): {"Id": "12", "SyncToken": "3"}}))
    assert state(store).status == SYNCED and state(store).message == ""


def test_a_change_made_in_quickbooks_is_flagged_and_nothing_is_sent_over_it(store):
    synced(store, sync_token="3")
    process(store, [event("Bill", "12", "Update")], FakeQuickBooks({("Bill", "12"): {"Id": "12", "SyncToken": "4"}}))
    flagged = state(store)
    assert flagged.status == SYNCED and flagged.synced_version == "v1" and flagged.sync_token == "3"
    assert flagged.message.startswith("Changed in QuickBooks on Nov 20, 2026 (not by inBuild)")


def test_an_update_while_inbuild_is_sending_that_record_is_left_to_the_sync(store):
    synced(store, status=SENDING)
    quickbooks = FakeQuickBooks()
    process(store, [event("Bill", "12", "Update")], quickbooks)
    assert quickbooks.reads == [] and state(store).status == SENDING


def test_an_update_to_a_bill_that_is_gone_by_now_flags_it_removed(store):
    synced(store)
    process(store, [event("Bill", "12", "Update")], FakeQuickBooks())
    assert state(store).status == DELETED


def test_records_inbuild_never_sent_and_creates_are_left_alone(store):
    synced(store)
    outcome = process(store, [event("Bill", "99", "Delete"), event("Bill", "12", "Create"),
                              event("Employee", "3", "Update")])
    db, company_id = store
    assert outcome.done == 3 and state(store).status == SYNCED
    assert [e["outcome"].split(":")[0] for e in events_of(db, company_id)] == ["skipped", "nothing to do", "skipped"]


def test_a_mapped_vendor_deleted_in_quickbooks_marks_its_mappings_stale_at_once(store):
    db, company_id = store
    save_mapping(db, company_id, REALM, VENDOR, 1, "55", "Summit Electric", MANUAL, NOW)
    save_mapping(db, company_id, REALM, VENDOR, 2, "56", "Ridge Supply", MANUAL, NOW)
    process(store, [event("Vendor", "55", "Delete")])
    vendors = mappings_for(db, company_id, REALM, VENDOR)
    assert vendors[1].stale and vendors[1].stale_reason == DELETED_OR_INACTIVE and not vendors[2].stale


def test_a_customer_made_inactive_is_read_back_and_marks_the_project_mapping_stale(store):
    db, company_id = store
    save_mapping(db, company_id, REALM, PROJECT_CUSTOMER, 7, "21", "Harbor Point", MANUAL, NOW)
    save_mapping(db, company_id, REALM, PROJECT_CUSTOMER, 8, "22", "Keystone", MANUAL, NOW)
    quickbooks = FakeQuickBooks({("Customer", "21"): {"Id": "21", "Active": False},
                                 ("Customer", "22"): {"Id": "22", "Active": True}})
    process(store, [event("Customer", "21", "Update"), event("Customer", "22", "Update"),
                    event("Customer", "23", "Update")], quickbooks)
    projects = mappings_for(db, company_id, REALM, PROJECT_CUSTOMER)
    assert projects[7].stale_reason == INACTIVE and not projects[8].stale
    assert quickbooks.reads == [("Customer", "21"), ("Customer", "22")]  # an unmapped record is not even read


@pytest.mark.parametrize("posting_style, stale_on", [("account", "Account"), ("item", "Item")])
def test_cost_code_mappings_follow_the_list_the_wizard_posts_to(store, posting_style, stale_on):
    db, company_id = store
    save_preferences(db, company_id, REALM, Preferences(True, False, date(2026, 1, 1), posting_style=posting_style),
                     NOW)
    save_mapping(db, company_id, REALM, COST_CODE, 3, "80", "Materials", MANUAL, NOW)
    process(store, [event("Item" if stale_on == "Account" else "Account", "80", "Delete")])
    assert not mappings_for(db, company_id, REALM, COST_CODE)[3].stale  # same Id in the other list: not ours
    process(store, [event(stale_on, "80", "Delete")])
    assert mappings_for(db, company_id, REALM, COST_CODE)[3].stale


def test_a_record_merged_away_marks_its_mappings_stale(store):
    db, company_id = store
    save_mapping(db, company_id, REALM, VENDOR, 1, "55", "Summit Electric", MANUAL, NOW)
    process(store, [event("Vendor", "60", "Merge", deleted_id="55")])
    assert mappings_for(db, company_id, REALM, VENDOR)[1].stale_reason == MERGED_AWAY


def test_quickbooks_unreachable_leaves_the_event_for_a_later_pass_then_gives_up(store):
    db, company_id = store
    synced(store)
    down = FakeQuickBooks({("Bill", "12"): IntuitUnavailable("QuickBooks could not be reached.")})
    first = process(store, [event("Bill", "12", "Update")], down)
    assert (first.retrying, first.done) == (1, 0)
    assert [(e["status"], e["attempts"]) for e in events_of(db, company_id)] == [("pending", 1)]
    for _ in range(quickbooks_changes.MAX_ATTEMPTS - 1):
        process_company_events(db, company_id, lambda _db, _company: down, NOW)
    assert events_of(db, company_id)[0]["status"] == "failed" and state(store).status == SYNCED


def test_events_of_a_realm_the_company_switched_away_from_are_skipped(store):
    db, company_id = store
    record_events(db, [event("Bill", "12", "Delete")], NOW)
    db.execute("UPDATE connections SET realm_id = '9130350000000002'")  # switched since the delivery
    synced(store)
    process_company_events(db, company_id, lambda _db, _company: FakeQuickBooks(), NOW)
    assert state(store).status == SYNCED and events_of(db, company_id)[0]["outcome"].startswith("skipped")


def test_each_event_is_processed_once(store):
    db, company_id = store
    synced(store)
    process(store, [event("Bill", "12", "Delete")])
    assert claim_events(db, company_id, NOW) == []
    assert process(store, [event("Bill", "12", "Delete")]).done == 0  # the same event again: a duplicate
