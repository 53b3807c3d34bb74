"""UTC instants as stored in the database (ISO-8601 text that sorts in time order)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


def utcnow() -> datetime:
    """The current instant; called at use so freezegun can move it."""
    return datetime.now(timezone.utc)


def to_db(instant: datetime | None) -> str | None:
    if instant is None:
        return None
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text)  # the "Z" suffix reads as UTC; several times faster than strptime


def after(instant: datetime, seconds: float) -> datetime:
    return instant + timedelta(seconds=seconds)
