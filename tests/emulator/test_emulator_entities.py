"""QBO list entities over HTTP: create, read, sparse/full update, and the faults QBO gives."""
from __future__ import annotations

import pytest
import requests

from tests.emulator.entity_helpers import created, fault_of, post, query, rows, token_for
from tests.emulator.emulator_helpers import HARBOR, KEYSTONE

DUPLICATE_DETAIL = ("The name supplied already exists. : Another customer, vendor or employee is"
                    " already using this name. Please use a different name.")


def account_id(emulator, token: str, name: str) -> str:
    found = rows(emulator, token, f"select * from Account where Name = '{name}'", "Account")
    return found[0]["Id"]


def test_create_vendor_then_read_it_back(emulator, token):
    vendor = created(emulator, token, "Vendor", {
        "DisplayName": "Northwind Drywall", "CompanyName": "Northwind Drywall Inc.",
        "PrimaryEmailAddr": {"Address": "ap@northwind.example"}, "TaxIdentifier": "12-3456789",
        "AcctNum": "NW-77"})
    assert vendor["Id"].isdigit() and vendor["SyncToken"] == "0"
    assert vendor["Active"] is True and vendor["domain"] == "QBO"
    assert set(vendor["MetaData"]) == {"CreateTime", "LastUpdatedTime"}
    assert vendor["TaxIdentifier"] == "XXXXX6789"  # QBO never returns a full tax id
    response = emulator.api(f"vendor/{vendor['Id']}?minorversion=75", token)
    assert response.status_code == 200 and response.headers["intuit_tid"]
    assert response.json()["Vendor"] == vendor and response.json()["time"]


def test_sub_customers_get_level_and_fully_qualified_name(emulator, token):
    parent = created(emulator, token, "Customer", {"DisplayName": "Acme Towers"})
    job = created(emulator, token, "Customer", {"DisplayName": "Phase 1", "Job": True,
                                                "ParentRef": {"value": parent["Id"]}})
    task = created(emulator, token, "Customer", {"DisplayName": "Phase 1 Garage", "IsProject": True,
                                                 "ParentRef": {"value": job["Id"]}})
    assert (parent["Level"], parent["FullyQualifiedName"]) == (0, "Acme Towers")
    assert parent["Job"] is False
    assert (job["Level"], job["FullyQualifiedName"], job["Job"]) == (1, "Acme Towers:Phase 1", True)
    assert job["ParentRef"] == {"value": parent["Id"], "name": "Acme Towers"}
    assert task["Level"] == 2 and task["IsProject"] is True
    assert task["FullyQualifiedName"] == "Acme Towers:Phase 1:Phase 1 Garage"


def test_renaming_a_parent_renames_its_jobs(emulator, token):
    parent = created(emulator, token, "Customer", {"DisplayName": "Old Name"})
    job = created(emulator, token, "Customer", {"DisplayName": "Annex",
                                                "ParentRef": {"value": parent["Id"]}})
    response = post(emulator, token, "customer", {"Id": parent["Id"], "SyncToken": "0",
                                                  "sparse": True, "DisplayName": "New Name"})
    assert response.json()["Customer"]["FullyQualifiedName"] == "New Name"
    job = emulator.api(f"customer/{job['Id']}", token).json()["Customer"]
    assert job["FullyQualifiedName"] == "New Name:Annex" and job["ParentRef"]["name"] == "New Name"


def test_service_item_with_account_refs(emulator, token):
    income, expense = (account_id(emulator, token, name) for name in ("Services", "Labor"))
    item = created(emulator, token, "Item", {
        "Name": "Punch List", "Sku": "01-700", "Type": "Service",
        "IncomeAccountRef": {"value": income}, "ExpenseAccountRef": {"value": expense}})
    assert item["IncomeAccountRef"] == {"value": income, "name": "Services"}
    assert item["ExpenseAccountRef"]["name"] == "Labor"
    assert item["FullyQualifiedName"] == "Punch List" and item["TrackQtyOnHand"] is False


def test_account_and_class_creation(emulator, token):
    account = created(emulator, token, "Account", {"Name": "Temporary Facilities",
                                                   "AccountType": "Cost of Goods Sold",
                                                   "AcctNum": "5600"})
    assert account["Classification"] == "Expense" and account["AccountSubType"]
    assert account["FullyQualifiedName"] == "Temporary Facilities"
    klass = created(emulator, token, "Class", {"Name": "Healthcare"})
    assert klass["SubClass"] is False and klass["Active"] is True


