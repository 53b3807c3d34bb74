"""Where the emulator sends its webhooks, and how: a loopback URL, the app's verifier token, the format."""
from __future__ import annotations

import ipaddress
import sqlite3
from dataclasses import dataclass, replace
from typing import Mapping
from urllib.parse import urlsplit

from .db import get_meta, set_meta

FORMATS = ("cloudevents", "legacy")
_KEYS = {"url": "webhook_url", "verifier_token": "webhook_verifier_token", "format": "webhook_format",
         "enabled": "webhook_enabled", "hold": "webhook_hold"}


@dataclass(frozen=True)
class WebhookConfig:
    url: str = ""
    verifier_token: str = ""
    format: str = "cloudevents"
    enabled: bool = False
    hold: bool = False  # keep events in the outbox until /_emulator/api/webhooks/deliver (tests, demos)

    @property
    def active(self) -> bool:
        """Whether changes are recorded for delivery at all."""
        return self.enabled and bool(self.url) and bool(self.verifier_token)

    def as_json(self) -> dict:
        """The settings as JSON, the verifier token withheld (like every secret on the control surface)."""
        return {"url": self.url, "verifier_token_set": bool(self.verifier_token), "format": self.format,
                "enabled": self.enabled, "hold": self.hold}


def is_loopback_url(url: str) -> bool:
    """http(s) to localhost or a loopback address: the only place the emulator will post to."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_config(conn: sqlite3.Connection, defaults: WebhookConfig) -> WebhookConfig:
    """The settings in force: changes made through the control API, else the configured defaults."""
    values = {name: get_meta(conn, key) for name, key in _KEYS.items()}
    return WebhookConfig(
        url=values["url"] if values["url"] is not None else defaults.url,
        verifier_token=values["verifier_token"] if values["verifier_token"] is not None else defaults.verifier_token,
        format=values["format"] or defaults.format,
        enabled=values["enabled"] == "1" if values["enabled"] is not None else defaults.enabled,
        hold=values["hold"] == "1" if values["hold"] is not None else defaults.hold,
    )


def save_config(conn: sqlite3.Connection, config: WebhookConfig) -> None:
    for name, key in _KEYS.items():
        value = getattr(config, name)
        set_meta(conn, key, ("1" if value else "0") if isinstance(value, bool) else value)


def clear_config(conn: sqlite3.Connection) -> None:
    """Forget runtime changes so the configured defaults apply again."""
    conn.execute(f"DELETE FROM meta WHERE key IN ({', '.join('?' for _ in _KEYS)})", tuple(_KEYS.values()))


def _flag(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "on", "off"):
        return value.lower() in ("true", "1", "on")
    raise ValueError(f"{name} must be true or false")


def parse_config(data: Mapping, current: WebhookConfig) -> WebhookConfig:
    """Apply a change to the current settings; ValueError on bad input (nothing is half applied)."""
    changes: dict = {}
    if "url" in data:
        url = str(data["url"] or "").strip()
        if url and not is_loopback_url(url):
            raise ValueError("url must be http(s) to localhost or a loopback address")
        changes["url"] = url
    if "verifier_token" in data:
        token = str(data["verifier_token"] or "")
        if len(token) > 200:
            raise ValueError("verifier_token is too long")
        changes["verifier_token"] = token
    if "format" in data:
        if data["format"] not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}")
        changes["format"] = data["format"]
    for name in ("enabled", "hold"):
        if name in data:
            changes[name] = _flag(data[name], name)
    updated = replace(current, **changes)
    if updated.enabled and not (updated.url and updated.verifier_token):
        raise ValueError("enabled webhooks need a url and a verifier_token")
    return updated
