"""Per-realm throttling: 500 requests/min, 10 in flight, 120 batches/min, a scalable clock."""
from __future__ import annotations

import threading
import time

import pytest

from tests.emulator.emulator_helpers import HARBOR, KEYSTONE, Emulator
from tests.emulator.entity_helpers import token_for
from tests.emulator.transaction_helpers import batch, set_throttle

DEFAULTS = {"enabled": True, "time_scale": 1.0, "requests_per_minute": 500,
            "concurrent_requests": 10, "batch_per_minute": 120, "body": "json"}
THROTTLE_ERROR = {"Message": "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                  "Detail": "The request limit was reached.  Try again later", "code": "3001",
                  "element": ""}


def company_info(emulator: Emulator, token: str, realm_id: str = KEYSTONE) -> int:
    return emulator.api(f"companyinfo/{realm_id}", token, realm_id=realm_id).status_code


def test_defaults_are_intuits_limits(emulator):
    assert emulator.control("GET", "api/throttle").json() == DEFAULTS


def test_the_501st_request_in_a_minute_is_429_for_that_realm_only(emulator, token):
    harbor = token_for(emulator, HARBOR)
    statuses = [company_info(emulator, token) for _ in range(500)]
    assert statuses == [200] * 500
    response = emulator.api(f"companyinfo/{KEYSTONE}", token)
    assert response.status_code == 429 and response.headers["intuit_tid"]
    body = response.json()
    assert body["Fault"] == {"Error": [THROTTLE_ERROR], "type": "SERVICE"} and body["time"]
    assert company_info(emulator, harbor, HARBOR) == 200
    assert emulator.refresh(emulator.grants(KEYSTONE)[0]["latest_refresh_token"]).status_code == 200
    last = emulator.calls()[-3]
    assert (last["status"], last["fault"], last["realm_id"]) == (429, "throttle", KEYSTONE)


def test_a_scaled_clock_shortens_the_window_not_the_limits(emulator, token):
    settings = set_throttle(emulator, time_scale=60, requests_per_minute=5)
    assert settings == {**DEFAULTS, "time_scale": 60.0, "requests_per_minute": 5}
    assert [company_info(emulator, token) for _ in range(6)] == [200] * 5 + [429]
    time.sleep(1.05)  # one scaled minute
    assert company_info(emulator, token) == 200


def test_refused_calls_do_not_use_up_the_window(emulator, token):
    set_throttle(emulator, time_scale=30, requests_per_minute=3)  # a two-second window
    started = time.monotonic()
    assert [company_info(emulator, token) for _ in range(3)] == [200] * 3
    accepted = time.monotonic()
    while time.monotonic() - started < 1.5:
        assert company_info(emulator, token) == 429
        time.sleep(0.2)
    time.sleep(max(0.0, accepted + 2.1 - time.monotonic()))
    assert company_info(emulator, token) == 200


def test_batches_have_their_own_per_minute_limit(emulator, token):
    set_throttle(emulator, batch_per_minute=3)
    assert [batch(emulator, token, []).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert company_info(emulator, token) == 200


def test_more_than_ten_calls_in_flight_are_429(emulator, token):
    emulator.control("POST", "api/settings", json={"latency_ms": [1000, 1000]})
    barrier = threading.Barrier(14)
    statuses: list[int] = []
    lock = threading.Lock()

    def call() -> None:
        racer = Emulator(emulator.url)
        barrier.wait()
        status = company_info(racer, token)
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=call) for _ in range(14)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(statuses) == [200] * 10 + [429] * 4
    emulator.control("POST", "api/settings", json={"latency_ms": [0, 0]})
    assert company_info(emulator, token) == 200  # every slot was given back


def test_throttling_can_be_switched_off(emulator, token):
    set_throttle(emulator, enabled=False, requests_per_minute=2)
    assert [company_info(emulator, token) for _ in range(5)] == [200] * 5
    set_throttle(emulator, enabled=True)  # calls made while off were not counted
    assert [company_info(emulator, token) for _ in range(3)] == [200, 200, 429]


def test_the_throttle_body_can_be_intuits_xml(emulator, token):
    set_throttle(emulator, requests_per_minute=1, body="xml")
    company_info(emulator, token)
    response = emulator.api(f"companyinfo/{KEYSTONE}", token)
    assert response.status_code == 429
    assert response.headers["Content-Type"].startswith("application/xml")
    assert '<Fault type="SERVICE"><Error code="3001">' in response.text
    assert "message=ThrottleExceeded; errorCode=003001; statusCode=429" in response.text


def test_reset_restores_the_defaults_and_empties_the_counters(emulator, token):
    set_throttle(emulator, requests_per_minute=1)
    company_info(emulator, token)
    assert company_info(emulator, token) == 429
    assert emulator.control("DELETE", "api/throttle").json() == DEFAULTS
    assert company_info(emulator, token) == 200
    set_throttle(emulator, requests_per_minute=1, time_scale=2)
    emulator.control("POST", "api/reset")
    assert emulator.control("GET", "api/throttle").json() == DEFAULTS


@pytest.mark.parametrize("body", [{"time_scale": 0}, {"requests_per_minute": "many"},
                                  {"concurrent_requests": -1}, {"body": "html"}])
def test_bad_throttle_settings_are_refused(emulator, body):
    response = emulator.control("POST", "api/throttle", json=body)
    assert response.status_code == 400 and response.json()["error"]
    assert emulator.control("GET", "api/throttle").json() == DEFAULTS


def test_configuration_sets_the_defaults(start_emulator):
    emulator = start_emulator(EMULATOR_THROTTLE=False, EMULATOR_THROTTLE_TIME_SCALE=60)
    expected = {**DEFAULTS, "enabled": False, "time_scale": 60.0}
    assert emulator.control("GET", "api/throttle").json() == expected
    emulator.control("POST", "api/reset")
    assert emulator.control("GET", "api/throttle").json() == expected


def test_the_control_page_changes_throttling_with_a_form(emulator):
    response = emulator.http.post(f"{emulator.url}/_emulator/api/throttle",
                                  data={"enabled": "false", "time_scale": "60"})
    assert response.status_code == 200 and "Throttling off, time scale 60.0" in response.text
    assert emulator.control("GET", "api/throttle").json()["enabled"] is False