@pytest.mark.parametrize("resource, body", [
    ("vendor", {"DisplayName": "Drexel University"}),  # a customer already has it
    ("customer", {"DisplayName": "ace electrical contractors "}),  # case and spaces ignored
    ("vendor", {"DisplayName": "Wissahickon Landscaping"}),  # inactive vendors keep their name
    ("item", {"Name": "Concrete", "Type": "Service", "IncomeAccountRef": {"value": "5"}}),
    ("account", {"Name": "Job Materials", "AccountType": "Cost of Goods Sold"}),
    ("class", {"Name": "Residential"}),
])
def test_duplicate_names_are_6240(emulator, token, resource, body):
    error = fault_of(post(emulator, token, resource, body))
    assert error["code"] == "6240" and error["Message"] == "Duplicate Name Exists Error"
    assert error["Detail"].startswith("The name supplied already exists. : Another")
    if resource in ("vendor", "customer"):
        assert error["Detail"] == DUPLICATE_DETAIL


def test_display_name_is_built_from_name_parts(emulator, token):
    vendor = created(emulator, token, "Vendor", {"GivenName": "Rosa", "FamilyName": "Diaz"})
    assert vendor["DisplayName"] == "Rosa Diaz"


@pytest.mark.parametrize("resource, body, element", [
    ("vendor", {"CompanyName": "No Display Name LLC"}, "DisplayName"),
    ("item", {"Type": "Service", "IncomeAccountRef": {"value": "5"}}, "Name"),
    ("item", {"Name": "Untyped"}, "Type"),
    ("item", {"Name": "Unbooked", "Type": "Service"}, "IncomeAccountRef"),
    ("account", {"Name": "Typeless"}, "AccountType"),
    ("class", {}, "Name"),
])
def test_required_fields_are_2020(emulator, token, resource, body, element):
    error = fault_of(post(emulator, token, resource, body))
    assert error["code"] == "2020" and error["element"] == element
    assert error["Message"].startswith("Required param missing")


@pytest.mark.parametrize("resource, body, element", [
    ("item", {"Name": "Ghost", "Type": "Service", "IncomeAccountRef": {"value": "9999"}},
     "IncomeAccountRef"),
    ("item", {"Name": "Stale", "Type": "Service", "ExpenseAccountRef": {"value": "17"}},
     "ExpenseAccountRef"),  # 17 is the inactive "Bonding Costs"
    ("customer", {"DisplayName": "Orphan Job", "ParentRef": {"value": "4242"}}, "ParentRef"),
])
def test_unknown_or_inactive_references_are_2500(emulator, token, resource, body, element):
    error = fault_of(post(emulator, token, resource, body))
    assert (error["code"], error["Message"], error["element"]) == ("2500", "Invalid Reference Id",
                                                                  element)


@pytest.mark.parametrize("resource, body", [
    ("vendor", {"DisplayName": "Smith: Plumbing"}),
    ("item", {"Name": "Walls:Paint", "Type": "Service", "IncomeAccountRef": {"value": "5"}}),
])
def test_colons_in_names_are_6000(emulator, token, resource, body):
    assert fault_of(post(emulator, token, resource, body))["code"] == "6000"


def test_bad_item_type_is_invalid_enumeration(emulator, token):
    body = {"Name": "Bundle", "Type": "Gizmo", "IncomeAccountRef": {"value": "5"}}
    assert fault_of(post(emulator, token, "item", body))["code"] == "2170"


def test_duplicate_account_number_is_6000(emulator, token):
    body = {"Name": "Another Checking", "AccountType": "Bank", "AcctNum": "1000"}
    assert fault_of(post(emulator, token, "account", body))["code"] == "6000"


@pytest.mark.parametrize("path", ["vendor/99999", "customer/34", "item/abc", "class/1"])
def test_read_of_unknown_id_is_610(emulator, token, path):
    error = fault_of(emulator.api(path, token))
    assert error["code"] == "610" and error["Message"] == "Object Not Found"


def test_sparse_update_makes_a_vendor_inactive(emulator, token):
    vendor = created(emulator, token, "Vendor", {"DisplayName": "Short Lived Co",
                                                 "PrimaryEmailAddr": {"Address": "a@b.example"}})
    response = post(emulator, token, "vendor", {"Id": vendor["Id"], "SyncToken": "0",
                                                "sparse": True, "Active": False})
    updated = response.json()["Vendor"]
    assert updated["Active"] is False and updated["SyncToken"] == "1"
    assert updated["PrimaryEmailAddr"] == {"Address": "a@b.example"}  # sparse keeps the rest
    assert updated["MetaData"]["CreateTime"] == vendor["MetaData"]["CreateTime"]
    active = rows(emulator, token, "select * from Vendor where DisplayName = 'Short Lived Co'",
                  "Vendor")
    assert active == []


