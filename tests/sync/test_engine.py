"""The sync engine against the emulator as a real server: creates, updates, waiting, faults, stops, exactly once."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from freezegun import freeze_time

from qbo.connection.access_tokens import qbo_client
from qbo.connection.lifecycle import disconnect
from qbo.connection.realm_settings import set_sync_enabled
from qbo.connection.store import get_connection
from qbo.intuit.errors import OutcomeUnknown
from qbo.mapping.store import VENDOR, clear_mapping, mark_stale
from qbo.records import document_writes, documents
from qbo.records.documents import ApprovalStatus, NewLine
from qbo.storage.db import get_db
from qbo.sync.engine import Worker, run_sync
from qbo.sync.push import SETTLE_SECONDS
from qbo.sync.store import FAILED, SENDING, SYNCED, WAITING, WITHDRAWN, get_run, sync_records
from tests.conftest import ALEX, REALM_1, REALM_2
from tests.support.reliability_figures import FAULT_INJECTION, exactly_once
from tests.sync.conftest import NOW, map_everything, sync_worker

pytestmark = pytest.mark.usefixtures("app_context")


def approved_bills(db, company_id):
    return [b for b in documents.list_bills(db, company_id, limit=None, status=ApprovalStatus.APPROVED)
            if b.bill_date.year >= 2026]


def each_bill_once(record, intuit, db, acme) -> None:
    """Every approved bill in QuickBooks exactly once, counted into the suite's reliability figures."""
    exactly_once(record, FAULT_INJECTION, [b["DocNumber"] for b in qbo_bills(intuit)],
                 [b.number for b in approved_bills(db, acme)])


def qbo_bills(intuit) -> list[dict]:
    """Every Bill the emulator's Keystone holds."""
    return requests.get(f"{intuit.url}/_emulator/api/realms/{REALM_1}/entities/Bill", timeout=10).json()["entities"]


def test_first_run_creates_every_approved_bill_once_with_its_id(acme, intuit):
    db = get_db()
    attempt = run_sync(db, acme, "manual", sync_worker())
    run = get_run(db, attempt.run_id)
    states = sync_records(db, acme, REALM_1)
    bills = approved_bills(db, acme)
    assert bills and run.outcome == "finished" and attempt.reason == ""
    assert run.created == len(bills) == sum(1 for s in states.values() if s.status == SYNCED)
    assert all(states[("bill", b.id)].qbo_id for b in bills)
    assert sorted(b["DocNumber"] for b in qbo_bills(intuit)) == sorted(b.number for b in bills)
    assert get_connection(db, acme).last_sync_at is not None


def test_second_run_sends_nothing(acme, intuit):
    db = get_db()
    run_sync(db, acme, "manual", sync_worker())
    second = get_run(db, run_sync(db, acme, "manual", sync_worker()).run_id)
    assert (second.created, second.updated, second.failed, second.planned) == (0, 0, 0, 0)


def test_a_record_without_a_vendor_mapping_waits_with_the_reason(acme, intuit):
    db = get_db()
    bill = approved_bills(db, acme)[0]
    clear_mapping(db, acme, REALM_1, VENDOR, bill.vendor_id)
    run_sync(db, acme, "manual", sync_worker())
    state = sync_records(db, acme, REALM_1)[("bill", bill.id)]
    assert state.status == WAITING and state.qbo_id is None
    assert state.message == f"Waiting: vendor '{bill.vendor_name}' is not mapped"
    assert (state.fix_kind, state.fix_inbuild_id) == (VENDOR, bill.vendor_id)


def test_nothing_is_sent_while_paused(acme, intuit):
    db = get_db()
    set_sync_enabled(db, acme, REALM_1, False, NOW)
    attempt = run_sync(db, acme, "manual", sync_worker())
    assert attempt.run_id is None and attempt.reason == "QuickBooks Sync is paused."
    assert sync_records(db, acme, REALM_1) == {}


