"""Errors mid-session: connectionError, a negative percent after an hresult, another company file; the card's
error state in plain words, and its recovery on the next good update."""
from __future__ import annotations

from qbo.desktop.link_store import connection_state, get_link
from qbo.desktop.simulator.company_file import demo_company_file
from qbo.desktop.simulator.quickbooks import QuickBooks
from qbo.desktop.simulator.web_connector import request_names, strings
from qbo.storage.db import get_db
from qbo.sync.store import sync_records
from tests.desktop.conftest import company_id, configure, realm_of, seed_records


def link_and_state(app):
    with app.app_context():
        db = get_db()
        return get_link(db, company_id(app)), connection_state(db, company_id(app))


def test_connection_error_is_done_and_shows_on_the_card_until_a_good_update(app, desktop):
    log = desktop.update(connection_error="0x80040408")
    assert log.connection_error == "done"
    link, state = link_and_state(app)
    assert state == "error" and "could not start QuickBooks" in link.last_error and "0x80040408" in link.last_error
    desktop.update()
    link, state = link_and_state(app)
    assert state == "connected" and link.last_error is None


def test_request_processor_error_gives_a_negative_percent_and_the_step_is_not_resent(app, desktop):
    records = seed_records(app)
    desktop.update()
    configure(app, records)
    log = desktop.update(hresult_on_request=1, hresult="0x80040400")
    assert log.percents == [-1]
    assert "could not read a request" in log.last_error
    assert request_names(log) == ["BillAddRq"]  # consumed: the session ended instead of sending it again
    with app.app_context():
        states = sync_records(get_db(), company_id(app), realm_of(app))
    assert [s.status for s in states.values()] == ["failed"]  # QuickBooks could not parse it; the other was not sent
    _, state = link_and_state(app)
    assert state == "error"
    again = desktop.update()  # the next update looks the unsent one up, then sends both
    assert again.percents[-1] == 100 and len(desktop.quickbooks.company.transactions["Bill"]) == 2


def test_another_company_file_is_refused_with_what_to_do(app, desktop):
    records = seed_records(app)
    desktop.update()
    configure(app, records)  # bills to send, so the next update has work
    other = QuickBooks(demo_company_file("C:\\Company Files\\Someone Else.qbw"))
    log = desktop.web_connector(quickbooks=other).update()
    # We ask for the connected file; QuickBooks has another one open, so QBWC reports a connection error.
    assert log.authenticated[1] == desktop.quickbooks.company.path and log.connection_error == "done"
    link, state = link_and_state(app)
    assert state == "error" and link.last_error


def test_a_session_naming_another_file_than_the_connected_one_stops(app, desktop):
    records = seed_records(app)
    desktop.update()
    configure(app, records)
    connector = desktop.web_connector()
    ticket = strings(connector.service.authenticate(desktop.username, desktop.password))[0]
    request = connector.service.sendRequestXML(ticket, "", "C:\\Elsewhere.qbw", "US", 13, 0)
    assert not request
    assert "Elsewhere.qbw" in connector.service.getLastError(ticket)
    assert connector.service.receiveResponseXML(ticket, "<QBXML/>", "", "") == -1
