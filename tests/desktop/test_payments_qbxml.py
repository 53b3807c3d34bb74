"""Payments back from QuickBooks Desktop, in qbXML: the BillQuery/InvoiceQuery by TxnID we send, what a BillRet or
InvoiceRet says of its payment (and the doubtful answers that must say nothing), and the simulated company file's
answers (payments applied, IsPaid/OpenAmount/BalanceRemaining, LinkedTxn only when asked, 500 for an unknown TxnID)."""
from __future__ import annotations

from datetime import date
from xml.etree import ElementTree as ET

import pytest
from defusedxml import ElementTree

from qbo.desktop import qbxml_requests as rq
from qbo.desktop.payment_rets import read_payment
from qbo.desktop.qbxml import envelope, parse_responses
from qbo.desktop.simulator.company_file import CompanyFile
from qbo.desktop.simulator.quickbooks import QuickBooks
from qbo.sync.payments import PaymentState


def ret(tag: str, **fields) -> ET.Element:
    """A *Ret element; `links` is a list of (TxnType, TxnDate, Amount)."""
    element = ET.Element(tag)
    for name, value in fields.items():
        if name != "links":
            ET.SubElement(element, name).text = value
    for txn_type, txn_date, amount in fields.get("links", []):
        link = ET.SubElement(element, "LinkedTxn")
        for name, value in (("TxnID", "9-1"), ("TxnType", txn_type), ("TxnDate", txn_date),
                            ("LinkType", "AMTTYPE"), ("Amount", amount)):
            ET.SubElement(link, name).text = value
    return element


def bill(**fields) -> ET.Element:
    return ret("BillRet", **{"TxnID": "1A-1700000001", "EditSequence": "1700000001", "AmountDue": "1000.00",
                             "OpenAmount": "1000.00", "IsPaid": "false", **fields})


def test_the_query_asks_by_txn_id_without_lines_with_linked_txns_in_schema_order():
    request = ElementTree.fromstring(rq.payment_query("Bill", ["1A-1", "1B-2"]))
    assert request.tag == "BillQueryRq"
    assert [(c.tag, c.text) for c in request] == [("TxnID", "1A-1"), ("TxnID", "1B-2"),
                                                  ("IncludeLineItems", "false"), ("IncludeLinkedTxns", "true")]
    document = envelope(rq.payment_query("Invoice", ["7-7"]), "13.0", "4-9")
    sent = ElementTree.fromstring(document.split("?>", 2)[2]).find("QBXMLMsgsRq/InvoiceQueryRq")
    assert sent.get("requestID") == "4-9" and sent.findtext("TxnID") == "7-7"


def test_a_bill_paid_in_two_payments_is_paid_on_the_later_ones_date():
    read = read_payment("Bill", bill(OpenAmount="0.00", IsPaid="true", links=[
        ("BillPaymentCheck", "2026-11-02", "-400.00"), ("BillPaymentCreditCard", "2026-11-09", "-600.00"),
        ("ItemReceipt", "2026-12-01", "0.00")]))
    assert read.txn_id == "1A-1700000001" and read.edit_sequence == "1700000001"
    assert read.status.state is PaymentState.PAID and read.status.paid_on == date(2026, 11, 9)
    assert read.status.total_cents == 100_000 and read.status.balance_cents == 0


def test_a_partly_paid_bill_and_an_open_one():
    partly = read_payment("Bill", bill(OpenAmount="850.25", links=[("BillPaymentCheck", "2026-11-02", "-149.75")]))
    assert partly.status.state is PaymentState.PARTLY_PAID and partly.status.paid_cents == 14_975
    assert partly.status.paid_on is None
    assert read_payment("Bill", bill()).status.state is PaymentState.OPEN


def test_an_invoice_counts_its_sales_tax_and_received_payments_only():
    invoice = ret("InvoiceRet", TxnID="2-1", EditSequence="5", Subtotal="900.00", SalesTaxTotal="100.00",
                  AppliedAmount="-1000.00", BalanceRemaining="0.00", IsPaid="true",
                  links=[("ReceivePayment", "2026-10-30", "-700.00"), ("CreditMemo", "2026-11-20", "-300.00")])
    read = read_payment("Invoice", invoice)
    assert read.status.state is PaymentState.PAID and read.status.total_cents == 100_000
    assert read.status.paid_on == date(2026, 10, 30)
    untaxed = ret("InvoiceRet", TxnID="2-2", EditSequence="6", Subtotal="500.00", BalanceRemaining="125.00")
    assert read_payment("Invoice", untaxed).status.state is PaymentState.PARTLY_PAID


