"""Pacing per realm inside Intuit's limits, kept by the engine itself rather than learned from 429s.

Intuit allows 500 requests a minute per realm (batches included) and 120 batch requests a minute. A run holds
the company's lease, and a realm belongs to one company, so one run paces one realm and sends one request at
a time (well under the 10 in flight Intuit allows). `time_scale` shrinks the minute for tests and benchmarks.
"""
from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

REQUESTS_PER_MINUTE = 500
BATCHES_PER_MINUTE = 120
BACKOFF_START_SECONDS = 2.0
BACKOFF_ATTEMPTS = 5


@dataclass
class Pacer:
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    time_scale: float = 1.0
    requests_per_minute: int = REQUESTS_PER_MINUTE
    batches_per_minute: int = BATCHES_PER_MINUTE
    _requests: deque = field(default_factory=deque)
    _batches: deque = field(default_factory=deque)

    @property
    def window(self) -> float:
        return 60.0 / self.time_scale

    def before_request(self, is_batch: bool = False) -> None:
        """Wait until one more request (or batch request) fits in the last minute, then count it."""
        self._wait_for_room(self._requests, self.requests_per_minute)
        if is_batch:
            self._wait_for_room(self._batches, self.batches_per_minute)
            self._batches.append(self.clock())
        self._requests.append(self.clock())

    def backoff(self, attempt: int) -> float:
        """Bounded exponential delay with jitter after a 429, 503 or timeout; the delay waited."""
        delay = BACKOFF_START_SECONDS * (2 ** attempt) * random.uniform(0.75, 1.25) / self.time_scale
        self.sleep(delay)
        return delay

    def _wait_for_room(self, sent: deque, limit: int) -> None:
        now = self.clock()
        while sent and sent[0] <= now - self.window:
            sent.popleft()
        if len(sent) >= limit:
            self.sleep(max(0.0, sent[0] + self.window - now))
            self._wait_for_room(sent, limit)