def test_full_update_clears_omitted_fields(emulator, token):
    vendor = created(emulator, token, "Vendor", {"DisplayName": "Full Update Co",
                                                 "PrimaryEmailAddr": {"Address": "a@b.example"}})
    response = post(emulator, token, "vendor", {"Id": vendor["Id"], "SyncToken": "0",
                                                "DisplayName": "Full Update Co"})
    assert "PrimaryEmailAddr" not in response.json()["Vendor"]


def test_stale_sync_token_is_5010(emulator, token):
    vendor = created(emulator, token, "Vendor", {"DisplayName": "Racing Co"})
    first = {"Id": vendor["Id"], "SyncToken": "0", "sparse": True, "CompanyName": "First"}
    assert post(emulator, token, "vendor", first).status_code == 200
    error = fault_of(post(emulator, token, "vendor", {**first, "CompanyName": "Second"}))
    assert error["code"] == "5010" and error["Message"] == "Stale Object Error"


@pytest.mark.parametrize("body, code", [
    ({"Id": "99999", "SyncToken": "0", "sparse": True, "Active": False}, "610"),
    ({"Id": "34", "sparse": True, "Active": False}, "2020"),
])
def test_bad_updates(emulator, token, body, code):
    assert fault_of(post(emulator, token, "vendor", body))["code"] == code


def test_requestid_replays_the_first_response(emulator, token):
    body = {"DisplayName": "Idempotent Builders"}
    first = post(emulator, token, "vendor", body, requestid="req-1")
    again = post(emulator, token, "vendor", {"DisplayName": "Something Else"}, requestid="req-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert query(emulator, token, "select count(*) from Vendor where DisplayName LIKE"
                                  " 'Idempotent%'")["totalCount"] == 1
    assert query(emulator, token, "select count(*) from Vendor where DisplayName ="
                                  " 'Something Else'")["totalCount"] == 0


def test_requestid_replays_faults_and_is_per_company(emulator, token):
    duplicate = {"DisplayName": "Home Depot Pro"}
    first = post(emulator, token, "vendor", duplicate, requestid="req-2")
    assert fault_of(first)["code"] == "6240"
    assert post(emulator, token, "vendor", duplicate, requestid="req-2").text == first.text
    harbor = token_for(emulator, HARBOR)
    other = post(emulator, harbor, "vendor", {"DisplayName": "Harbor Only Co"}, HARBOR,
                 requestid="req-2")
    assert other.status_code == 200


def test_reset_forgets_request_ids(emulator, token):
    first = post(emulator, token, "class", {"Name": "Before Reset"}, requestid="req-4")
    assert emulator.control("POST", "api/reset").status_code == 200
    token = token_for(emulator)
    again = post(emulator, token, "class", {"Name": "After Reset"}, requestid="req-4")
    assert again.json()["Class"]["Name"] == "After Reset" != first.json()["Class"]["Name"]


def test_a_retry_after_a_lost_response_does_not_create_twice(emulator, token):
    emulator.control("POST", "api/faults", json={"kind": "drop_after_commit", "endpoint": "api",
                                                 "seconds": 1})
    body = {"DisplayName": "Lost Response Ltd"}
    with pytest.raises(requests.Timeout):
        post(emulator, token, "vendor", body, requestid="req-3", timeout=0.3)
    retried = post(emulator, token, "vendor", body, requestid="req-3")
    assert retried.status_code == 200
    assert query(emulator, token, "select count(*) from Vendor where DisplayName ="
                                  " 'Lost Response Ltd'")["totalCount"] == 1


@pytest.mark.parametrize("kind, status", [("503", 503), ("429", 429), ("500", 500)])
def test_fault_plan_applies_to_writes(emulator, token, kind, status):
    emulator.control("POST", "api/faults", json={"kind": kind, "endpoint": "api"})
    response = post(emulator, token, "class", {"Name": "Planned Failure"})
    assert response.status_code == status and response.headers["intuit_tid"]
    assert rows(emulator, token, "select * from Class where Name = 'Planned Failure'",
                "Class") == []
    assert emulator.calls()[-2]["fault"] == kind


@pytest.mark.parametrize("method, path", [("POST", "vendor?operation=delete"),
                                          ("POST", "companyinfo"), ("POST", "batch")])
def test_other_writes_are_unsupported(emulator, token, method, path):
    response = emulator.api(path, token, method=method, json={"Id": "34", "SyncToken": "0"})
    assert fault_of(response)["code"] == "500"


def test_writes_need_a_valid_token(emulator, token):
    emulator.control("POST", f"api/realms/{KEYSTONE}/expire-access-token")
    response = post(emulator, token, "vendor", {"DisplayName": "Too Late Co"})
    assert response.status_code == 401 and response.json()["fault"]["error"][0]["code"] == "3200"