@pytest.mark.parametrize("element", [
    bill(OpenAmount=""), ret("BillRet", TxnID="1-1", EditSequence="1", AmountDue="10.00"),
    bill(AmountDue="lots"), bill(OpenAmount="NaN"), bill(AmountDue="1e999"), bill(AmountDue="Infinity"),
    bill(AmountDue="99999999999999999999.00"), bill(AmountDue="1" * 40),
    bill(IsPaid="true"), bill(OpenAmount="0.00", IsPaid="false"), bill(IsPaid="maybe"),
    bill(TxnID=""), bill(TxnID="x" * 101), bill(EditSequence=""), bill(EditSequence="17e5"),
    bill(EditSequence="١٢٣"), bill(EditSequence="9" * 41),
    ret("InvoiceRet", TxnID="1A-1700000001", EditSequence="1", AmountDue="10.00", OpenAmount="0.00"),
    ret("VendorRet", TxnID="1", EditSequence="1", AmountDue="1.00", OpenAmount="0.00"),
], ids=["no-open-amount", "missing", "words", "nan", "huge-exponent", "infinity", "too-large", "too-long",
        "paid-with-money-open", "unpaid-with-nothing-open", "is-paid-garbage", "no-txn-id", "long-txn-id",
        "no-edit-sequence", "edit-sequence-not-a-number", "edit-sequence-arabic-digits", "long-edit-sequence",
        "invoice-for-a-bill", "not-a-transaction"])
def test_a_doubtful_ret_says_nothing(element):
    assert read_payment("Bill", element) is None


def test_dates_that_are_not_dates_leave_the_paid_date_out():
    read = read_payment("Bill", bill(OpenAmount="0", IsPaid="true", links=[("BillPaymentCheck", "soon", "-1000")]))
    assert read.status.state is PaymentState.PAID and read.status.paid_on is None


# --- the simulated company file -----------------------------------------------------------------------------------

def company_with_a_bill() -> tuple[QuickBooks, dict]:
    company = CompanyFile("C:\\Test.qbw", "Test Co")
    txn = company.add_transaction("Bill", {"RefNumber": "B-1", "TxnDate": "2026-10-01", "Memo": "", "Amount": "500.00"})
    return QuickBooks(company), txn


def ask(quickbooks: QuickBooks, request: str):
    response, hresult, _ = quickbooks.answer(envelope(request, "13.0", "1-1"))
    assert hresult == ""
    return parse_responses(response)[0]


def test_the_simulator_pays_a_bill_partly_then_fully_and_reports_it():
    quickbooks, txn = company_with_a_bill()
    open_ = read_payment("Bill", ask(quickbooks, rq.payment_query("Bill", [txn["TxnID"]])).rets[0])
    assert open_.status.state is PaymentState.OPEN
    quickbooks.company.pay("Bill", txn, "200.00", "2026-11-01")
    answer = ask(quickbooks, rq.payment_query("Bill", [txn["TxnID"]]))
    assert answer.ok and answer.rets[0].findtext("OpenAmount") == "300.00"
    assert answer.rets[0].findtext("IsPaid") == "false"
    quickbooks.company.pay("Bill", txn, txn_date="2026-11-15")  # the rest
    paid = read_payment("Bill", ask(quickbooks, rq.payment_query("Bill", [txn["TxnID"]])).rets[0])
    assert paid.status.state is PaymentState.PAID and paid.status.paid_on == date(2026, 11, 15)
    assert paid.edit_sequence == txn["EditSequence"]


def test_linked_payments_come_only_when_asked_for():
    quickbooks, txn = company_with_a_bill()
    quickbooks.company.pay("Bill", txn)
    without = ask(quickbooks, rq.query_by_txn_id("Bill", txn["TxnID"])).rets[0]
    assert without.find("LinkedTxn") is None and without.findtext("IsPaid") == "true"
    with_links = ask(quickbooks, rq.payment_query("Bill", [txn["TxnID"]])).rets[0]
    assert with_links.find("LinkedTxn/TxnType").text == "BillPaymentCheck"


def test_an_unknown_txn_id_is_answered_500():
    quickbooks, txn = company_with_a_bill()
    answer = ask(quickbooks, rq.payment_query("Bill", [txn["TxnID"], "DEAD-1"]))
    assert answer.status_code == 500 and answer.severity == "Warn" and "DEAD-1" in answer.message
    assert answer.rets == ()
