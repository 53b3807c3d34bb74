"""QboClient against the emulator: paging, reads, idempotent creates, faults, tokens, retries."""
from __future__ import annotations

import logging

import pytest

from qbo.accounts import store as accounts
from qbo.connection.access_tokens import qbo_client
from qbo.connection.store import get_connection
from qbo.intuit import api_client as qbo_api
from qbo.intuit.api_client import quoted
from qbo.intuit.errors import ConnectionUnusable, IntuitUnavailable, RefreshRejected
from qbo.intuit.faults import QboDuplicateName, QboFault, QboNotFound, fault_from
from qbo.storage.db import get_db
from tests.conftest import ALEX, REALM_1


def acme_id(db) -> int:
    return accounts.find_company_by_name(db, "Acme Construction").id


@pytest.fixture
def qbo(app, admin):
    """A QboClient for Acme, connected to Keystone (realm 1), inside an app context."""
    admin.connect(ALEX, REALM_1)
    with app.app_context():
        yield qbo_client(get_db(), acme_id(get_db()))


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Backoff waits, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(qbo_api, "sleep", waits.append)
    return waits


def api_calls(intuit) -> list[dict]:
    return intuit.calls("api")


def test_query_pages_until_a_short_page(qbo, intuit):
    intuit.post("calls/clear")
    vendors = qbo.query_all("Vendor", page_size=5)
    assert len(vendors) == len({v["Id"] for v in vendors}) == 17
    assert len(api_calls(intuit)) == 4  # 5 + 5 + 5 + 2
    everything = qbo.query_all("Vendor", where="Active IN (true, false)", order_by="DisplayName")
    assert len(everything) == 18 and everything[0]["DisplayName"] == "ABC Concrete Co."


def test_count_and_generator(qbo):
    assert qbo.count("Vendor") == 17 and qbo.count("Vendor", "Active = false") == 1
    first = next(qbo.query("Customer", where="Job = true", order_by="Id"))
    assert first["Level"] == 1


def test_names_with_quotes(qbo):
    vendor = qbo.find_by_name("Vendor", "O'Brien Masonry")
    assert vendor["DisplayName"] == "O'Brien Masonry"
    assert qbo.query_all("Vendor", where=f"DisplayName = {quoted(vendor['DisplayName'])}") == [vendor]
    assert qbo.find_by_name("Vendor", "Nobody's Business") is None
    assert qbo.find_by_name("Account", "Job Materials")["AccountType"] == "Cost of Goods Sold"


def test_read_and_not_found(qbo):
    vendor = qbo.find_by_name("Vendor", "Sunbelt Rentals")
    assert qbo.read("Vendor", vendor["Id"]) == vendor
    with pytest.raises(QboNotFound) as failure:
        qbo.read("Vendor", "99999")
    assert failure.value.code == "610" and failure.value.status == 400
    assert failure.value.intuit_tid and failure.value.message == "Object Not Found"


def test_create_with_a_request_id_is_replayed_not_repeated(qbo):
    first = qbo.create("Vendor", {"DisplayName": "Replay Roofing"}, request_id="rq-1")
    again = qbo.create("Vendor", {"DisplayName": "Replay Roofing"}, request_id="rq-1")
    assert again == first and first["SyncToken"] == "0"
    assert qbo.count("Vendor", "DisplayName = 'Replay Roofing'") == 1
    with pytest.raises(QboDuplicateName) as failure:  # a fresh requestid: really a second create
        qbo.create("Vendor", {"DisplayName": "Replay Roofing"})
    assert failure.value.code == "6240" and isinstance(failure.value, QboFault)


def test_create_or_link(qbo):
    created, was_created = qbo.create_or_link("Vendor", {"DisplayName": "Linkable Lumber"})
    linked, was_created_again = qbo.create_or_link("Vendor", {"DisplayName": "Linkable Lumber"})
    assert (was_created, was_created_again) == (True, False) and linked["Id"] == created["Id"]
    # QBO's duplicate check ignores case; a customer of that name is a duplicate of a vendor.
    other, made = qbo.create_or_link("Vendor", {"DisplayName": "o'brien masonry"})
    assert not made and other["DisplayName"] == "O'Brien Masonry"
    inactive, made = qbo.create_or_link("Vendor", {"DisplayName": "Wissahickon Landscaping"})
    assert not made and inactive["Active"] is False
    klass, made = qbo.create_or_link("Class", {"Name": "Residential"})
    assert not made and klass["Name"] == "Residential"


