"""The emulator's only source of time, read at call time so freezegun can move it."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

# Intuit stamps API responses in the Pacific time zone of its data centres.
INTUIT_ZONE = ZoneInfo("America/Los_Angeles")


def now() -> float:
    """Seconds since the epoch, right now."""
    return time.time()


def intuit_time(at: float | None = None) -> str:
    """An Intuit-style timestamp with milliseconds and Pacific offset."""
    moment = datetime.fromtimestamp(now() if at is None else at, INTUIT_ZONE)
    return moment.isoformat(timespec="milliseconds")


def intuit_date_time(at: float) -> str:
    """An Intuit MetaData timestamp (seconds precision, Pacific offset)."""
    return datetime.fromtimestamp(at, INTUIT_ZONE).isoformat(timespec="seconds")


def utc_iso(at: float | None, timespec: str = "seconds") -> str | None:
    """An ISO-8601 UTC timestamp, or None."""
    if at is None:
        return None
    return datetime.fromtimestamp(at, timezone.utc).isoformat(timespec=timespec)
