"""python-quickbooks, unchanged but for its base URL, lists and writes vendors and customers."""
from __future__ import annotations

import pytest
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from quickbooks import QuickBooks
from quickbooks.exceptions import (
    ObjectNotFoundException, QuickbooksException, ValidationException,
)
from quickbooks.objects.base import EmailAddress, Ref
from quickbooks.objects.customer import Customer
from quickbooks.objects.vendor import Vendor

from tests.emulator.emulator_helpers import (
    ALEX, CLIENT_ID, CLIENT_SECRET, KEYSTONE, REDIRECT_URI, query_of,
)


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


def test_lists_and_counts_vendors(qb):
    vendors = Vendor.all(qb=qb)
    assert len(vendors) == Vendor.count(qb=qb) == 17
    assert Vendor.count("Active = false", qb=qb) == 1
    found = Vendor.filter(DisplayName="O'Brien Masonry", qb=qb)
    assert [vendor.DisplayName for vendor in found] == ["O'Brien Masonry"]
    assert found[0].PrimaryEmailAddr.Address == "ap@obrienmasonry.example"
    inactive = Vendor.filter(Active=False, qb=qb)
    assert [vendor.DisplayName for vendor in inactive] == ["Wissahickon Landscaping"]


def test_pages_customers(qb):
    first = Customer.all(order_by="DisplayName", max_results=5, qb=qb)
    second = Customer.all(order_by="DisplayName", start_position=6, max_results=5, qb=qb)
    assert len(first) == len(second) == 5
    assert not {c.Id for c in first} & {c.Id for c in second}
    jobs = Customer.where("Job = true", qb=qb)
    assert all(job.Level == 1 and job.ParentRef.value for job in jobs)


def test_creates_vendor_and_customer_and_reads_them_back(qb):
    vendor = Vendor()
    vendor.DisplayName = "Granite State Masonry"
    vendor.CompanyName = "Granite State Masonry LLC"
    vendor.PrimaryEmailAddr = EmailAddress()
    vendor.PrimaryEmailAddr.Address = "ap@granitestate.example"
    saved = vendor.save(qb=qb)
    assert saved.Id and saved.SyncToken == "0"
    again = Vendor.get(saved.Id, qb=qb)
    assert again.DisplayName == "Granite State Masonry"
    assert again.PrimaryEmailAddr.Address == "ap@granitestate.example"

    parent = Customer.filter(DisplayName="Drexel University", qb=qb)[0]
    job = Customer()
    job.DisplayName = "Drexel Dormitory Refresh"
    job.Job = True
    job.ParentRef = Ref()
    job.ParentRef.value = parent.Id
    saved_job = job.save(qb=qb)
    read_back = Customer.get(saved_job.Id, qb=qb)
    assert read_back.FullyQualifiedName == "Drexel University:Drexel Dormitory Refresh"
    assert read_back.Level == 1


def test_duplicate_name_and_missing_name_faults(qb):
    vendor = Vendor()
    vendor.DisplayName = "Drexel University"  # already a customer
    # handle_exceptions maps only 2000-4999 to ValidationException: 6240 comes as the base class.
    with pytest.raises(QuickbooksException) as failure:
        vendor.save(qb=qb)
    assert failure.value.error_code == 6240 and type(failure.value) is QuickbooksException
    assert failure.value.message == "Duplicate Name Exists Error"
    assert "already using this name" in failure.value.detail
    with pytest.raises(ValidationException) as failure:
        Vendor().save(qb=qb)  # no DisplayName and no name parts to build one from
    assert failure.value.error_code == 2020


def test_full_update_through_the_library(qb):
    vendor = Vendor.filter(DisplayName="Home Depot Pro", qb=qb)[0]
    vendor.Active = False
    updated = vendor.save(qb=qb)
    assert updated.Active is False and updated.SyncToken == "1"
    assert Vendor.filter(DisplayName="Home Depot Pro", qb=qb) == []
    with pytest.raises(ObjectNotFoundException):
        Vendor.get("99999", qb=qb)
