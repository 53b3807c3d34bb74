"""Exactly once across Web Connector restarts: an add whose answer never came is looked up before it is re-sent."""
from __future__ import annotations

from collections import Counter

import pytest

from qbo.desktop.simulator.web_connector import Faults, request_names
from qbo.storage.db import get_db
from qbo.sync.store import sync_records
from tests.desktop.conftest import company_id, configure, realm_of, seed_records


def states(app):
    with app.app_context():
        return sync_records(get_db(), company_id(app), realm_of(app))


@pytest.mark.parametrize("applied", [True, False], ids=["quickbooks-applied-it", "quickbooks-never-got-it"])
def test_restart_mid_session_sends_no_duplicate(app, desktop, applied):
    records = seed_records(app)
    desktop.update()
    configure(app, records)
    first = desktop.update(die_after_request=1, quickbooks_applies_it=applied)  # QBWC killed mid-bill
    assert request_names(first) == ["BillAddRq"]
    assert [s.status for s in states(app).values()] == ["sending"]

    again = desktop.update()
    names = Counter(request_names(again))
    assert names["BillQueryRq"] == 1  # looked up before anything is re-sent
    assert names["BillAddRq"] == (1 if applied else 2)
    assert again.percents[-1] == 100
    bills = desktop.quickbooks.company.transactions["Bill"]
    assert sorted(b["RefNumber"] for b in bills) == ["B-100", "B-101"]
    synced = states(app)
    assert all(synced[("bill", b)].status == "synced" for b in records.bills)
    assert {synced[("bill", b)].qbo_id for b in records.bills} == {b["TxnID"] for b in bills}


def test_the_dead_sessions_ticket_changes_nothing_after_a_restart(app, desktop):
    records = seed_records(app)
    desktop.update()
    configure(app, records)
    connector = desktop.web_connector()
    first = connector.update(Faults(die_after_request=1))
    old_ticket = first.authenticated[0]
    desktop.update()  # the restarted Web Connector finishes the work
    late = desktop.quickbooks.answer(first.requests[0])[0]  # the lost answer turns up late, on the old ticket
    assert connector.service.receiveResponseXML(old_ticket, late, "", "") == -1
    assert not connector.service.sendRequestXML(old_ticket, "", desktop.quickbooks.company.path, "US", 13, 0)
    assert len({s.qbo_id for s in states(app).values()}) == 2