def test_other_faults_are_not_linked(qbo):
    with pytest.raises(QboFault) as failure:
        qbo.create_or_link("Item", {"Name": "No Accounts", "Type": "Service"})
    assert failure.value.code == "2020" and "IncomeAccountRef" in failure.value.detail


def test_expired_access_token_is_refreshed_transparently(qbo, intuit):
    version = get_connection(get_db(), acme_id(get_db())).token_version
    intuit.expire_access_token(REALM_1)
    assert qbo.count("Class") == 4
    assert get_connection(get_db(), acme_id(get_db())).token_version == version + 1
    assert [call["status"] for call in api_calls(intuit)][-2:] == [401, 200]


def test_disconnect_inside_quickbooks_surfaces_as_rejected(qbo, intuit):
    intuit.disconnect_realm(REALM_1)
    with pytest.raises(RefreshRejected):
        qbo.count("Vendor")
    assert get_connection(get_db(), acme_id(get_db())).state.value == "disconnected"  # the grant had time left
    with pytest.raises(ConnectionUnusable):
        qbo.count("Vendor")


@pytest.mark.parametrize("kind", ["429", "503"])
def test_throttling_and_unavailability_are_retried(qbo, intuit, sleeps, kind):
    intuit.fail_next(kind, endpoint="api", count=2)
    assert qbo.count("Vendor") == 17
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] > 0
    assert [call["status"] for call in api_calls(intuit)][-3:] == [int(kind), int(kind), 200]


def test_retry_after_is_honoured(qbo, intuit, sleeps):
    intuit.post("faults", {"kind": "503", "endpoint": "api", "retry_after": 2})
    assert qbo.read("Vendor", qbo.find_by_name("Vendor", "Home Depot Pro")["Id"])
    assert sleeps == [2.0]


def test_retries_give_up(qbo, intuit, sleeps):
    intuit.fail_next("429", endpoint="api", count=10)
    with pytest.raises(IntuitUnavailable):
        qbo.count("Vendor")
    assert len(sleeps) == qbo_api.MAX_RETRIES


def test_retry_after_beyond_the_budget_fails_at_once(qbo, intuit, sleeps):
    intuit.post("faults", {"kind": "429", "endpoint": "api", "retry_after": 60})
    with pytest.raises(IntuitUnavailable):
        qbo.count("Vendor")
    assert sleeps == []


def test_persistent_server_error_is_unavailable(qbo, intuit, sleeps):
    intuit.fail_next("500", endpoint="api", count=5)
    with pytest.raises(IntuitUnavailable) as failure:
        qbo.query_all("Vendor")
    assert "500" in str(failure.value) and sleeps == []


def test_network_timeout_is_unavailable(qbo, intuit):
    intuit.fail_next("timeout", endpoint="api", seconds=3)  # longer than INTUIT_HTTP_TIMEOUT (2 s)
    with pytest.raises(IntuitUnavailable):
        qbo.count("Vendor")


def test_logs_carry_no_tokens_or_payloads(qbo, caplog):
    with caplog.at_level(logging.DEBUG, logger="qbo.intuit.api_client"):
        qbo.create("Vendor", {"DisplayName": "Quiet Carpentry",
                              "PrimaryEmailAddr": {"Address": "secret@quiet.example"}})
    assert "Vendor" in caplog.text and "intuit_tid=" in caplog.text
    assert "Quiet Carpentry" not in caplog.text and "quiet.example" not in caplog.text
    assert "Bearer" not in caplog.text and "eyJ" not in caplog.text


def test_client_needs_a_connection(app):
    with app.app_context(), pytest.raises(ConnectionUnusable):
        qbo_client(get_db(), acme_id(get_db()))


@pytest.mark.parametrize("status, body, kind, code", [
    (400, {"Fault": {"Error": [{"Message": "Duplicate Name Exists Error", "Detail": "d",
                                "code": "6240"}], "type": "ValidationFault"}},
     QboDuplicateName, "6240"),
    (401, {"fault": {"error": [{"message": "message=AuthenticationFailed", "detail": "Token expired",
                                "code": "3200"}], "type": "AUTHENTICATION"}}, QboFault, "3200"),
    (200, {"Fault": {"Error": [{"Message": "Object Not Found", "code": "610"}]}}, QboNotFound, "610"),
])
def test_fault_shapes(status, body, kind, code):
    fault = fault_from(status, body, "tid-1")
    assert type(fault) is kind and fault.code == code and fault.intuit_tid == "tid-1"
    assert fault.message and fault.status == status


def test_bodies_without_a_fault():
    assert fault_from(200, {"QueryResponse": {}}, None) is None
    assert fault_from(200, ["not", "a", "dict"], None) is None
