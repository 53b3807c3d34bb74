"""Desktop fixtures: the app served on a loopback port (SOAP at /qbwc), no Intuit emulator, a simulated company file,
and the Web Connector simulator (zeep, driven by the published WSDL)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest

from app import create_app
from qbo.accounts import store as accounts
from qbo.connection.realm_settings import Preferences, mark_setup_complete, save_default_accounts, save_preferences
from qbo.desktop import lifecycle
from qbo.desktop.link_store import get_company_file, get_link
from qbo.desktop.simulator.company_file import demo_company_file
from qbo.desktop.simulator.quickbooks import QuickBooks
from qbo.desktop.simulator.web_connector import WebConnector
from qbo.mapping.reference_records import find_by_name
from qbo.mapping.store import COST_CODE, MANUAL, PROJECT_CUSTOMER, VENDOR, save_mapping
from qbo.records import catalog_writes, document_writes
from qbo.records.documents import NewLine
from qbo.storage.db import get_db, immediate
from qbo.storage.timeutil import utcnow
from tests.conftest import app_config, seed_accounts
from tests.support.live_server import serve

NOW = datetime(2026, 11, 20, tzinfo=timezone.utc)
ACME = "Acme Construction"
NO_EMULATOR = "http://127.0.0.1:9"  # nothing here talks to Intuit


@pytest.fixture
def app(tmp_path):
    app = create_app(app_config(tmp_path, NO_EMULATOR))
    with app.app_context():
        seed_accounts(get_db())
    return app


@pytest.fixture
def live(app):
    server = serve(app)
    yield server
    server.stop()


@dataclass
class Records:
    abc: int
    unknown_vendor: int
    project: int
    cost_code: int
    bills: list[int]
    draft_bill: int
    invoice: int


def company_id(app, name: str = ACME) -> int:
    with app.app_context():
        return accounts.find_company_by_name(get_db(), name).id


def seed_records(app, name: str = ACME) -> Records:
    """Two vendors (one the company file knows), a project, a cost code, two approved bills, a draft, an invoice."""
    with app.app_context():
        db, cid = get_db(), company_id(app, name)
        with immediate(db):
            abc = catalog_writes.insert_vendor(db, cid, "ABC Concrete, Inc.", "subcontractor").id
            other = catalog_writes.insert_vendor(db, cid, "Nobody Supply Co", "supplier").id
            project = catalog_writes.insert_project(db, cid, "P-1", "Riverside Clinic", "Riverside Health Partners").id
            code = catalog_writes.insert_cost_code(db, cid, "03-300", "Cast-in-Place Concrete").id
            kind = catalog_writes.insert_cost_type(db, cid, "S", "Subcontract").id

        def lines(amount):
            return [NewLine(1, code, kind, "Footings & slab <pour>", amount), NewLine(2, code, kind, "Pump", 12_500)]

        bills = [document_writes.insert_bill(db, cid, number, abc, project, date(2026, 10, day), None, "approved",
                                             lines(100_000 + day)) for number, day in (("B-100", 1), ("B-101", 2))]
        draft = document_writes.insert_bill(db, cid, "B-102", abc, project, date(2026, 10, 3), None, "draft",
                                            lines(5_000))
        invoice = document_writes.insert_invoice(db, cid, "INV-7", project, date(2026, 10, 5), None, "approved",
                                                 lines(250_000))
    return Records(abc, other, project, code, bills, draft, invoice)


def realm_of(app, name: str = ACME) -> str:
    with app.app_context():
        db = get_db()
        link = get_link(db, company_id(app, name))
        return get_company_file(db, link.company_file_id).realm_id


def configure(app, records: Records, posting_style: str = "account", invoices: bool = False) -> str:
    """What an admin would finish in the wizard: preferences, the AP account, and mappings onto the file's lists."""
    realm = realm_of(app)
    with app.app_context():
        db, cid = get_db(), company_id(app)

        def ref(entity, name):
            found = find_by_name(db, cid, realm, entity, name)
            assert found is not None, (entity, name)
            return found

        target = ref("Item", "Subcontracted Work") if posting_style == "item" else ref("Account", "Subcontractors")
        payable, income = ref("Account", "Accounts Payable"), ref("Item", "Construction Services")
        with immediate(db):
            save_preferences(db, cid, realm, Preferences(True, invoices, date(2026, 1, 1),
                                                         posting_style=posting_style), NOW)
            save_default_accounts(db, cid, realm, (payable.qbo_id, payable.name),
                                  (income.qbo_id, income.name) if posting_style == "item" else None, NOW)
            vendor = ref("Vendor", "ABC Concrete, Inc.")
            save_mapping(db, cid, realm, VENDOR, records.abc, vendor.qbo_id, vendor.name, MANUAL, NOW)
            customer = ref("Customer", "Riverside Health Partners")
            save_mapping(db, cid, realm, PROJECT_CUSTOMER, records.project, customer.qbo_id, customer.name, MANUAL,
                         NOW)
            save_mapping(db, cid, realm, COST_CODE, records.cost_code, target.qbo_id, target.name, MANUAL, NOW)
            mark_setup_complete(db, cid, realm, NOW)
    return realm


class Desktop:
    """Acme's side of the Web Connector: issue the credentials, then play updates against the live service."""

    def __init__(self, app, live):
        self.app, self.live = app, live
        self.quickbooks = QuickBooks(demo_company_file())
        self.username = self.password = ""

    @property
    def service_url(self) -> str:
        return f"{self.live.url}/qbwc/"

    def connect(self, name: str = ACME) -> Desktop:
        with self.app.app_context():
            db = get_db()
            self.password = lifecycle.connect(db, company_id(self.app, name), None, 15, utcnow())
            self.username = get_link(db, company_id(self.app, name)).username
        return self

    def web_connector(self, password: str | None = None, quickbooks: QuickBooks | None = None) -> WebConnector:
        return WebConnector(self.service_url, self.username, self.password if password is None else password,
                            quickbooks or self.quickbooks, timeout=10)

    def update(self, **faults):
        from qbo.desktop.simulator.web_connector import Faults

        return self.web_connector().update(Faults(**faults))


@pytest.fixture
def desktop(app, live) -> Desktop:
    return Desktop(app, live).connect()
