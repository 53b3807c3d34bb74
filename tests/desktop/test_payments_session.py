"""Payments back through the Web Connector: after its adds and mods, a session reads the payments of the synced
bills and invoices (BillQuery/InvoiceQuery by TxnID), at most hourly and not again once paid; paid, partly paid and
open are stored with the EditSequence as the read token; unknown TxnIDs and hostile answers change nothing."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from qbo.desktop.credentials import secret_hash
from qbo.desktop.session_store import session_by_ticket
from qbo.desktop.simulator.quickbooks import QuickBooks
from qbo.desktop.simulator.web_connector import Faults, request_names
from qbo.records import catalog, document_writes
from qbo.records.documents import NewLine
from qbo.storage.db import get_db
from qbo.sync.payment_store import synced_documents
from tests.desktop.conftest import company_id, configure, realm_of, seed_records
from tests.desktop.payments_support import (
    all_stored,
    asked_txn_ids,
    make_payment_reads_due,
    stored,
    synced,
    txn_id,
)

PAID, PARTLY, OPEN = "paid", "partly_paid", "open"


def bill_txn(desktop, app, bill_id: int) -> dict:
    return desktop.quickbooks.company.find_transaction("Bill", txn_id=txn_id(app, "bill", bill_id))


def test_bills_and_invoices_added_are_open_at_once(app, desktop):
    records = synced(app, desktop)
    bills = stored(app, "bill")
    assert bills[records.bills[0]] == (OPEN, 112_501, 112_501, None)  # 1,000.01 + 125.00 of lines
    assert stored(app, "invoice")[records.invoice][0] == OPEN
    assert desktop.update().authenticated == ["", "none"]  # read within the hour: nothing to do


def test_paid_and_partly_paid_come_back_on_the_next_read(app, desktop):
    records = synced(app, desktop)
    company = desktop.quickbooks.company
    company.pay("Bill", bill_txn(desktop, app, records.bills[0]), "112.50", "2026-11-02")
    company.pay("Bill", bill_txn(desktop, app, records.bills[0]), txn_date="2026-11-16")  # the rest
    invoice = company.find_transaction("Invoice", txn_id=txn_id(app, "invoice", records.invoice))
    company.pay("Invoice", invoice, "1000.00", "2026-11-20")
    make_payment_reads_due(app)

    log = desktop.update()
    assert Counter(request_names(log)) == {"BillQueryRq": 1, "InvoiceQueryRq": 1}
    assert log.percents[-1] == 100 and log.closed.startswith("OK")
    assert sorted(asked_txn_ids(log.requests[0], "BillQueryRq")) == sorted(
        txn_id(app, "bill", bill_id) for bill_id in records.bills)
    bills = stored(app, "bill")
    assert bills[records.bills[0]] == (PAID, 112_501, 0, date(2026, 11, 16))
    assert bills[records.bills[1]] == (OPEN, 112_502, 112_502, None)
    assert stored(app, "invoice")[records.invoice] == (PARTLY, 262_500, 162_500, None)

    make_payment_reads_due(app)
    again = desktop.update()
    asked = [txn for request in again.requests for txn in asked_txn_ids(request, "BillQueryRq")]
    assert asked == [txn_id(app, "bill", records.bills[1])]  # the paid bill is not read again this week
    assert [txn for request in again.requests for txn in asked_txn_ids(request, "InvoiceQueryRq")] == [
        txn_id(app, "invoice", records.invoice)]


def test_a_txn_id_quickbooks_does_not_know_leaves_its_status_and_the_others_are_still_read(app, desktop):
    records = synced(app, desktop)
    company = desktop.quickbooks.company
    gone = bill_txn(desktop, app, records.bills[0])
    company.transactions["Bill"].remove(gone)  # deleted in QuickBooks Desktop
    company.pay("Bill", bill_txn(desktop, app, records.bills[1]), txn_date="2026-11-18")
    before = stored(app, "bill")[records.bills[0]]
    make_payment_reads_due(app)

    log = desktop.update()
    bill_queries = [asked_txn_ids(r, "BillQueryRq") for r in log.requests if asked_txn_ids(r, "BillQueryRq")]
    assert len(bill_queries) == 3 and len(bill_queries[0]) == 2  # the chunk (500), then each TxnID alone
    assert sorted(map(tuple, bill_queries[1:])) == sorted([(gone["TxnID"],), (txn_id(app, "bill", records.bills[1]),)])
    assert log.percents[-1] == 100 and log.last_error == ""
    bills = stored(app, "bill")
    assert bills[records.bills[0]] == before
    assert bills[records.bills[1]] == (PAID, 112_502, 0, date(2026, 11, 18))


def test_one_unknown_txn_id_among_many_is_found_by_halving_the_chunk(app, desktop):
    records = seed_records(app)
    with app.app_context():
        db, cid = get_db(), company_id(app)
        cost_type = catalog.list_cost_types(db, cid)[0].id
        for number in range(6):
            document_writes.insert_bill(db, cid, f"X-{number}", records.abc, records.project, date(2026, 10, 9), None,
                                        "approved", [NewLine(1, records.cost_code, cost_type, "Rebar", 10_000)])
    desktop.update()
    configure(app, records)
    desktop.update()
    bills = desktop.quickbooks.company.transactions["Bill"]
    assert len(bills) == 8
    gone = bills.pop(5)  # deleted in QuickBooks Desktop
    for txn in bills:
        desktop.quickbooks.company.pay("Bill", txn, txn_date="2026-11-25")
    make_payment_reads_due(app)

    log = desktop.update()
    sizes = [len(asked_txn_ids(r, "BillQueryRq")) for r in log.requests if asked_txn_ids(r, "BillQueryRq")]
    assert sizes == [8, 4, 4, 2, 2, 1, 1]  # 7 requests where asking each alone would take 9
    with app.app_context():
        by_txn = synced_documents(get_db(), company_id(app), realm_of(app), "bill")
    states = stored(app, "bill")
    assert {txn: states[record][0] for txn, record in by_txn.items()} == {
        **{txn["TxnID"]: PAID for txn in bills}, gone["TxnID"]: OPEN}


class HostileQuickBooks(QuickBooks):
    """Answers payment reads with `text(request)` instead of the truth; everything else as QuickBooks would."""

    def __init__(self, company, text):
        super().__init__(company)
        self.text = text

    def answer(self, request_text: str):
        if "IncludeLinkedTxns" not in request_text:
            return super().answer(request_text)
        request_id = request_text.split('requestID="', 1)[1].split('"', 1)[0]
        return self.text(request_id, super().answer(request_text)[0]), "", ""


def rs(request_id: str, inner: str, status: str = "0") -> str:
    return (f'<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><BillQueryRs requestID="{request_id}" statusCode="{status}" '
            f'statusSeverity="Info" statusMessage="x">{inner}</BillQueryRs></QBXMLMsgsRs></QBXML>')


def paid_ret(txn: str, edit_sequence: str = "1999999999", amount: str = "1125.01") -> str:
    return (f"<BillRet><TxnID>{txn}</TxnID><EditSequence>{edit_sequence}</EditSequence><AmountDue>{amount}</AmountDue>"
            f"<OpenAmount>0.00</OpenAmount><IsPaid>true</IsPaid></BillRet>")


HOSTILE = {
    "not-xml": lambda rid, real: "<QBXML><QBXMLMsgsRs><BillQueryRs",
    "doctype": lambda rid, real: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><QBXML>&e;</QBXML>',
    "empty": lambda rid, real: "",
    "other-request-id": lambda rid, real: real.replace(f'requestID="{rid}"', 'requestID="9-9"'),
    "error-status": lambda rid, real: rs(rid, "", "3000"),
    "error-status-with-rets": lambda rid, real: rs(rid, paid_ret("{bill}"), "1000"),
    "missing-elements": lambda rid, real: rs(rid, "<BillRet><TxnID>{bill}</TxnID><IsPaid>true</IsPaid></BillRet>"),
    "garbage-amounts": lambda rid, real: rs(rid, paid_ret("{bill}", amount="1e400")),
    "contradiction": lambda rid, real: rs(rid, paid_ret("{bill}").replace("0.00</Open", "5.00</Open")),
    "txn-not-asked": lambda rid, real: rs(rid, paid_ret("FFFF-1")),
    "an-invoice-instead": lambda rid, real: rs(rid, paid_ret("{bill}").replace("BillRet", "InvoiceRet")),
    "older-read": lambda rid, real: rs(rid, paid_ret("{bill}", edit_sequence="1")),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_or_unexpected_answers_change_no_status(app, desktop, name, reliability_figure):
    records = synced(app, desktop)
    bill = txn_id(app, "bill", records.bills[0])
    desktop.quickbooks = HostileQuickBooks(desktop.quickbooks.company,
                                           lambda rid, real: HOSTILE[name](rid, real).replace("{bill}", bill))
    before = all_stored(app)
    make_payment_reads_due(app)

    log = desktop.update()
    reliability_figure("hostile Desktop payment-read answers", answers=len(log.percents),
                       sessions_broken=int(not log.percents or log.percents[-1] != 100),
                       state_changes=int(all_stored(app) != before))
    assert all_stored(app) == before
    assert log.percents and log.percents[-1] == 100 and log.closed.startswith("OK")  # the session went on
    with app.app_context():
        steps = [dict(r) for r in get_db().query("SELECT purpose, status FROM qbd_steps WHERE purpose = "
                                                 "'payment_read'")]
    assert steps and all(step["status"] in ("failed", "done") for step in steps)


def test_an_unreadable_answer_is_recorded_for_get_last_error(app, desktop):
    records = synced(app, desktop)
    desktop.quickbooks = HostileQuickBooks(desktop.quickbooks.company, HOSTILE["not-xml"])
    make_payment_reads_due(app)
    log = desktop.update()
    assert log.percents[-1] == 100 and stored(app, "bill")[records.bills[0]][0] == OPEN
    with app.app_context():
        session = session_by_ticket(get_db(), secret_hash(log.authenticated[0]))
    assert session.state == "closed" and "could not be read" in session.last_error


def test_an_hresult_on_a_payment_read_ends_the_session_as_any_step_does_and_changes_nothing(app, desktop):
    records = synced(app, desktop)
    desktop.quickbooks.company.pay("Bill", bill_txn(desktop, app, records.bills[0]))
    before = all_stored(app)
    make_payment_reads_due(app)
    log = desktop.update(hresult_on_request=1, hresult="0x80040400")
    assert request_names(log)[:1] == ["BillQueryRq"] and log.percents == [-1]
    assert "QuickBooks could not read a request inBuild sent" in log.last_error
    assert all_stored(app) == before


def test_a_connection_error_reads_nothing(app, desktop):
    synced(app, desktop)
    before = all_stored(app)
    make_payment_reads_due(app)
    log = desktop.web_connector().update(Faults(connection_error="0x80040408"))
    assert log.connection_error == "done" and all_stored(app) == before
