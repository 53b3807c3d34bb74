"""python-quickbooks, unchanged but for its base URL, writes bills and invoices and batches them."""
from __future__ import annotations

from decimal import Decimal

import pytest
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from quickbooks import QuickBooks
from quickbooks.batch import batch_create
from quickbooks.exceptions import ObjectNotFoundException, QuickbooksException
from quickbooks.objects.account import Account
from quickbooks.objects.base import Ref
from quickbooks.objects.bill import Bill
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import (
    AccountBasedExpenseLine, AccountBasedExpenseLineDetail, ItemBasedExpenseLine,
    ItemBasedExpenseLineDetail, SalesItemLine, SalesItemLineDetail,
)
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.vendor import Vendor

from tests.emulator.emulator_helpers import (
    ALEX, CLIENT_ID, CLIENT_SECRET, KEYSTONE, REDIRECT_URI, query_of,
)
from tests.emulator.transaction_helpers import close_books, stored


@pytest.fixture
def qb(emulator, monkeypatch) -> QuickBooks:
    """python-quickbooks on an intuitlib session that went through the emulator's connect flow."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the emulator speaks plain http
    auth_client = AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI,
                             environment=f"{emulator.url}/.well-known/openid_configuration")
    page = emulator.http.get(auth_client.get_authorization_url([Scopes.ACCOUNTING]))
    callback = query_of(emulator.submit_sign_in(page, ALEX.email, ALEX.password,
                                                KEYSTONE).headers["Location"])
    auth_client.get_bearer_token(callback["code"], realm_id=callback["realmId"])
    client = QuickBooks(auth_client=auth_client, refresh_token=auth_client.refresh_token,
                        company_id=KEYSTONE, minorversion=75)
    client.api_url_v3 = f"{emulator.url}/v3"
    return client


def account_line(account: Account, amount: str, customer: Customer | None = None):
    line = AccountBasedExpenseLine()
    line.Amount = Decimal(amount)
    line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    line.AccountBasedExpenseLineDetail.AccountRef = account.to_ref()
    if customer is not None:
        line.AccountBasedExpenseLineDetail.CustomerRef = customer.to_ref()
        line.AccountBasedExpenseLineDetail.BillableStatus = "Billable"
    return line


def new_bill(qb: QuickBooks, number: str, vendor: str = "ABC Concrete Co.") -> Bill:
    bill = Bill()
    bill.VendorRef = Vendor.filter(DisplayName=vendor, qb=qb)[0].to_ref()
    bill.DocNumber = number
    bill.TxnDate = "2026-03-05"
    bill.Line = [account_line(Account.filter(Name="Job Materials", qb=qb)[0], "100.10")]
    return bill


def test_bill_create_read_query_update_delete(qb):
    bill = new_bill(qb, "LIB-1")
    job = Customer.filter(DisplayName="Rittenhouse Lobby Renovation", qb=qb)[0]
    bill.Line[0] = account_line(Account.filter(Name="Job Materials", qb=qb)[0], "100.10", job)
    item_line = ItemBasedExpenseLine()
    item_line.Amount = Decimal("370.00")
    item_line.ItemBasedExpenseLineDetail = ItemBasedExpenseLineDetail()
    item_line.ItemBasedExpenseLineDetail.ItemRef = Item.filter(Name="Concrete", qb=qb)[0].to_ref()
    item_line.ItemBasedExpenseLineDetail.Qty = 2
    item_line.ItemBasedExpenseLineDetail.UnitPrice = Decimal("185")
    bill.Line.append(item_line)
    saved = bill.save(qb=qb)
    assert saved.Id and saved.SyncToken == "0" and saved.TotalAmt == 470.1
    read = Bill.get(saved.Id, qb=qb)
    assert read.DocNumber == "LIB-1" and read.Balance == 470.1
    assert isinstance(read.Line[0], AccountBasedExpenseLine)
    assert read.Line[0].AccountBasedExpenseLineDetail.BillableStatus == "Billable"
    assert [b.Id for b in Bill.filter(DocNumber="LIB-1", qb=qb)] == [saved.Id]
    assert Bill.count(qb=qb) == 1
    read.PrivateNote = "approved by PM"
    updated = read.save(qb=qb)  # python-quickbooks sends a full update
    assert updated.SyncToken == "1" and updated.PrivateNote == "approved by PM"
    assert updated.delete(qb=qb)["Bill"]["status"] == "Deleted"
    with pytest.raises(ObjectNotFoundException):
        Bill.get(saved.Id, qb=qb)


def test_invoice_create_read_and_void(qb):
    invoice = Invoice()
    invoice.CustomerRef = Customer.filter(DisplayName="Drexel University", qb=qb)[0].to_ref()
    line = SalesItemLine()
    line.Amount = Decimal("2500.00")
    line.Description = "Progress billing #1"
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = Item.filter(Name="Framing", qb=qb)[0].to_ref()
    invoice.Line = [line]
    saved = invoice.save(qb=qb)
    assert saved.DocNumber == "1001" and saved.TotalAmt == 2500.0
    read = Invoice.get(saved.Id, qb=qb)
    assert read.Line[-1].DetailType == "SubTotalLineDetail"
    assert [i.Id for i in Invoice.filter(DocNumber="1001", qb=qb)] == [saved.Id]
    read.void(qb=qb)
    voided = Invoice.get(saved.Id, qb=qb)
    assert voided.TotalAmt == 0 and voided.PrivateNote == "Voided" and voided.SyncToken == "1"


def test_batch_create_reports_successes_and_faults(qb):
    good = [new_bill(qb, f"BATCH-{n}") for n in range(3)]
    bad = new_bill(qb, "BATCH-X")
    bad.VendorRef = Ref()
    bad.VendorRef.value = "9999"
    result = batch_create([*good, bad], qb=qb)
    assert sorted(bill.DocNumber for bill in result.successes) == ["BATCH-0", "BATCH-1",
                                                                   "BATCH-2"]
    assert len(result.faults) == 1
    assert result.faults[0].Error[0].code == "2500"
    assert result.faults[0].original_object is bad
    assert Bill.count(qb=qb) == 3


def test_request_id_makes_a_retried_save_safe(qb):
    first = new_bill(qb, "RID-1").save(qb=qb, request_id="python-quickbooks-1")
    again = new_bill(qb, "RID-1").save(qb=qb, request_id="python-quickbooks-1")
    assert again.Id == first.Id and Bill.count(qb=qb) == 1


def test_business_faults_reach_the_library(emulator, qb):
    new_bill(qb, "DUP-1").save(qb=qb)
    with pytest.raises(QuickbooksException) as duplicate:
        new_bill(qb, "DUP-1").save(qb=qb)
    assert duplicate.value.error_code == 6140
    assert duplicate.value.message == "Duplicate Document Number Error"
    stale_vendor = new_bill(qb, "INACTIVE-1")
    stale_vendor.VendorRef = Vendor.where("Active = false", qb=qb)[0].to_ref()
    with pytest.raises(ObjectNotFoundException) as inactive:
        stale_vendor.save(qb=qb)
    assert inactive.value.error_code == 610
    close_books(emulator, "2026-03-31")
    with pytest.raises(QuickbooksException) as closed:
        new_bill(qb, "CLOSED-1").save(qb=qb)
    assert closed.value.error_code == 6210
    assert stored(emulator, "Bill")["count"] == 1
