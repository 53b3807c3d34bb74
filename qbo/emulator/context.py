"""The per-app emulator object and request-scoped lookups of it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request

from .db import Database
from .directory import Client
from .keys import SigningKey
from .settings import Settings, load_settings
from .throttle import Throttle
from .webhooks import WebhookSender

EXTENSION_KEY = "intuit_emulator"


@dataclass
class Emulator:
    db: Database
    signing_key: SigningKey
    base_url: str | None
    default_settings: Settings
    config_clients: tuple[Client, ...]
    throttle: Throttle
    webhooks: WebhookSender

    def settings(self) -> Settings:
        """The settings in force right now."""
        with self.db.transaction() as conn:
            return load_settings(conn, self.default_settings)


def current_emulator() -> Emulator:
    """The emulator of the running app."""
    return current_app.extensions[EXTENSION_KEY]


def base_url() -> str:
    """The public base URL: configured, or derived from the request host."""
    configured = current_emulator().base_url
    return (configured or request.host_url).rstrip("/")


def issuer() -> str:
    """The id_token issuer, Intuit-style."""
    return f"{base_url()}/op/v1"