def test_a_refused_record_fails_with_plain_words_and_the_others_go_on(acme, intuit):
    db = get_db()
    bills = approved_bills(db, acme)
    earliest = min(b.bill_date for b in bills)
    intuit.post(f"realms/{REALM_1}/preferences", {"closing_date": str(earliest)})
    run_sync(db, acme, "manual", sync_worker())
    states = sync_records(db, acme, REALM_1)
    failed = [s for s in states.values() if s.status == FAILED]
    assert failed and all("closed accounting period" in s.message for s in failed)
    assert any(s.status == SYNCED for s in states.values())


def test_an_edit_after_sync_updates_the_same_bill_with_its_sync_token(acme, intuit):
    db = get_db()
    run_sync(db, acme, "manual", sync_worker())
    bill = approved_bills(db, acme)[0]
    before = sync_records(db, acme, REALM_1)[("bill", bill.id)]
    line = bill.lines[0]
    document_writes.replace_bill_lines(db, acme, bill.id, [
        NewLine(1, line.cost_code_id, line.cost_type_id, "Revised", 1234_56)])
    run = get_run(db, run_sync(db, acme, "manual", sync_worker()).run_id)
    after = sync_records(db, acme, REALM_1)[("bill", bill.id)]
    stored = next(b for b in qbo_bills(intuit) if b["Id"] == before.qbo_id)
    assert (run.created, run.updated) == (0, 1)
    assert after.qbo_id == before.qbo_id and int(after.sync_token) == int(before.sync_token) + 1
    assert float(stored["TotalAmt"]) == 1234.56 and len(stored["Line"]) == 1
    assert len(qbo_bills(intuit)) == len(approved_bills(db, acme))


def test_a_stale_sync_token_is_read_again_and_the_update_goes_through(acme, intuit):
    db = get_db()
    run_sync(db, acme, "manual", sync_worker())
    bill = approved_bills(db, acme)[0]
    state = sync_records(db, acme, REALM_1)[("bill", bill.id)]
    client = qbo_client(db, acme)
    client.update("Bill", state.qbo_id, state.sync_token, {"PrivateNote": state.message + "changed in QuickBooks"})
    line = bill.lines[0]
    document_writes.replace_bill_lines(db, acme, bill.id, [
        NewLine(1, line.cost_code_id, line.cost_type_id, "Revised", 99_00)])
    run = get_run(db, run_sync(db, acme, "manual", sync_worker()).run_id)
    assert (run.updated, run.failed) == (1, 0)
    assert sync_records(db, acme, REALM_1)[("bill", bill.id)].sync_token == "2"


def test_a_bill_withdrawn_after_sync_is_flagged_not_deleted(acme, intuit):
    db = get_db()
    run_sync(db, acme, "manual", sync_worker())
    bill = approved_bills(db, acme)[0]
    document_writes.set_approval_status(db, acme, "bill", bill.id, ApprovalStatus.REJECTED)
    run_sync(db, acme, "manual", sync_worker())
    state = sync_records(db, acme, REALM_1)[("bill", bill.id)]
    assert state.status == WITHDRAWN and "delete it from QuickBooks" in state.message
    assert any(b["Id"] == state.qbo_id for b in qbo_bills(intuit))


def test_exactly_once_when_quickbooks_commits_the_batch_but_the_answer_is_lost(acme, intuit, reliability_figure):
    db = get_db()
    intuit.post("faults", {"kind": "drop_after_commit", "endpoint": "api", "resource": "batch", "count": 1})
    first = run_sync(db, acme, "manual", sync_worker())
    assert "did not answer" in first.reason
    assert any(s.status == SENDING for s in sync_records(db, acme, REALM_1).values())
    run_sync(db, acme, "manual", sync_worker())
    each_bill_once(reliability_figure, intuit, db, acme)
    assert all(s.status == SYNCED for s in sync_records(db, acme, REALM_1).values())


