"""A full Web Connector session against the live service: authenticate → send/receive loop → close."""
from __future__ import annotations

from collections import Counter

from qbo.desktop.link_store import connection_state, get_link
from qbo.desktop.simulator.web_connector import request_names
from qbo.mapping.reference_records import list_records
from qbo.storage.db import get_db
from qbo.sync.store import sync_records
from tests.desktop.conftest import company_id, configure, realm_of, seed_records


def test_first_update_reads_the_company_files_lists_for_the_wizard(app, desktop):
    log = desktop.update()
    ticket, company_file = log.authenticated
    assert ticket and company_file == ""  # first contact: whichever company file is open
    assert request_names(log) == ["AccountQueryRq", "VendorQueryRq", "CustomerQueryRq", "ItemQueryRq"]
    assert log.percents == [25, 50, 75, 100] and log.closed.startswith("OK")
    realm = realm_of(app)
    assert realm.startswith("qbd:")
    with app.app_context():
        db = get_db()
        vendors = list_records(db, company_id(app), realm, "Vendor")
        payable = list_records(db, company_id(app), realm, "Account", ("Accounts Payable",))
        link = get_link(db, company_id(app))
        assert connection_state(db, company_id(app)) == "connected"
    assert {v.name for v in vendors} >= {"ABC Concrete, Inc.", "Home Depot"}
    assert [a.name for a in payable] == ["Accounts Payable"]
    assert link.first_contact_at is not None and link.company_file_id is not None


def test_bills_and_invoices_arrive_once_with_their_ids(app, desktop):
    records = seed_records(app)
    desktop.update()
    configure(app, records, posting_style="item", invoices=True)
    log = desktop.update()
    assert log.authenticated[1] == desktop.quickbooks.company.path  # from now on, that company file
    assert Counter(request_names(log)) == {"BillAddRq": 2, "InvoiceAddRq": 1}
    assert log.percents[-1] == 100 and all(p < 100 for p in log.percents[:-1])
    bills = desktop.quickbooks.company.transactions["Bill"]
    assert sorted(b["RefNumber"] for b in bills) == ["B-100", "B-101"]
    assert all(f"[inBuild bill {company_id(app)}-" in b["Memo"] for b in bills)
    with app.app_context():
        states = sync_records(get_db(), company_id(app), realm_of(app))
    by_txn = {b["TxnID"]: b for b in bills}
    for bill_id in records.bills:
        state = states[("bill", bill_id)]
        assert state.status == "synced" and state.qbo_id in by_txn and state.sync_token == by_txn[state.qbo_id][
            "EditSequence"]
    assert states[("invoice", records.invoice)].status == "synced"
    assert ("bill", records.draft_bill) not in states
    # Nothing left: the Web Connector is told there is no work, and nothing is sent twice.
    assert desktop.update().authenticated == ["", "none"]
    assert len(desktop.quickbooks.company.transactions["Bill"]) == 2


def test_wrong_password_and_unknown_user_are_not_valid_users(app, desktop):
    assert desktop.web_connector(password="WRONG-PASS").update().authenticated == ["", "nvu"]
    desktop.username = "inbuild-nobody"
    assert desktop.update().authenticated == ["", "nvu"]
    with app.app_context():
        assert get_link(get_db(), company_id(app)).first_contact_at is None  # still waiting


def test_password_is_forgiving_about_case_and_dashes(desktop):
    typed = desktop.password.lower().replace("-", " ")
    assert desktop.web_connector(password=typed).update().authenticated[0]


def test_a_record_quickbooks_refuses_fails_alone_with_its_message(app, desktop):
    records = seed_records(app)
    desktop.update()
    configure(app, records)
    vendor = desktop.quickbooks.company.find_list_record("Vendor", full_name="ABC Concrete, Inc.")
    desktop.quickbooks.company.lists["Vendor"].remove(vendor)  # deleted in QuickBooks after it was mapped
    log = desktop.update()
    assert log.percents[-1] == 100 and log.last_error == ""
    with app.app_context():
        states = sync_records(get_db(), company_id(app), realm_of(app))
    failed = [states[("bill", b)] for b in records.bills]
    assert all(s.status == "failed" and "status 3140" in s.message and s.qbo_id is None for s in failed)
    assert desktop.quickbooks.company.transactions["Bill"] == []
