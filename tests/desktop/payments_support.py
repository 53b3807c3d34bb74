"""Helpers for the Desktop payments-back tests: a company file with synced bills and an invoice, the payment reads
made due again (as an hour passing would), and the statuses inBuild stored."""
from __future__ import annotations

from datetime import timedelta

from defusedxml import ElementTree

from qbo.desktop.payment_reads import READ_EVERY
from qbo.storage.db import get_db, immediate
from qbo.storage.timeutil import to_db, utcnow
from qbo.sync.payment_store import payment_statuses
from qbo.sync.store import sync_records
from tests.desktop.conftest import Records, company_id, configure, realm_of, seed_records


def synced(app, desktop) -> Records:
    """Two bills and an invoice added to the simulated company file (lists read first, then the wizard's setup)."""
    records = seed_records(app)
    desktop.update()
    configure(app, records, posting_style="item", invoices=True)
    log = desktop.update()
    assert log.percents[-1] == 100, log
    return records


def txn_id(app, kind: str, record_id: int) -> str:
    with app.app_context():
        return sync_records(get_db(), company_id(app), realm_of(app))[(kind, record_id)].qbo_id


def make_payment_reads_due(app) -> None:
    """What an hour without a read does: the next Web Connector update reads payments back again."""
    with app.app_context():
        db = get_db()
        with immediate(db):
            an_hour_ago = utcnow() - READ_EVERY - timedelta(minutes=1)
            db.execute("UPDATE qbd_payment_reads SET read_at = ?", [to_db(an_hour_ago)])


def stored(app, kind: str) -> dict:
    """record id -> (state, total cents, balance cents, paid on) as inBuild stored them."""
    with app.app_context():
        found = payment_statuses(get_db(), company_id(app), realm_of(app), kind)
    return {record_id: (s.status.state.value, s.status.total_cents, s.status.balance_cents, s.status.paid_on)
            for record_id, s in found.items()}


def all_stored(app) -> dict:
    with app.app_context():
        db = get_db()
        return {table: sorted(map(tuple, db.execute(f"SELECT * FROM {table}").fetchall()))
                for table in ("payment_statuses", "sync_records")}


def asked_txn_ids(request_xml: str, query: str) -> list[str]:
    """The TxnIDs a request document asks for in its `query` (e.g. 'BillQueryRq'); [] when it is another request."""
    found = ElementTree.fromstring(request_xml.encode()).find(f"QBXMLMsgsRq/{query}")
    return [element.text for element in found.findall("TxnID")] if found is not None else []
