"""inBuild Accounting Integrations: the application factory (the composition root, nothing more)."""
from __future__ import annotations

import logging
import os

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from qbo.accounts import cli as accounts_cli
from qbo.connection import cli as connection_cli
from qbo.connection.crypto import TokenCipher
from qbo.connection.key_rotation import refuse_missing_keys
from qbo.connection.oauth_states import SqliteStateCache
from qbo.desktop import cli as desktop_cli
from qbo.emulator import cli as emulator_cli
from qbo.intuit import oauth as intuit
from qbo.jobs import health_tasks, payment_tasks, sync_tasks  # noqa: F401  (registers the jobs and the periodic ones)
from qbo.jobs.queue import bind_app_factory, huey  # the consumer runs `huey_consumer app.huey`
from qbo.records import cli as records_cli
from qbo.storage import db
from qbo.web import (auth, desktop, desktop_service, integrations, intuit_disconnect, qbo_settings, records, security,
                     settings, sync_pages, webhooks, wizard, wizard_mapping)
from qbo.web.instance_config import check_required_secrets, ensure_instance_config

csrf = CSRFProtect()

DEFAULTS = {
    "INTUIT_ENVIRONMENT": "emulator",
    "INTUIT_EMULATOR_URL": "http://127.0.0.1:5001",
    "INTUIT_CLIENT_ID": "inbuild-demo-client",  # the emulator's demo app; refused for sandbox/production
    "INTUIT_CLIENT_SECRET": "inbuild-demo-secret",
    "INTUIT_REDIRECT_URI": "http://127.0.0.1:5000/settings/integrations/qbo/callback",
    "INTUIT_HTTP_TIMEOUT": 10,
    # Intuit's app URLs: webhooks are verified with this token (the emulator's demo value; refused elsewhere),
    # and the Disconnect URL's OpenID sign-in comes back here (register it with Intuit like the redirect URI).
    "INTUIT_WEBHOOK_VERIFIER_TOKEN": webhooks.DEMO_VERIFIER_TOKEN,
    "INTUIT_DISCONNECT_REDIRECT_URI": "http://127.0.0.1:5000/intuit/disconnected/callback",
    "SESSION_COOKIE_NAME": "__Host-inbuild_session",
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": 0,
    "WTF_CSRF_TIME_LIMIT": 3600,
    # Pages send Referrer-Policy: same-origin, so same-origin POSTs carry a Referer for Flask-WTF's HTTPS check.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "SYNC_INTERVAL_MINUTES": 15,
    "SYNC_TIME_SCALE": 1,  # >1 shrinks the engine's pacing minute (tests and benchmarks against the emulator)
}


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS, DATABASE=os.path.join(app.instance_path, "inbuild.sqlite3"))
    if test_config is None:
        ensure_instance_config(app.instance_path)
        app.config.from_pyfile("config.py")
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    check_required_secrets(app.config)
    _configure_logging(app)

    app.extensions["token_cipher"] = TokenCipher(list(app.config["TOKEN_ENCRYPTION_KEYS"]))
    db.init_app(app)
    with app.app_context():
        refuse_missing_keys(db.get_db(), app.extensions["token_cipher"])
    csrf.init_app(app)
    # Intuit's webhook POST has no cookie, session or form to carry a CSRF token; it proves itself with the
    # intuit-signature HMAC of its body instead, checked before anything else (qbo/web/webhooks.py).
    csrf.exempt(webhooks.receive)
    auth.login_manager.init_app(app)
    intuit.init_app(app, SqliteStateCache())
    security.init_app(app)
    settings.init_app(app)
    for blueprint in (auth.bp, settings.bp, integrations.bp, qbo_settings.bp, sync_pages.bp, wizard.bp,
                      wizard_mapping.bp, records.bp, desktop.bp, webhooks.bp, intuit_disconnect.bp):
        app.register_blueprint(blueprint)
    desktop_service.mount(app)  # the Web Connector's SOAP service at /qbwc (no cookies, no CSRF: see the module)
    for commands in (accounts_cli, connection_cli, records_cli, emulator_cli, desktop_cli):
        commands.init_app(app)
    return app


def _configure_logging(app: Flask) -> None:
    if not (app.debug or app.testing):
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        huey_log = logging.getLogger("huey")
        if huey_log.handlers:  # inside huey_consumer, which logs its own lines: do not print them twice
            huey_log.propagate = False


bind_app_factory(create_app)
__all__ = ["create_app", "huey"]
