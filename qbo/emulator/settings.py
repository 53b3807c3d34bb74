"""Runtime knobs that tests and the control page can change: rotation and latency."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Mapping

from .db import get_meta, set_meta

ROTATIONS = ("strict", "daily")


@dataclass(frozen=True)
class Settings:
    rotation: str = "strict"
    latency_ms: tuple[int, int] = (0, 0)

    def as_json(self) -> dict:
        """The settings as a JSON-ready dict."""
        return {"rotation": self.rotation, "latency_ms": list(self.latency_ms)}


def load_settings(conn: sqlite3.Connection, defaults: Settings) -> Settings:
    """The current settings, falling back to the configured defaults."""
    rotation = get_meta(conn, "rotation") or defaults.rotation
    latency = get_meta(conn, "latency_ms")
    latency_ms = tuple(json.loads(latency)) if latency else defaults.latency_ms
    return Settings(rotation, latency_ms)


def save_settings(conn: sqlite3.Connection, settings: Settings) -> None:
    """Persist settings so every thread and restart sees them."""
    set_meta(conn, "rotation", settings.rotation)
    set_meta(conn, "latency_ms", json.dumps(list(settings.latency_ms)))


def clear_settings(conn: sqlite3.Connection) -> None:
    """Forget runtime changes so the configured defaults apply again."""
    conn.execute("DELETE FROM meta WHERE key IN ('rotation', 'latency_ms')")


def parse_settings(data: Mapping, current: Settings) -> Settings:
    """Apply a settings update to the current settings; ValueError on bad input."""
    rotation = data.get("rotation") or current.rotation
    if rotation not in ROTATIONS:
        raise ValueError(f"rotation must be one of {', '.join(ROTATIONS)}")
    latency = data.get("latency_ms", current.latency_ms)
    try:
        low, high = (int(value) for value in latency)
    except (TypeError, ValueError):
        raise ValueError("latency_ms must be a pair of integers [min, max]") from None
    if not 0 <= low <= high <= 60_000:
        raise ValueError("latency_ms needs 0 <= min <= max <= 60000")
    return Settings(rotation, (low, high))
