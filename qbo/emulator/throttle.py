"""Intuit's per-realm API throttling: requests and batches per minute, requests in flight."""
from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import asdict, dataclass, replace
from typing import Mapping

from flask import Response

from .clock import intuit_time
from .responses import throttled

BODIES = ("json", "xml")
THROTTLE_MESSAGE = "message=ThrottleExceeded; errorCode=003001; statusCode=429"
THROTTLE_DETAIL = "The request limit was reached.  Try again later"
MINUTE = 60.0


@dataclass(frozen=True)
class ThrottleSettings:
    enabled: bool = True
    # 60 makes the one-minute window last one second; the limits stay the same.
    time_scale: float = 1.0
    requests_per_minute: int = 500
    concurrent_requests: int = 10
    batch_per_minute: int = 120
    body: str = "json"

    @property
    def window(self) -> float:
        """Length of the rate window in seconds of real time."""
        return MINUTE / self.time_scale

    def as_json(self) -> dict:
        """The settings as a JSON-ready dict."""
        return asdict(self)


def parse_throttle(data: Mapping, current: ThrottleSettings) -> ThrottleSettings:
    """Apply a change to the current settings; ValueError on bad input."""
    changes: dict = {}
    for name, cast in (("time_scale", float), ("requests_per_minute", int),
                       ("concurrent_requests", int), ("batch_per_minute", int)):
        if data.get(name) not in (None, ""):
            try:
                changes[name] = cast(data[name])
            except (TypeError, ValueError):
                raise ValueError(f"{name} must be a number") from None
            if changes[name] <= 0:
                raise ValueError(f"{name} must be greater than 0")
    if "enabled" in data:
        enabled = data["enabled"]
        changes["enabled"] = (enabled.lower() in ("1", "true", "on", "yes")
                              if isinstance(enabled, str) else bool(enabled))
    if data.get("body") not in (None, ""):
        if data["body"] not in BODIES:
            raise ValueError(f"body must be one of {', '.join(BODIES)}")
        changes["body"] = data["body"]
    return replace(current, **changes)


class Throttle:
    """In-memory counters per realm; admit() before a call, release() after it."""

    def __init__(self, defaults: ThrottleSettings) -> None:
        self.defaults = defaults
        self.settings = defaults
        self._lock = threading.Lock()
        self._requests: dict[str, deque[float]] = defaultdict(deque)
        self._batches: dict[str, deque[float]] = defaultdict(deque)
        self._in_flight: dict[str, int] = defaultdict(int)

    def configure(self, settings: ThrottleSettings) -> None:
        """Use new settings from now on (counters are kept)."""
        with self._lock:
            self.settings = settings

    def reset(self) -> None:
        """Forget all counters and return to the configured defaults."""
        with self._lock:
            self.settings = self.defaults
            self._requests.clear()
            self._batches.clear()
            self._in_flight.clear()

    def admit(self, realm_id: str, batch: bool) -> bool:
        """Take a slot for one call; False (nothing taken) when a limit is reached."""
        with self._lock:
            settings = self.settings
            if not settings.enabled:
                self._in_flight[realm_id] += 1
                return True
            now = time.monotonic()
            requests = _recent(self._requests[realm_id], now - settings.window)
            batches = _recent(self._batches[realm_id], now - settings.window)
            if (self._in_flight[realm_id] >= settings.concurrent_requests
                    or len(requests) >= settings.requests_per_minute
                    or (batch and len(batches) >= settings.batch_per_minute)):
                return False
            requests.append(now)
            if batch:
                batches.append(now)
            self._in_flight[realm_id] += 1
            return True

    def release(self, realm_id: str) -> None:
        """Give back the slot admit() took."""
        with self._lock:
            self._in_flight[realm_id] = max(self._in_flight[realm_id] - 1, 0)

    def response(self) -> Response:
        """The 429 Intuit answers with, as JSON or in its XML form."""
        return throttled_response(self.settings.body)


def _recent(stamps: deque[float], since: float) -> deque[float]:
    while stamps and stamps[0] <= since:
        stamps.popleft()
    return stamps


def throttled_response(body: str = "json") -> Response:
    """ThrottleExceeded (3001), status 429; Intuit often sends it as XML even to JSON clients."""
    if body != "xml":
        return throttled()
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{intuit_time()}">'
           f'<Fault type="SERVICE"><Error code="3001"><Message>{THROTTLE_MESSAGE}</Message>'
           f'<Detail>{THROTTLE_DETAIL}</Detail></Error></Fault></IntuitResponse>')
    return Response(xml, 429, content_type="application/xml")
