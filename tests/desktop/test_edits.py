"""Bills and invoices edited in inBuild after they reached the company file: BillMod/InvoiceMod over the stored
TxnID and EditSequence, and an EditSequence made stale in QuickBooks read again before the Mod is re-sent."""
from __future__ import annotations

from collections import Counter

from defusedxml import ElementTree

from qbo.desktop.simulator.web_connector import request_names
from qbo.records import catalog, document_writes
from qbo.records.documents import NewLine
from qbo.storage.db import get_db, immediate
from qbo.sync.store import sync_records
from tests.desktop.conftest import company_id, configure, realm_of, seed_records


def synced_first(app, desktop, **options):
    records = seed_records(app)
    desktop.update()
    configure(app, records, **options)
    desktop.update()
    return records


def edit_bill(app, records, bill_id: int, amount: int) -> None:
    with app.app_context():
        db = get_db()
        cost_type = catalog.list_cost_types(db, company_id(app))[0].id
        document_writes.replace_bill_lines(db, company_id(app), bill_id,
                                           [NewLine(1, records.cost_code, cost_type, "Footings, revised", amount)])


def states(app):
    with app.app_context():
        return sync_records(get_db(), company_id(app), realm_of(app))


def bill_txn(desktop, txn_id: str) -> dict:
    return next(t for t in desktop.quickbooks.company.transactions["Bill"] if t["TxnID"] == txn_id)


def test_an_edited_bill_is_sent_as_a_bill_mod_with_its_txn_id_and_edit_sequence(app, desktop):
    records = synced_first(app, desktop)
    bill_id = records.bills[0]
    before = states(app)[("bill", bill_id)]
    edit_bill(app, records, bill_id, 777_700)
    log = desktop.update()
    assert request_names(log) == ["BillModRq"]
    mod = ElementTree.fromstring(log.requests[0]).find("QBXMLMsgsRq/BillModRq/BillMod")
    assert mod.findtext("TxnID") == before.qbo_id and mod.findtext("EditSequence") == before.sync_token
    assert [line.findtext("TxnLineID") for line in mod.findall("ExpenseLineMod")] == ["-1"]
    assert mod.findtext("ClearItemLines") == "true"
    txn = bill_txn(desktop, before.qbo_id)
    after = states(app)[("bill", bill_id)]
    assert txn["Amount"] == "7777.00" and txn["Mods"] == "1"
    assert after.status == "synced" and after.qbo_id == before.qbo_id and after.sync_token == txn["EditSequence"]
    assert after.sync_token != before.sync_token
    assert len(desktop.quickbooks.company.transactions["Bill"]) == 2  # changed in place, never added again
    assert desktop.update().authenticated == ["", "none"]


def test_a_bill_changed_in_quickbooks_meanwhile_is_read_again_then_modified_once(app, desktop):
    records = synced_first(app, desktop)
    bill_id = records.bills[1]
    txn_id = states(app)[("bill", bill_id)].qbo_id
    bill_txn(desktop, txn_id)["EditSequence"] = "1799999999"  # someone edited it in QuickBooks Desktop
    edit_bill(app, records, bill_id, 5_000)
    log = desktop.update()
    assert request_names(log) == ["BillModRq", "BillQueryRq", "BillModRq"]
    state = states(app)[("bill", bill_id)]
    txn = bill_txn(desktop, txn_id)
    assert state.status == "synced" and state.sync_token == txn["EditSequence"] and txn["Mods"] == "1"
    assert txn["Amount"] == "50.00"


def test_an_edited_invoice_is_sent_as_an_invoice_mod(app, desktop):
    records = synced_first(app, desktop, posting_style="item", invoices=True)
    before = states(app)[("invoice", records.invoice)]
    with app.app_context():
        db = get_db()
        with immediate(db):
            db.execute("UPDATE invoice_lines SET amount_cents = amount_cents + 100 WHERE invoice_id = ?",
                       [records.invoice])
    log = desktop.update()
    assert Counter(request_names(log)) == {"InvoiceModRq": 1}
    mod = ElementTree.fromstring(log.requests[0]).find("QBXMLMsgsRq/InvoiceModRq/InvoiceMod")
    assert mod.findtext("TxnID") == before.qbo_id and mod.findtext("EditSequence") == before.sync_token
    assert states(app)[("invoice", records.invoice)].status == "synced"
    assert len(desktop.quickbooks.company.transactions["Invoice"]) == 1


def test_a_bill_deleted_in_quickbooks_fails_with_what_to_do(app, desktop):
    records = synced_first(app, desktop)
    bill_id = records.bills[0]
    txn_id = states(app)[("bill", bill_id)].qbo_id
    bills = desktop.quickbooks.company.transactions["Bill"]
    bills.remove(bill_txn(desktop, txn_id))
    edit_bill(app, records, bill_id, 1_000)
    desktop.update()
    state = states(app)[("bill", bill_id)]
    assert state.status == "failed" and "no longer in the company file" in state.message
    assert len(bills) == 1
