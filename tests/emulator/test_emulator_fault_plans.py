"""Fault plans on bills, invoices and batches: lost answers, slow calls, 429 storms, revokes."""
from __future__ import annotations

import time

import pytest
import requests

from tests.emulator.emulator_helpers import HARBOR, KEYSTONE
from tests.emulator.entity_helpers import post, token_for
from tests.emulator.transaction_helpers import Books, account_line, batch, bill_body, plan_fault, stored

INVALID_GRANT = {"error_description": "Token invalid", "error": "invalid_grant"}


def fuel_bill(seeded: Books, number: str = "FUEL-1") -> dict:
    return bill_body(seeded.id("Vendor", "Home Depot Pro"),
                     account_line(seeded.id("Account", "Vehicle Expenses"), 92.4), DocNumber=number)


def wait_for_count(emulator, entity: str, count: int, within: float = 3.0) -> None:
    deadline = time.monotonic() + within
    while stored(emulator, entity)["count"] != count:
        assert time.monotonic() < deadline, f"{entity} count never reached {count}"
        time.sleep(0.05)


def test_a_lost_create_answer_is_replayed_by_requestid(emulator, token, seeded):
    plan_fault(emulator, kind="drop_after_commit", resource="bill", seconds=1)
    with pytest.raises(requests.Timeout):
        post(emulator, token, "bill", fuel_bill(seeded), requestid="lost-1", timeout=0.3)
    assert stored(emulator, "Bill")["count"] == 1  # committed before the answer was lost
    retried = post(emulator, token, "bill", fuel_bill(seeded), requestid="lost-1")
    assert retried.status_code == 200
    assert retried.json()["Bill"]["Id"] == stored(emulator, "Bill")["entities"][0]["Id"]
    assert stored(emulator, "Bill")["count"] == 1


def test_a_dropped_connection_after_commit(emulator, token, seeded):
    plan_fault(emulator, kind="reset_after_commit", resource="bill")
    started = time.monotonic()
    with pytest.raises(requests.ConnectionError):
        post(emulator, token, "bill", fuel_bill(seeded), requestid="reset-1")
    assert time.monotonic() - started < 2  # no answer at all, rather than a late one
    retried = post(emulator, token, "bill", fuel_bill(seeded), requestid="reset-1")
    assert retried.status_code == 200 and stored(emulator, "Bill")["count"] == 1
    call = [c for c in emulator.calls() if c["fault"] == "reset_after_commit"][0]
    assert call["status"] == 200


def test_a_lost_batch_answer_is_replayed_by_requestid(emulator, token, seeded):
    plan_fault(emulator, kind="drop_after_commit", resource="batch", seconds=1)
    items = [{"bId": "1", "operation": "create", "Bill": fuel_bill(seeded, "B-1")},
             {"bId": "2", "operation": "create", "Bill": fuel_bill(seeded, "B-2")}]
    with pytest.raises(requests.Timeout):
        batch(emulator, token, items, requestid="lost-batch", timeout=0.3)
    retried = batch(emulator, token, items, requestid="lost-batch")
    assert [item["Bill"]["DocNumber"] for item in retried.json()["BatchItemResponse"]] == [
        "B-1", "B-2"]
    assert stored(emulator, "Bill")["count"] == 2


def test_a_slow_call_answers_late_but_does_the_work(emulator, token, seeded):
    plan_fault(emulator, kind="slow", resource="bill", seconds=0.4, count=2)
    started = time.monotonic()
    assert post(emulator, token, "bill", fuel_bill(seeded, "S-1")).status_code == 200
    assert time.monotonic() - started >= 0.4
    with pytest.raises(requests.Timeout):  # a client that gives up early...
        post(emulator, token, "bill", fuel_bill(seeded, "S-2"), timeout=0.1)
    wait_for_count(emulator, "Bill", 2)  # ...still gets its bill created, as with Intuit


