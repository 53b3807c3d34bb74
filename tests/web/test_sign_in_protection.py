"""Sign-in throttling: failed attempts per account and per client address, shared by every worker process."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from freezegun import freeze_time

from app import create_app
from qbo.storage.db import get_db
from tests.conftest import CSRF_INPUT, PASSWORD, app_config

START = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def attempt(client, email: str, password: str, address: str = "10.0.0.1"):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    token = CSRF_INPUT.search(page).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_five_failures_lock_the_account_even_for_the_right_password_and_it_is_audited(app):
    client = app.test_client()
    with freeze_time(START):
        statuses = [attempt(client, "admin@acme.test", "wrong-password").status_code for _ in range(5)]
        locked = attempt(client, "admin@acme.test", PASSWORD)
    assert statuses == [401] * 5
    assert locked.status_code == 429
    assert "Too many attempts, try again in 15 minutes." in locked.get_data(as_text=True)
    with app.app_context():
        actions = [r["action"] for r in get_db().query("SELECT action FROM audit_events")]
    assert "sign_in_throttled" in actions
    with freeze_time(START + timedelta(minutes=15, seconds=1)):
        assert attempt(app.test_client(), "admin@acme.test", PASSWORD).status_code == 302


def test_another_account_from_another_address_is_not_held_back(app):
    client = app.test_client()
    with freeze_time(START):
        for _ in range(5):
            attempt(client, "admin@acme.test", "wrong-password")
        assert attempt(client, "staff@acme.test", PASSWORD, address="10.0.0.2").status_code == 302


def test_one_address_trying_many_accounts_is_held_back_after_twenty_failures(app):
    client = app.test_client()
    with freeze_time(START):
        statuses = [attempt(client, f"nobody{n}@acme.test", "wrong-password").status_code for n in range(20)]
        assert statuses == [401] * 20
        assert attempt(client, "staff@acme.test", PASSWORD).status_code == 429
        assert attempt(client, "staff@acme.test", PASSWORD, address="10.0.0.9").status_code == 302


def test_successful_sign_ins_cost_nothing(app):
    with freeze_time(START):
        assert all(attempt(app.test_client(), "admin@acme.test", PASSWORD).status_code == 302 for _ in range(12))


def test_the_counters_are_shared_by_two_app_processes_on_one_database(app, tmp_path, intuit):
    second = create_app(app_config(tmp_path, intuit.url))  # same DATABASE file: another gunicorn worker
    with freeze_time(START):
        for worker in (app, second, app, second, app):
            assert attempt(worker.test_client(), "admin@acme.test", "wrong-password").status_code == 401
        assert attempt(second.test_client(), "admin@acme.test", PASSWORD).status_code == 429