class DisconnectsAfterFirstBatch:
    """The real client, but the admin disconnects right after the first batch was answered."""

    def __init__(self, client, on_first_batch):
        self.client, self.on_first_batch, self.batches = client, on_first_batch, 0

    def __getattr__(self, name):
        return getattr(self.client, name)

    def batch(self, items, request_id):
        answer = self.client.batch(items, request_id)
        self.batches += 1
        if self.batches == 1:
            self.on_first_batch()
        return answer


def test_disconnect_mid_run_stops_before_the_next_request_and_reconnect_resumes(acme, admin, intuit,
                                                                                reliability_figure):
    db = get_db()
    worker = sync_worker()
    worker = Worker(worker.owner, lambda d, c: DisconnectsAfterFirstBatch(
        qbo_client(d, c), lambda: disconnect(d, c, user_id=1)), worker.pacer)
    attempt = run_sync(db, acme, "manual", worker)
    assert attempt.reason == "QuickBooks Online is not connected."
    assert len(qbo_bills(intuit)) == 30
    admin.connect(ALEX, REALM_1, intent="reconnect")
    run_sync(db, acme, "manual", sync_worker())
    each_bill_once(reliability_figure, intuit, db, acme)


def test_switch_mid_run_sends_nothing_to_the_new_company(acme, admin, intuit):
    db = get_db()
    worker = sync_worker()
    worker = Worker(worker.owner, lambda d, c: DisconnectsAfterFirstBatch(
        qbo_client(d, c), lambda: admin.connect(ALEX, REALM_2, intent="switch")), worker.pacer)
    attempt = run_sync(db, acme, "manual", worker)
    assert "switched" in attempt.reason
    realm_2_bills = requests.get(f"{intuit.url}/_emulator/api/realms/{REALM_2}/entities/Bill", timeout=10).json()
    assert realm_2_bills["count"] == 0


def test_a_stale_mapping_is_never_used(acme, intuit, app_context):
    db = get_db()
    bill = approved_bills(db, acme)[0]
    mark_stale(db, acme, REALM_1, VENDOR, bill.vendor_id, "Made inactive in QuickBooks.")
    run_sync(db, acme, "manual", sync_worker())
    state = sync_records(db, acme, REALM_1)[("bill", bill.id)]
    assert state.status == WAITING and state.qbo_id is None
    assert not any(b["DocNumber"] == bill.number for b in qbo_bills(intuit))


def test_a_429_storm_backs_off_and_every_bill_still_arrives_once(acme, intuit, app_context, reliability_figure):
    db = get_db()
    intuit.post("faults", {"kind": "429", "endpoint": "api", "count": 6})
    attempt = run_sync(db, acme, "manual", sync_worker())
    assert attempt.reason == ""
    each_bill_once(reliability_figure, intuit, db, acme)


def test_an_expired_access_token_is_refreshed_once_and_the_run_goes_on(acme, intuit, app_context):
    intuit.expire_access_token(REALM_1)
    attempt = run_sync(get_db(), acme, "manual", sync_worker())
    assert attempt.reason == "" and len(qbo_bills(intuit)) == len(approved_bills(get_db(), acme))
    assert get_connection(get_db(), acme).state.value == "connected"


def test_access_revoked_mid_run_stops_the_run_as_a_disconnect_inside_quickbooks(acme, intuit, app_context):
    intuit.post("faults", {"kind": "revoke_after", "endpoint": "api", "realm_id": REALM_1, "count": 1})
    attempt = run_sync(get_db(), acme, "manual", sync_worker())
    assert "disconnected inside QuickBooks" in attempt.reason
    assert get_connection(get_db(), acme).state.value == "disconnected"
    assert get_run(get_db(), attempt.run_id).outcome == "stopped"
    states = sync_records(get_db(), acme, REALM_1)
    assert all(s.status in (SYNCED, SENDING) for s in states.values())


def test_a_run_queued_before_a_disconnect_sends_nothing(acme, intuit, app_context):
    from qbo.jobs.sync_tasks import sync_company

    disconnect(get_db(), acme, user_id=1)
    assert sync_company.call_local(acme, "scheduled") is None
    assert qbo_bills(intuit) == []


