"""The engine's own pacing, on a fake clock: Intuit's per-realm minute limits and bounded backoff."""
from __future__ import annotations

import pytest

from qbo.sync.pacing import BACKOFF_START_SECONDS, Pacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def sent_in_any_minute(times: list[float], window: float = 60.0) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


def test_requests_never_exceed_500_in_any_minute():
    clock = FakeClock()
    pacer = Pacer(clock, clock.sleep)
    times = []
    for _ in range(1600):
        pacer.before_request()
        times.append(clock.now)
        clock.now += 0.01
    assert sent_in_any_minute(times) == 500
    assert clock.now - 1000.0 < 3 * 60 + 30  # and it does not wait longer than it must


def test_batches_never_exceed_120_in_any_minute_and_count_as_requests():
    clock = FakeClock()
    pacer = Pacer(clock, clock.sleep)
    times = []
    for _ in range(300):
        pacer.before_request(is_batch=True)
        times.append(clock.now)
        clock.now += 0.05
    assert sent_in_any_minute(times) == 120


def test_the_time_scale_shortens_the_minute_not_the_limits():
    clock = FakeClock()
    pacer = Pacer(clock, clock.sleep, time_scale=60)
    times = []
    for _ in range(121):
        pacer.before_request(is_batch=True)
        times.append(clock.now)
    assert sent_in_any_minute(times, window=1.0) == 120 and times[-1] - times[0] == pytest.approx(1.0)


def test_backoff_grows_exponentially_within_its_jitter():
    clock = FakeClock()
    pacer = Pacer(clock, clock.sleep)
    delays = [pacer.backoff(attempt) for attempt in range(4)]
    for attempt, delay in enumerate(delays):
        expected = BACKOFF_START_SECONDS * 2 ** attempt
        assert 0.75 * expected <= delay <= 1.25 * expected
    assert clock.slept == delays
