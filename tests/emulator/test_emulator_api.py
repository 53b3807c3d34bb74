"""The QBO v3 API: CompanyInfo read and query, and its auth failures."""
from __future__ import annotations

import pytest

from tests.emulator.emulator_helpers import HARBOR, KEYSTONE, SAM, SUMMIT

AUTH_FAILED = "message=AuthenticationFailed; errorCode=003200; statusCode=401"


@pytest.fixture
def access_token(emulator) -> str:
    return emulator.connect()["access_token"]


def test_read_company_info(emulator, access_token):
    response = emulator.api(f"companyinfo/{KEYSTONE}?minorversion=75", access_token)
    assert response.status_code == 200
    assert response.headers["intuit_tid"]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    info = body["CompanyInfo"]
    assert info["Id"] == KEYSTONE and info["SyncToken"] == "0"
    assert info["CompanyName"] == info["LegalName"] == "Keystone Builders LLC"
    assert info["Country"] == "USA" and info["CompanyAddr"]["Country"] == "USA"
    assert info["Email"]["Address"] == "books@keystonebuilders.example"
    assert info["domain"] == "QBO" and info["sparse"] is False
    assert set(info["MetaData"]) == {"CreateTime", "LastUpdatedTime"}
    assert body["time"]


def test_companies_are_distinct(emulator):
    token = emulator.connect(email=SAM.email, realm_id=SUMMIT)["access_token"]
    info = emulator.api(f"companyinfo/{SUMMIT}", token, realm_id=SUMMIT).json()["CompanyInfo"]
    assert info["CompanyName"] == "Summit Ridge Contractors"
    assert info["CompanyAddr"]["City"] == "Denver"


@pytest.mark.parametrize("minorversion", ["", "?minorversion=4", "?minorversion=75", "?minorversion=abc"])
def test_any_minorversion_is_accepted(emulator, access_token, minorversion):
    assert emulator.api(f"companyinfo/{KEYSTONE}{minorversion}", access_token).status_code == 200


def test_query_by_get(emulator, access_token):
    response = emulator.api("query", access_token, params={"query": "select * from CompanyInfo",
                                                           "minorversion": "75"})
    body = response.json()
    assert response.status_code == 200
    assert body["QueryResponse"]["startPosition"] == 1
    assert body["QueryResponse"]["maxResults"] == 1
    assert body["QueryResponse"]["CompanyInfo"][0]["Id"] == KEYSTONE
    assert body["time"]


def test_query_by_post_with_application_text(emulator, access_token):
    response = emulator.api("query", access_token, method="POST",
                            data="SELECT * FROM CompanyInfo MAXRESULTS 100",
                            headers={"Content-Type": "application/text"})
    assert response.json()["QueryResponse"]["CompanyInfo"][0]["CompanyName"] == "Keystone Builders LLC"


@pytest.mark.parametrize("query, expected", [
    ("select count(*) from CompanyInfo", {"totalCount": 1}),
    ("select * from CompanyInfo where CompanyName = 'Nope'", {}),
    ("select * from CompanyInfo where CompanyName LIKE 'Keystone%'", 1),
    ("select * from CompanyInfo where Id IN ('1', '9130350000000001')", 1),
    ("select * from CompanyInfo where MetaData.CreateTime > '2000-01-01'", 1),
    ("select * from CompanyInfo ORDERBY CompanyName DESC STARTPOSITION 2", {}),
])
def test_query_language(emulator, access_token, query, expected):
    result = emulator.api("query", access_token, params={"query": query}).json()["QueryResponse"]
    if isinstance(expected, int):
        assert len(result["CompanyInfo"]) == expected
    else:
        assert result == expected


@pytest.mark.parametrize("query, code", [
    ("select from CompanyInfo", "4000"),
    ("select * from CompanyInfo where", "4000"),
    ("select * from CompanyInfo where Name = 'a' OR Name = 'b'", "4000"),
    ("select * from Widget", "4001"),
])
def test_bad_queries_get_a_validation_fault(emulator, access_token, query, code):
    response = emulator.api("query", access_token, params={"query": query})
    assert response.status_code == 400
    error = response.json()["Fault"]["Error"][0]
    assert error["code"] == code and error["Detail"]


@pytest.mark.parametrize("method, path", [
    ("GET", "widget/1"), ("GET", "CompanyInfo/9130350000000001"), ("POST", "companyinfo/1"),
    ("GET", "reports/ProfitAndLoss"),
])
def test_unknown_paths_are_unsupported_operations(emulator, access_token, method, path):
    response = emulator.api(path, access_token, method=method)
    assert response.status_code == 400
    fault = response.json()["Fault"]
    assert fault["Error"][0]["code"] == "500"
    assert fault["Error"][0]["Message"] == "Unsupported Operation"


def test_missing_object_is_610(emulator, access_token):
    response = emulator.api("companyinfo/42", access_token)
    assert response.status_code == 400
    assert response.json()["Fault"]["Error"][0]["code"] == "610"


def assert_authentication_failed(response, detail_start: str, token: str) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="Intuit", error="invalid_token"'
    body = response.json()
    error = body["fault"]["error"][0]
    assert body["fault"]["type"] == "AUTHENTICATION"
    assert error["message"] == AUTH_FAILED and error["code"] == "3200"
    assert error["detail"].startswith(detail_start)
    assert token not in response.text and token[-20:] not in response.text
    assert isinstance(body["time"], int) and body["batchItemResponse"] == []


def test_expired_access_token_gets_the_lower_camel_401(emulator, access_token):
    emulator.control("POST", f"api/realms/{KEYSTONE}/expire-access-token")
    response = emulator.api(f"companyinfo/{KEYSTONE}", access_token)
    assert_authentication_failed(response, "Token expired", access_token)


def test_revoked_and_unknown_tokens_get_401(emulator, access_token):
    emulator.control("POST", f"api/realms/{KEYSTONE}/disconnect")
    assert_authentication_failed(emulator.api(f"companyinfo/{KEYSTONE}", access_token),
                                 "Token revoked", access_token)
    assert_authentication_failed(emulator.api(f"companyinfo/{KEYSTONE}", "junk"),
                                 "Malformed bearer token", "junk")


def test_missing_authorization_header_is_401(emulator):
    response = emulator.http.get(f"{emulator.url}/v3/company/{KEYSTONE}/companyinfo/{KEYSTONE}")
    assert response.status_code == 401 and response.json()["fault"]["error"][0]["code"] == "3200"


def test_token_for_another_realm_is_403(emulator, access_token):
    response = emulator.api(f"companyinfo/{HARBOR}", access_token, realm_id=HARBOR)
    assert response.status_code == 403
    error = response.json()["Fault"]["Error"][0]
    assert error["code"] == "3100"
    assert error["Message"] == "message=AuthorizationFailed; errorCode=003100; statusCode=403"
    assert response.json()["Fault"]["type"] == "SERVICE"


def test_openid_only_token_cannot_call_the_api(emulator):
    token = emulator.connect(scope="openid email", realm_id=None)["access_token"]
    assert emulator.api(f"companyinfo/{KEYSTONE}", token).status_code == 403
