"""Shared fixtures: a real emulator on a loopback port, an app per test, and signed-in clients."""
from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import tempfile
from unittest import mock


def _scratch_folder(what: str) -> str:
    """A temporary folder of this test process's own (each pytest-xdist worker gets its own), removed at exit."""
    folder = tempfile.mkdtemp(prefix=f"inbuild-{what}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


# The job queue is created when app.py is imported: keep it out of the repository's instance/ folder, and give
# every xdist worker a queue file of its own (workers inherit the controller's environment, so a value the
# controller set would otherwise be shared).
if "PYTEST_XDIST_WORKER" in os.environ or "INBUILD_JOBS_DATABASE" not in os.environ:
    os.environ["INBUILD_JOBS_DATABASE"] = os.path.join(_scratch_folder("jobs"), "jobs.sqlite3")
# Hypothesis caches what it learns under .hypothesis/ in the working directory: one folder per test process.
if "PYTEST_XDIST_WORKER" in os.environ or "HYPOTHESIS_STORAGE_DIRECTORY" not in os.environ:
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = _scratch_folder("hypothesis")

import pytest
import requests
from hypothesis import settings
from cryptography.fernet import Fernet
from werkzeug.security import generate_password_hash

from app import create_app, huey
from qbo.accounts import store as accounts
from qbo.storage.db import get_db
from tests.support.intuit_signin import path_and_query, sign_in_at_intuit
from tests.support.live_server import serve

pytest_plugins = ["tests.support.reliability_figures"]  # the reliability figures printed after every run

# CI runs the same examples every time (a failure there can be replayed); runs by hand keep exploring new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

CLIENT_ID = "inbuild-test-client"
CLIENT_SECRET = "inbuild-test-secret"
TEST_REDIRECT_URI = "http://127.0.0.1:5999/settings/integrations/qbo/callback"
PASSWORD = "correct-horse-9"
REALM_1, REALM_2, REALM_3 = "9130350000000001", "9130350000000002", "9130350000000003"
ALEX, SAM, PAT = "alex.morgan@example.com", "sam.lee@example.com", "pat.kim@example.com"


@pytest.fixture(autouse=True)
def jobs_run_inline():
    """Jobs run at once inside the request that queues them; tests/sync starts real consumers where it matters."""
    huey.immediate = True
    yield
    huey.immediate = False


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    """The Intuit emulator as a real server on a free loopback port, for the whole session."""
    from qbo.emulator import create_emulator_app

    database = tmp_path_factory.mktemp("emulator") / "emulator.sqlite3"
    server = serve(create_emulator_app({"EMULATOR_DATABASE": str(database), "EMULATOR_CLIENTS": []}))
    yield server
    server.stop()


class EmulatorControl:
    """The emulator's control endpoints, as tests use them."""

    def __init__(self, url: str):
        self.url = url

    def post(self, path: str, json: dict | None = None) -> dict:
        response = requests.post(f"{self.url}/_emulator/api/{path}", json=json or {}, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else {}

    def register_client(self, redirect_uri: str) -> None:
        self.post("clients", {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [redirect_uri]})

    def calls(self, endpoint: str | None = None) -> list[dict]:
        calls = requests.get(f"{self.url}/_emulator/api/calls", timeout=10).json()
        calls = calls.get("calls", calls) if isinstance(calls, dict) else calls
        return [c for c in calls if endpoint is None or c["endpoint"] == endpoint]

    def grants(self, realm_id: str | None = None) -> list[dict]:
        params = {"realm_id": realm_id} if realm_id else {}
        grants = requests.get(f"{self.url}/_emulator/api/grants", params=params, timeout=10).json()
        return grants.get("grants", grants) if isinstance(grants, dict) else grants

    def fail_next(self, kind: str, endpoint: str = "any", count: int = 1, seconds: float | None = None) -> None:
        body = {"kind": kind, "endpoint": endpoint, "count": count}
        if seconds is not None:
            body["seconds"] = seconds
        self.post("faults", body)

    def expire_access_token(self, realm_id: str) -> None:
        self.post(f"realms/{realm_id}/expire-access-token")

    def expire_refresh_token(self, realm_id: str) -> None:
        self.post(f"realms/{realm_id}/expire-refresh-token")

    def disconnect_realm(self, realm_id: str) -> None:
        self.post(f"realms/{realm_id}/disconnect")


@pytest.fixture
def intuit(emulator):
    """Control of the shared emulator, reset to its seed before each test."""
    control = EmulatorControl(emulator.url)
    control.post("reset")
    requests.delete(f"{emulator.url}/_emulator/api/faults", timeout=10)
    requests.delete(f"{emulator.url}/_emulator/api/calls", timeout=10)
    control.register_client(TEST_REDIRECT_URI)
    return control


def app_config(tmp_path, emulator_url: str, redirect_uri: str = TEST_REDIRECT_URI, **overrides) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-" + "s" * 40,
        "TOKEN_ENCRYPTION_KEYS": ["k1:" + Fernet.generate_key().decode()],
        "DATABASE": str(tmp_path / "inbuild.sqlite3"),
        "INTUIT_ENVIRONMENT": "emulator",
        "INTUIT_EMULATOR_URL": emulator_url,
        "INTUIT_CLIENT_ID": CLIENT_ID,
        "INTUIT_CLIENT_SECRET": CLIENT_SECRET,
        "INTUIT_REDIRECT_URI": redirect_uri,
        "INTUIT_HTTP_TIMEOUT": 2,
        "SESSION_COOKIE_SECURE": False,
        **overrides,
    }


@pytest.fixture
def app(request, tmp_path, intuit):
    timeout = request.node.get_closest_marker("intuit_timeout")  # e.g. bulk reads on a loaded machine
    app = create_app(app_config(tmp_path, intuit.url, **({"INTUIT_HTTP_TIMEOUT": timeout.args[0]} if timeout else {})))
    with app.app_context():
        seed_accounts(get_db())
    return app


# Werkzeug's default scrypt costs ~0.15 s to make and again to check: four users per app, a sign-in per client.
# Password hashing is not what these tests are about; check_password_hash reads either kind.
QUICK_PASSWORD_HASH = functools.partial(generate_password_hash, method="pbkdf2:sha256:1000")


def seed_accounts(db) -> None:
    """Acme (feature on): an admin and a standard user. Birchwood (feature off): an admin. Both: one admin of both."""
    with mock.patch.object(accounts, "generate_password_hash", QUICK_PASSWORD_HASH):
        _seed_companies_and_users(db)


def _seed_companies_and_users(db) -> None:
    acme = accounts.create_company(db, "Acme Construction", True)
    birch = accounts.create_company(db, "Birchwood Builders", False)
    other = accounts.create_company(db, "Cedar Homes", True)
    for email, company, role in [
        ("admin@acme.test", acme, accounts.COMPANY_ADMIN),
        ("staff@acme.test", acme, accounts.STANDARD),
        ("admin@birch.test", birch, accounts.COMPANY_ADMIN),
        ("admin@cedar.test", other, accounts.COMPANY_ADMIN),
    ]:
        user = accounts.create_user(db, email, PASSWORD, email.split("@")[0].title())
        accounts.set_membership(db, company.id, user.id, role)


@pytest.fixture
def db(tmp_path):
    """A migrated database file of its own, for store-level tests (no app, no emulator)."""
    from qbo.storage.db import connect, migrate

    database = connect(str(tmp_path / "store.sqlite3"))
    migrate(database)
    yield database
    database.close()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browserless:
    """A signed-in test client that knows its CSRF token, plus the OAuth round trip through the emulator."""

    def __init__(self, app, client):
        self.app = app
        self.client = client
        self.csrf = None

    def login(self, email: str, password: str = PASSWORD):
        page = self.client.get("/login")
        token = CSRF_INPUT.search(page.get_data(as_text=True)).group(1)
        response = self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})
        self.refresh_csrf()
        return response

    def refresh_csrf(self) -> None:
        page = self.client.get("/settings/").get_data(as_text=True)
        match = CSRF_INPUT.search(page)
        self.csrf = match.group(1) if match else None

    def post(self, path: str, data: dict | None = None, htmx: bool = False, **kwargs):
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, headers=headers, **kwargs)

    def start_connect(self, intent: str = "connect") -> str:
        response = self.post("/settings/integrations/qbo/connect", {"intent": intent})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response.headers["Location"]

    def connect(self, email: str = ALEX, realm_id: str = REALM_1, intent: str = "connect"):
        """Run Connect end to end; returns the callback response."""
        back = sign_in_at_intuit(self.start_connect(intent), email, realm_id)
        return self.client.get(path_and_query(back))


@pytest.fixture
def admin(app):
    session = Browserless(app, app.test_client())
    session.login("admin@acme.test")
    return session


@pytest.fixture
def make_client(app):
    def make(email: str) -> Browserless:
        session = Browserless(app, app.test_client())
        session.login(email)
        return session

    return make
