"""The fault plan: 500, 503, 429, timeout and drop-after-commit."""
from __future__ import annotations

import pytest
import requests

from tests.emulator.emulator_helpers import KEYSTONE

INVALID_GRANT = {"error_description": "Token invalid", "error": "invalid_grant"}


def plan(emulator, **fault) -> dict:
    response = emulator.control("POST", "api/faults", json=fault)
    assert response.status_code == 201, response.text
    return response.json()


def test_count_decrements_and_the_plan_empties(emulator):
    tokens = emulator.connect()
    plan(emulator, kind="500", endpoint="token", count=2)
    first = emulator.refresh(tokens["refresh_token"])
    assert first.status_code == 500 and first.json()["error"] == "server_error"
    assert first.headers["intuit_tid"]
    assert emulator.control("GET", "api/faults").json()[0]["count"] == 1
    assert emulator.refresh(tokens["refresh_token"]).status_code == 500
    assert emulator.control("GET", "api/faults").json() == []
    assert emulator.refresh(tokens["refresh_token"]).status_code == 200  # failures rotated nothing


def test_503_on_the_api_is_a_system_fault(emulator):
    token = emulator.connect()["access_token"]
    plan(emulator, kind="503", endpoint="api")
    response = emulator.api(f"companyinfo/{KEYSTONE}", token)
    assert response.status_code == 503
    assert response.json()["Fault"]["type"] == "SystemFault"
    assert emulator.api(f"companyinfo/{KEYSTONE}", token).status_code == 200


def test_500_on_the_api_is_a_severe_fault(emulator):
    token = emulator.connect()["access_token"]
    plan(emulator, kind="500", endpoint="api")
    response = emulator.api(f"companyinfo/{KEYSTONE}", token)
    assert response.status_code == 500 and response.json()["Fault"]["Error"][0]["code"] == "10000"


def test_429_is_throttle_exceeded_with_optional_retry_after(emulator):
    tokens = emulator.connect()
    plan(emulator, kind="429", endpoint="any", count=2, retry_after=7)
    for response in (emulator.api(f"companyinfo/{KEYSTONE}", tokens["access_token"]),
                     emulator.refresh(tokens["refresh_token"])):
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "7"
        error = response.json()["Fault"]["Error"][0]
        assert error["code"] == "3001"
        assert error["Message"] == "message=ThrottleExceeded; errorCode=003001; statusCode=429"


def test_faults_only_hit_their_endpoint(emulator):
    tokens = emulator.connect()
    plan(emulator, kind="500", endpoint="revoke")
    assert emulator.refresh(tokens["refresh_token"]).status_code == 200
    assert emulator.control("GET", "api/faults").json()[0]["count"] == 1


def test_timeout_sleeps_then_answers_504_without_doing_the_work(emulator):
    tokens = emulator.connect()
    plan(emulator, kind="timeout", endpoint="token", seconds=0.5)
    with pytest.raises(requests.ReadTimeout):
        emulator.refresh(tokens["refresh_token"], timeout=0.2)
    call = emulator.calls()[-1]
    assert (call["endpoint"], call["status"], call["fault"]) == ("token", 504, "timeout")
    assert emulator.refresh(tokens["refresh_token"]).status_code == 200  # not rotated


def test_timeout_answer_is_504_for_a_patient_client(emulator):
    token = emulator.connect()["access_token"]
    plan(emulator, kind="timeout", endpoint="api", seconds=0.1)
    assert emulator.api(f"companyinfo/{KEYSTONE}", token).status_code == 504


def test_drop_after_commit_rotates_then_loses_the_response(emulator):
    tokens = emulator.connect()
    plan(emulator, kind="drop_after_commit", endpoint="token", seconds=0.5)
    with pytest.raises(requests.ReadTimeout):
        emulator.refresh(tokens["refresh_token"], timeout=0.2)
    assert emulator.refresh(tokens["refresh_token"]).json() == INVALID_GRANT
    grant = emulator.grants(KEYSTONE)[0]
    assert grant["latest_refresh_token"] != tokens["refresh_token"]
    assert grant["revoked"] is False
    committed = [c for c in emulator.calls() if c["fault"] == "drop_after_commit"]
    assert committed[0]["status"] == 200


def test_bad_fault_requests_are_refused(emulator):
    for body in ({"kind": "418"}, {"kind": "500", "endpoint": "jwks"}, {"kind": "500", "count": 0},
                 {"kind": "timeout", "seconds": "soon"}):
        response = emulator.control("POST", "api/faults", json=body)
        assert response.status_code == 400 and response.json()["error"]


def test_delete_clears_the_plan(emulator):
    plan(emulator, kind="500", count=3)
    plan(emulator, kind="429")
    assert emulator.control("DELETE", "api/faults").json() == {"cleared": 2}
    assert emulator.control("GET", "api/faults").json() == []