def test_after_a_switch_records_synced_to_the_old_company_go_to_the_new_one_only_on_resync(acme, admin, intuit,
                                                                                         app_context):
    db = get_db()
    run_sync(db, acme, "manual", sync_worker())
    bill = approved_bills(db, acme)[0]
    admin.connect(ALEX, REALM_2, intent="switch")
    map_everything(db, acme, REALM_2)
    run = get_run(db, run_sync(db, acme, "manual", sync_worker()).run_id)
    realm_2 = f"{intuit.url}/_emulator/api/realms/{REALM_2}/entities/Bill"
    assert (run.created, run.planned) == (0, 0) and requests.get(realm_2, timeout=10).json()["count"] == 0
    run_sync(db, acme, "retry", sync_worker(), only={("bill", bill.id)})
    assert [b["DocNumber"] for b in requests.get(realm_2, timeout=10).json()["entities"]] == [bill.number]


class LosesTheFirstBatch:
    """The real client, but the first batch "times out" before it reaches QuickBooks (nothing is created)."""

    def __init__(self, client):
        self.client, self.lost = client, False

    def __getattr__(self, name):
        return getattr(self.client, name)

    def batch(self, items, request_id):
        if not self.lost:
            self.lost = True
            raise OutcomeUnknown("QuickBooks did not answer in time.")
        return self.client.batch(items, request_id)


def test_records_whose_answer_was_lost_sit_out_until_quickbooks_had_time_then_go_once(acme, intuit, app_context,
                                                                                      reliability_figure):
    db = get_db()
    lossy = Worker("lossy", lambda d, c: LosesTheFirstBatch(qbo_client(d, c)), sync_worker().pacer)
    with freeze_time(NOW) as clock:
        assert "did not answer" in run_sync(db, acme, "manual", lossy).reason
        lost = {key for key, s in sync_records(db, acme, REALM_1).items() if s.status == SENDING}
        assert len(lost) == 30
        run_sync(db, acme, "manual", sync_worker())  # too soon: the lost batch may still land
        states = sync_records(db, acme, REALM_1)
        assert all(states[key].status == SENDING for key in lost)
        clock.tick(timedelta(seconds=SETTLE_SECONDS + 1))
        run_sync(db, acme, "manual", sync_worker())
    assert all(s.status == SYNCED for s in sync_records(db, acme, REALM_1).values())
    each_bill_once(reliability_figure, intuit, db, acme)


class HidesItsBillsFromTheFirstLookups:
    """QuickBooks' query does not show a just-created bill yet: the lookup misses, the create answers 6140."""

    def __init__(self, client, misses):
        self.client, self.misses = client, misses

    def __getattr__(self, name):
        return getattr(self.client, name)

    def query_all(self, entity, where="", *args, **kwargs):
        if entity == "Bill" and self.misses > 0:
            self.misses -= 1
            return []
        return self.client.query_all(entity, where, *args, **kwargs)


def test_a_duplicate_number_that_is_our_own_earlier_create_is_linked_not_failed(acme, intuit, app_context,
                                                                                reliability_figure):
    db = get_db()
    intuit.post("faults", {"kind": "drop_after_commit", "endpoint": "api", "resource": "batch", "count": 1,
                           "seconds": 3})
    with freeze_time(NOW) as clock:
        run_sync(db, acme, "manual", sync_worker())
        clock.tick(timedelta(seconds=SETTLE_SECONDS + 1))
        hiding = Worker("hiding", lambda d, c: HidesItsBillsFromTheFirstLookups(qbo_client(d, c), 30),
                        sync_worker().pacer)
        run = get_run(db, run_sync(db, acme, "manual", hiding).run_id)
    states = sync_records(db, acme, REALM_1)
    assert run.failed == 0 and all(s.status == SYNCED for s in states.values())
    each_bill_once(reliability_figure, intuit, db, acme)
