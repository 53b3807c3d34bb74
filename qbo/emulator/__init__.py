"""A faithful local stand-in for Intuit's OAuth/OpenID service and the QBO v3 API."""
from __future__ import annotations

import secrets
from typing import Mapping

from flask import Flask
from werkzeug.serving import run_simple

from . import api, authorize, control, control_payments, control_realms, control_webhooks, oauth, tamper
from .context import EXTENSION_KEY, Emulator
from .db import Database
from .directory import client_from_mapping, save_client
from .keys import load_or_create_signing_key
from .seed import COMPANIES, DEMO_CLIENT, DEMO_PASSWORD, USERS, seed
from .settings import ROTATIONS, Settings
from .throttle import Throttle, ThrottleSettings
from .webhook_config import FORMATS, WebhookConfig, is_loopback_url
from .webhooks import WebhookSender

__all__ = ["create_emulator_app", "run_emulator", "COMPANIES", "DEMO_CLIENT", "DEMO_PASSWORD",
           "USERS", "DEFAULT_PORT", "DEMO_WEBHOOK_URL", "DEMO_VERIFIER_TOKEN"]

DEFAULT_PORT = 5001
# What the demo commands send webhooks to: inBuild on :5000, with its demo verifier token.
DEMO_WEBHOOK_URL = "http://127.0.0.1:5000/intuit/webhooks"
DEMO_VERIFIER_TOKEN = "inbuild-demo-verifier-token"
DEFAULTS = {
    "EMULATOR_DATABASE": "instance/emulator.sqlite3",
    "EMULATOR_BASE_URL": None,
    "EMULATOR_ROTATION": "strict",
    "EMULATOR_LATENCY_MS": (0, 0),
    "EMULATOR_CLIENTS": [DEMO_CLIENT],
    # Intuit's per-realm limits (500/min, 10 concurrent, 120 batches/min); a time scale of 60
    # runs the one-minute window in one second.
    "EMULATOR_THROTTLE": True,
    "EMULATOR_THROTTLE_TIME_SCALE": 1.0,
    # Signed webhooks for every change, to a loopback URL with the app's verifier token (off without a URL).
    "EMULATOR_WEBHOOK_URL": None,
    "EMULATOR_WEBHOOK_VERIFIER_TOKEN": "",
    "EMULATOR_WEBHOOK_FORMAT": "cloudevents",
    "SESSION_COOKIE_NAME": "intuit_emulator_session",
}


def create_emulator_app(config: Mapping | None = None) -> Flask:
    """Build the emulator's WSGI app; state lives in EMULATOR_DATABASE."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS, SECRET_KEY=secrets.token_hex(32))
    app.config.from_mapping(config or {})
    app.json.sort_keys = False
    app.extensions[EXTENSION_KEY] = _build_emulator(app.config)
    for blueprint in (oauth.bp, authorize.bp, api.bp, control.bp, control_realms.bp, control_webhooks.bp,
                      control_payments.bp, tamper.bp):
        app.register_blueprint(blueprint)
    return app


def _build_emulator(config: Mapping) -> Emulator:
    rotation = config["EMULATOR_ROTATION"]
    if rotation not in ROTATIONS:
        raise ValueError(f"EMULATOR_ROTATION must be one of {', '.join(ROTATIONS)}")
    clients = tuple(client_from_mapping(data) for data in config["EMULATOR_CLIENTS"])
    database = Database(str(config["EMULATOR_DATABASE"]))
    with database.transaction() as conn:
        signing_key = load_or_create_signing_key(conn)
        seed(conn, int(config.get("EMULATOR_EXTRA_COMPANIES", 0)))
        for client in clients:
            save_client(conn, client)
    base_url = config["EMULATOR_BASE_URL"]
    settings = Settings(rotation, tuple(config["EMULATOR_LATENCY_MS"]))
    throttle = ThrottleSettings(enabled=bool(config["EMULATOR_THROTTLE"]),
                                time_scale=float(config["EMULATOR_THROTTLE_TIME_SCALE"]))
    if throttle.time_scale <= 0:
        raise ValueError("EMULATOR_THROTTLE_TIME_SCALE must be greater than 0")
    return Emulator(database, signing_key, base_url.rstrip("/") if base_url else None,
                    settings, clients, Throttle(throttle), WebhookSender(database, _webhook_defaults(config)))


def _webhook_defaults(config: Mapping) -> WebhookConfig:
    url = config["EMULATOR_WEBHOOK_URL"] or ""
    if url and not is_loopback_url(url):
        raise ValueError("EMULATOR_WEBHOOK_URL must be http(s) to localhost or a loopback address")
    if config["EMULATOR_WEBHOOK_FORMAT"] not in FORMATS:
        raise ValueError(f"EMULATOR_WEBHOOK_FORMAT must be one of {', '.join(FORMATS)}")
    token = config["EMULATOR_WEBHOOK_VERIFIER_TOKEN"] or ""
    return WebhookConfig(url, token, config["EMULATOR_WEBHOOK_FORMAT"], enabled=bool(url and token))


def run_emulator(host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 database: str | None = None, base_url: str | None = None,
                 throttle: bool = True, throttle_time_scale: float = 1.0,
                 webhook_url: str | None = None, webhook_verifier_token: str = "",
                 webhook_format: str = "cloudevents", extra_companies: int = 0) -> None:
    """Serve the emulator (threaded) until interrupted."""
    config: dict = {"EMULATOR_BASE_URL": base_url, "EMULATOR_EXTRA_COMPANIES": extra_companies, "EMULATOR_THROTTLE": throttle,
                    "EMULATOR_THROTTLE_TIME_SCALE": throttle_time_scale, "EMULATOR_WEBHOOK_URL": webhook_url,
                    "EMULATOR_WEBHOOK_VERIFIER_TOKEN": webhook_verifier_token,
                    "EMULATOR_WEBHOOK_FORMAT": webhook_format}
    if database:
        config["EMULATOR_DATABASE"] = database
    app = create_emulator_app(config)
    shown = base_url or f"http://{host}:{port}"
    print(f" * Intuit emulator: discovery at {shown}/.well-known/openid_configuration,"
          f" control page at {shown}/_emulator/")
    if webhook_url:
        print(f" * Webhooks ({webhook_format}) to {webhook_url}")
    run_simple(host, port, app, threaded=True)
