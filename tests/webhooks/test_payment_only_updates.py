"""A Bill Update that only a payment caused (QuickBooks may announce one: the balance, links and SyncToken move) is
not "Changed in QuickBooks": what inBuild sent is compared field by field, and only the SyncToken is kept current.
An edit a QuickBooks user makes is still flagged. The emulator as a real server, deliveries signed like Intuit's."""
from __future__ import annotations

from qbo.storage.db import get_db
from qbo.sync.bodies import holds_what_was_sent
from qbo.sync.store import SYNCED, get_sync_record
from tests.conftest import REALM_1
from tests.webhooks.conftest import cloudevent, post_signed
from tests.webhooks.test_webhooks_from_the_emulator import change_in_quickbooks, run_first_sync

SENT = {"VendorRef": {"value": "56", "name": "Summit Electric"}, "TxnDate": "2026-11-02", "DocNumber": "B-7",
        "Line": [{"Amount": 100.1, "DetailType": "AccountBasedExpenseLineDetail",
                  "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "7", "name": "Materials"}}}]}
HELD = {**SENT, "Id": "12", "SyncToken": "2", "Balance": 0, "TotalAmt": 100.1,
        "VendorRef": {"value": "56", "name": "Summit Electric, LLC"},  # renamed in QuickBooks since
        "LinkedTxn": [{"TxnId": "90", "TxnType": "BillPayment"}],
        "Line": [{"Id": "1", "LineNum": 1, "Amount": 100.10000001, "DetailType": "AccountBasedExpenseLineDetail",
                  "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "7"}, "BillableStatus": "NotBillable"}}]}


def test_quickbooks_own_fields_and_renamed_references_still_hold_what_was_sent():
    assert holds_what_was_sent(SENT, HELD)
    invoice_line = {"Amount": 5, "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}
    subtotal = {"Amount": 5, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
    assert holds_what_was_sent({"Line": [invoice_line]}, {"Line": [invoice_line, subtotal]})


def test_any_sent_field_changed_in_quickbooks_does_not():
    for changed in ({"TxnDate": "2026-11-03"}, {"DocNumber": "B-7a"}, {"VendorRef": {"value": "57"}},
                    {"Line": [{**HELD["Line"][0], "Amount": 100.2}]}, {"Line": HELD["Line"] * 2}, {"Line": []}):
        assert not holds_what_was_sent(SENT, {**HELD, **changed}), changed
    assert not holds_what_was_sent(SENT, {key: value for key, value in HELD.items() if key != "TxnDate"})


def test_an_update_caused_by_a_payment_flags_nothing_and_keeps_the_sync_token_current(app, acme, intuit):
    synced = run_first_sync(app, acme)
    key, state = next((k, s) for k, s in synced.items() if k[0] == "bill")
    intuit.post(f"realms/{REALM_1}/payments", {"entity": "Bill", "id": state.qbo_id, "amount": 10})
    bill_update = [cloudevent(REALM_1, "Bill", state.qbo_id, operation="updated", event_id="after-payment")]
    assert post_signed(app.test_client(), bill_update).status_code == 200  # processed at once (huey immediate)
    after = record(app, acme, key)
    assert (after.status, after.message) == (SYNCED, "")
    assert int(after.sync_token) > int(state.sync_token)  # the payment moved it; the next update will not be stale

    change_in_quickbooks(intuit, "Bill", state.qbo_id, "update")  # a QuickBooks user edits the memo inBuild sent
    user_edit = [cloudevent(REALM_1, "Bill", state.qbo_id, operation="updated", event_id="user-edit")]
    assert post_signed(app.test_client(), user_edit).status_code == 200
    assert record(app, acme, key).message.startswith("Changed in QuickBooks")


def record(app, company_id: int, key: tuple[str, int]):
    with app.app_context():
        return get_sync_record(get_db(), company_id, REALM_1, *key)
