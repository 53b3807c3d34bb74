"""A company connected to the emulator's Keystone (realm 1), with demo records, a finished wizard and mappings."""
from __future__ import annotations

import time
from datetime import date, datetime, timezone

import pytest

from qbo.accounts import store as accounts
from qbo.connection.access_tokens import qbo_client
from qbo.connection.realm_settings import Preferences, mark_setup_complete, save_default_accounts, save_preferences
from qbo.mapping.store import COST_CODE, MANUAL, PROJECT_CUSTOMER, VENDOR, save_mapping
from qbo.records import catalog
from qbo.records.demo_records import load_demo_records
from qbo.storage.db import get_db, immediate
from qbo.sync.engine import Worker
from qbo.sync.pacing import Pacer
from tests.conftest import ALEX, REALM_1

NOW = datetime(2026, 11, 20, tzinfo=timezone.utc)


def acme_id(db) -> int:
    return accounts.find_company_by_name(db, "Acme Construction").id


def sync_worker(owner: str = "test-worker") -> Worker:
    return Worker(owner, qbo_client, Pacer(time.monotonic, time.sleep, time_scale=600))


def map_everything(db, company_id: int, realm_id: str, posting_style: str = "account", invoices: bool = False) -> None:
    """Wizard finished: every vendor, project and cost code mapped onto the realm's records (round robin)."""
    client = qbo_client(db, company_id)
    vendors = client.query_all("Vendor")
    customers = [c for c in client.query_all("Customer") if not c.get("Job")]
    accounts_ = client.query_all("Account")
    expenses = [a for a in accounts_ if a.get("AccountType") in ("Expense", "Cost of Goods Sold")]
    payable = next(a for a in accounts_ if a.get("AccountType") == "Accounts Payable")
    items = client.query_all("Item")
    targets = items if posting_style == "item" else expenses
    with immediate(db):
        save_preferences(db, company_id, realm_id, Preferences(True, invoices, date(2026, 1, 1),
                                                              posting_style=posting_style), NOW)
        income = (items[0]["Id"], items[0]["Name"]) if posting_style == "item" else None
        save_default_accounts(db, company_id, realm_id, (payable["Id"], payable["Name"]), income, NOW)
        _map_all(db, company_id, realm_id, VENDOR, catalog.list_vendors(db, company_id, limit=None), vendors,
                 "DisplayName")
        _map_all(db, company_id, realm_id, PROJECT_CUSTOMER, catalog.list_projects(db, company_id, limit=None),
                 customers, "DisplayName")
        _map_all(db, company_id, realm_id, COST_CODE, catalog.list_cost_codes(db, company_id, limit=None), targets,
                 "Name")
        mark_setup_complete(db, company_id, realm_id, NOW)


def _map_all(db, company_id, realm_id, kind, records, targets, name_field) -> None:
    for n, record in enumerate(records):
        target = targets[n % len(targets)]
        save_mapping(db, company_id, realm_id, kind, record.id, target["Id"], target[name_field], MANUAL, NOW)


@pytest.fixture
def acme_with_records(app, admin) -> int:
    """Acme connected to Keystone with its demo records, the wizard not done yet: its company id."""
    admin.connect(ALEX, REALM_1)
    with app.app_context():
        db = get_db()
        company_id = acme_id(db)
        load_demo_records(db, company_id)
    return company_id


@pytest.fixture
def acme(app, acme_with_records) -> int:
    """Acme connected to Keystone with demo records and every mapping in place: its company id."""
    with app.app_context():
        map_everything(get_db(), acme_with_records, REALM_1)
    return acme_with_records


@pytest.fixture
def app_context(app, acme):
    """An app context for the test body, pushed after Acme is set up (signed-in sessions would share its `g`)."""
    with app.app_context():
        yield