def test_a_429_storm_then_calm(emulator, token, seeded):
    plan_fault(emulator, kind="429", endpoint="api", count=3)
    statuses = [post(emulator, token, "bill", fuel_bill(seeded)).status_code for _ in range(4)]
    assert statuses == [429, 429, 429, 200]
    assert stored(emulator, "Bill")["count"] == 1


def test_a_429_storm_in_xml(emulator, token):
    plan_fault(emulator, kind="429_xml", count=1)
    response = emulator.api(f"companyinfo/{KEYSTONE}", token)
    assert response.status_code == 429 and "<Error code=\"3001\">" in response.text


def test_revoke_after_n_calls(emulator, seeded):
    tokens = emulator.connect()
    harbor = emulator.connect(realm_id=HARBOR)
    plan_fault(emulator, kind="revoke_after", count=2, realm_id=KEYSTONE)
    assert emulator.api(f"companyinfo/{HARBOR}", harbor["access_token"],
                        realm_id=HARBOR).status_code == 200  # other realms do not count
    access = tokens["access_token"]
    assert post(emulator, access, "bill", fuel_bill(seeded)).status_code == 200
    assert emulator.api(f"companyinfo/{KEYSTONE}", access).status_code == 200
    response = post(emulator, access, "bill", fuel_bill(seeded, "FUEL-2"))
    assert response.status_code == 401
    assert response.json()["fault"]["error"][0]["detail"].startswith("Token revoked")
    assert emulator.refresh(tokens["refresh_token"]).json() == INVALID_GRANT
    assert emulator.grants(KEYSTONE)[0]["revoked_reason"] == "disconnected in QuickBooks"
    assert emulator.api(f"companyinfo/{HARBOR}", harbor["access_token"],
                        realm_id=HARBOR).status_code == 200
    assert stored(emulator, "Bill")["count"] == 1


def test_faults_can_target_one_resource(emulator, token, seeded):
    plan_fault(emulator, kind="500", resource="invoice")
    assert post(emulator, token, "bill", fuel_bill(seeded)).status_code == 200
    assert emulator.api("query", token, params={"query": "select * from Bill"}).status_code == 200
    planned = emulator.control("GET", "api/faults").json()
    assert planned[0]["resource"] == "invoice" and planned[0]["endpoint"] == "api"
    assert planned[0]["count"] == 1 and planned[0]["realm_id"] is None


@pytest.mark.parametrize("body", [
    {"kind": "slow", "resource": "estimate"},
    {"kind": "revoke_after", "endpoint": "token"},
    {"kind": "500", "endpoint": "userinfo", "resource": "bill"},
    {"kind": "slow", "seconds": 601},
])
def test_bad_fault_plans_are_refused(emulator, body):
    response = emulator.control("POST", "api/faults", json=body)
    assert response.status_code == 400 and response.json()["error"]


def test_the_control_page_offers_the_new_fault_kinds(emulator):
    page = requests.get(f"{emulator.url}/_emulator/").text
    for kind in ("slow", "reset_after_commit", "revoke_after", "429_xml"):
        assert f"<option>{kind}</option>" in page
    response = emulator.http.post(f"{emulator.url}/_emulator/api/faults",
                                  data={"kind": "slow", "endpoint": "any", "resource": "bill",
                                        "realm_id": "", "count": "2", "seconds": "0.5"})
    assert response.status_code == 200
    planned = emulator.control("GET", "api/faults").json()
    assert (planned[0]["kind"], planned[0]["endpoint"], planned[0]["resource"]) == (
        "slow", "api", "bill")


def test_other_realms_are_untouched_by_a_realm_fault(emulator, seeded):
    harbor_token = token_for(emulator, HARBOR)
    plan_fault(emulator, kind="503", realm_id=KEYSTONE)
    assert emulator.api(f"companyinfo/{HARBOR}", harbor_token, realm_id=HARBOR).status_code == 200
    assert emulator.control("GET", "api/faults").json()[0]["count"] == 1
