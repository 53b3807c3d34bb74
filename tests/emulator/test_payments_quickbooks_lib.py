"""python-quickbooks, unchanged but for its base URL: BillPayment and Payment, and change_data_capture."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from quickbooks import QuickBooks
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import ObjectNotFoundException, QuickbooksException
from quickbooks.objects.account import Account
from quickbooks.objects.bill import Bill
from quickbooks.objects.billpayment import BillPayment, BillPaymentLine, CheckPayment
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.payment import Payment, PaymentLine
from quickbooks.objects.vendor import Vendor

from tests.emulator.test_emulator_quickbooks_lib_transactions import new_bill, qb  # noqa: F401 - qb is a fixture


def bill_payment(qb: QuickBooks, bill: Bill, amount: str) -> BillPayment:
    payment = BillPayment()
    payment.PayType = "Check"
    payment.VendorRef = bill.VendorRef
    payment.CheckPayment = CheckPayment()
    payment.CheckPayment.BankAccountRef = Account.filter(Name="Checking", qb=qb)[0].to_ref()
    payment.TotalAmt = Decimal(amount)
    line = BillPaymentLine()
    line.Amount = Decimal(amount)
    line.LinkedTxn.append(bill.to_linked_txn())
    payment.Line = [line]
    return payment


def new_invoice(qb: QuickBooks, amount: str) -> Invoice:
    invoice = Invoice()
    invoice.CustomerRef = Customer.filter(DisplayName="Drexel University", qb=qb)[0].to_ref()
    line = SalesItemLine()
    line.Amount = Decimal(amount)
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = Item.filter(Name="Framing", qb=qb)[0].to_ref()
    invoice.Line = [line]
    return invoice.save(qb=qb)


def received_payment(invoice: Invoice, amount: str) -> Payment:
    payment = Payment()
    payment.CustomerRef = invoice.CustomerRef
    payment.TotalAmt = Decimal(amount)
    line = PaymentLine()
    line.Amount = Decimal(amount)
    line.LinkedTxn.append(invoice.to_linked_txn())
    payment.Line = [line]
    return payment


def test_bill_payment_save_get_filter_and_delete(qb):
    bill = new_bill(qb, "PAY-1").save(qb=qb)
    saved = bill_payment(qb, bill, "40.10").save(qb=qb)
    assert saved.Id and saved.SyncToken == "0" and saved.TotalAmt == 40.1
    read = BillPayment.get(saved.Id, qb=qb)
    assert read.Line[0].LinkedTxn[0].TxnId == bill.Id and read.CheckPayment.BankAccountRef.name == "Checking"
    vendor = Vendor.filter(DisplayName="ABC Concrete Co.", qb=qb)[0]
    assert [p.Id for p in BillPayment.filter(VendorRef=vendor.Id, qb=qb)] == [saved.Id]
    partly = Bill.get(bill.Id, qb=qb)
    assert partly.Balance == 60 and partly.LinkedTxn[0].TxnId == saved.Id
    partly.PrivateNote = "part paid"
    resaved = partly.save(qb=qb)  # a full update that sends Balance and LinkedTxn back
    assert resaved.Balance == 60 and resaved.LinkedTxn[0].TxnType == "BillPayment"
    assert read.delete(qb=qb)["BillPayment"]["status"] == "Deleted"
    assert Bill.get(bill.Id, qb=qb).Balance == 100.1
    with pytest.raises(ObjectNotFoundException):
        BillPayment.get(saved.Id, qb=qb)


def test_payment_save_get_filter_delete_and_faults(qb):
    invoice = new_invoice(qb, "900.00")
    saved = received_payment(invoice, "900.00").save(qb=qb)
    read = Payment.get(saved.Id, qb=qb)
    assert read.UnappliedAmt == 0 and read.Line[0].LinkedTxn[0].TxnType == "Invoice"
    assert [p.Id for p in Payment.filter(CustomerRef=invoice.CustomerRef.value, qb=qb)] == [saved.Id]
    assert Invoice.get(invoice.Id, qb=qb).Balance == 0
    with pytest.raises(QuickbooksException) as too_much:
        received_payment(invoice, "1.00").save(qb=qb)
    assert too_much.value.error_code == 6000
    with pytest.raises(QuickbooksException) as paid:
        Invoice.get(invoice.Id, qb=qb).delete(qb=qb)
    assert paid.value.error_code == 6000 and "has payments applied" in paid.value.detail
    read.delete(qb=qb)
    assert Invoice.get(invoice.Id, qb=qb).Balance == 900


def test_change_data_capture_reads_changes_and_deletions(qb):
    since = datetime.now(timezone.utc) - timedelta(hours=1)
    bill = new_bill(qb, "CDC-1").save(qb=qb)
    paid = bill_payment(qb, bill, "100.10").save(qb=qb)
    invoice = new_invoice(qb, "50.00")
    removed = received_payment(invoice, "20.00").save(qb=qb)
    removed.delete(qb=qb)
    answer = change_data_capture([Bill, Invoice, BillPayment, Payment], since.isoformat(timespec="seconds"), qb=qb)
    assert [b.Id for b in answer.Bill] == [bill.Id] and answer.Bill[0].Balance == 0
    assert [p.Id for p in answer.BillPayment] == [paid.Id]
    assert [i.Id for i in answer.Invoice] == [invoice.Id]
    assert [(p.Id, p.status) for p in answer.Payment] == [(removed.Id, "Deleted")]
    # a datetime goes out without an offset (python-quickbooks' own format): read in Intuit's zone
    naive = change_data_capture([BillPayment], datetime.now() - timedelta(days=2), qb=qb)
    assert [p.Id for p in naive.BillPayment] == [paid.Id]
    with pytest.raises(QuickbooksException) as too_old:
        change_data_capture([Bill], datetime.now() - timedelta(days=31), qb=qb)
    assert str(too_old.value.error_code).startswith("4")
