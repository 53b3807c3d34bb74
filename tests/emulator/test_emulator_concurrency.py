"""Token rotation is atomic and the call log exact under concurrent refreshes."""
from __future__ import annotations

import threading

from tests.emulator.emulator_helpers import Emulator, KEYSTONE

RACERS = 8


def test_concurrent_refreshes_with_one_token_let_exactly_one_win(emulator):
    tokens = emulator.connect()
    emulator.control("DELETE", "api/calls")
    barrier = threading.Barrier(RACERS)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def race() -> None:
        racer = Emulator(emulator.url)
        barrier.wait()
        response = racer.refresh(tokens["refresh_token"])
        with lock:
            results.append((response.status_code, response.json()))

    threads = [threading.Thread(target=race) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    winners = [body for status, body in results if status == 200]
    assert len(results) == RACERS and len(winners) == 1
    assert emulator.grants(KEYSTONE)[0]["latest_refresh_token"] == winners[0]["refresh_token"]
    calls = emulator.calls()
    assert len(calls) == RACERS
    assert sorted(call["status"] for call in calls) == [200] + [400] * (RACERS - 1)
