"""Hostile input to the SOAP service: malformed, huge, entity expansion, external entities, unknown operations,
unknown, ended or foreign tickets. Always a SOAP fault or the QBWC convention: never a 500, never a state change."""
from __future__ import annotations

import pytest
import requests

from qbo.desktop.simulator.web_connector import strings
from qbo.storage.db import get_db
from tests.desktop.conftest import configure, seed_records

ENVELOPE = ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
            '<soap:Body>{}</soap:Body></soap:Envelope>')
BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>'
                  '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
                  '<authenticate xmlns="http://developer.intuit.com/"><strUserName>&lol3;</strUserName>'
                  '</authenticate></soap:Body></soap:Envelope>')
EXTERNAL = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + ENVELOPE.split("?>", 1)[1].format('<authenticate xmlns="http://developer.intuit.com/">'
                                                 '<strUserName>&xxe;</strUserName></authenticate>'))


def snapshot(app) -> dict:
    with app.app_context():
        db = get_db()
        return {t: sorted(map(tuple, db.execute(f"SELECT * FROM [{t}]").fetchall()), key=repr)
                for t in db.table_names()}


def post(live, body: bytes | str, action: str = "authenticate") -> requests.Response:
    return requests.post(f"{live.url}/qbwc/", data=body, timeout=10,
                         headers={"Content-Type": "text/xml; charset=utf-8",
                                  "SOAPAction": f'"http://developer.intuit.com/{action}"'})


@pytest.mark.parametrize("body, status", [
    (b"", 400), (b"not xml at all", 400), (b"<soap:Envelope", 400), (BILLION_LAUGHS, 400), (EXTERNAL, 400),
    (ENVELOPE.format("<dropTables xmlns='http://developer.intuit.com/'/>"), 400),
    (ENVELOPE.format(""), 400), ("<Envelope><Body><authenticate/></Body></Envelope>", 400),
    (b"<a>" * 5_000 + b"</a>" * 5_000, 400), (b"<x>" + b"A" * (9 * 1024 * 1024) + b"</x>", 413),
], ids=["empty", "text", "truncated", "entity-expansion", "external-entity", "unknown-operation", "no-operation",
        "not-soap", "deep", "huge"])
def test_unreadable_or_hostile_requests_get_a_soap_fault(app, live, desktop, body, status, reliability_figure):
    before = snapshot(app)
    response = post(live, body)
    reliability_figure("malformed SOAP bodies", requests=1, errors_5xx=int(response.status_code >= 500),
                       state_changes=int(snapshot(app) != before))
    assert response.status_code == status
    assert "<faultcode>soap:Client</faultcode>" in response.text
    assert "root:" not in response.text and "lollol" not in response.text
    assert snapshot(app) == before


@pytest.mark.parametrize("ticket", ["", "no-such-ticket", "x" * 5000, "' OR 1=1 --", "\u202e\u0000"])
def test_unknown_tickets_follow_the_qbwc_conventions_and_change_nothing(app, desktop, ticket, reliability_figure):
    service = desktop.web_connector().service
    before = snapshot(app)
    ticket = ticket.replace("\u0000", "")
    assert not service.sendRequestXML(ticket, "<QBXML/>", desktop.quickbooks.company.path, "US", 13, 0)
    assert service.receiveResponseXML(ticket, "<QBXML/>", "", "") == -1
    assert service.connectionError(ticket, "0x80040408", "boom") == "done"
    assert "not valid" in service.getLastError(ticket)
    assert "not valid" in service.closeConnection(ticket)
    reliability_figure("SOAP calls with unknown tickets", calls=5, state_changes=int(snapshot(app) != before))
    assert snapshot(app) == before


def test_another_companys_ticket_cannot_touch_acme(app, live, desktop):
    from tests.desktop.conftest import Desktop

    records = seed_records(app)
    desktop.update()
    configure(app, records)
    cedar = Desktop(app, live).connect("Cedar Homes")
    cedar_service = cedar.web_connector().service
    cedar_ticket = strings(cedar_service.authenticate(cedar.username, cedar.password))[0]
    acme_log = desktop.update(die_after_request=1)  # Acme's BillAdd is out, its answer pending
    answer = desktop.quickbooks.answer(acme_log.requests[0])[0]
    before = snapshot(app)
    assert cedar_service.receiveResponseXML(cedar_ticket, answer, "", "") == -1  # Cedar has no request out
    after = snapshot(app)
    assert {t: rows for t, rows in after.items() if t != "qbd_sessions"} == \
           {t: rows for t, rows in before.items() if t != "qbd_sessions"}


def test_a_forged_answer_that_does_not_match_the_request_is_refused(app, desktop):
    records = seed_records(app)
    desktop.update()
    configure(app, records)
    connector = desktop.web_connector()
    service = connector.service
    ticket = strings(service.authenticate(desktop.username, desktop.password))[0]
    request = service.sendRequestXML(ticket, desktop.quickbooks.host_report(), desktop.quickbooks.company.path,
                                     "US", 13, 0)
    assert "BillAddRq" in request
    forged = ('<?xml version="1.0"?><QBXML><QBXMLMsgsRs><BillAddRs requestID="999-1" statusCode="0" '
              'statusSeverity="Info" statusMessage="OK"><BillRet><TxnID>FORGED</TxnID></BillRet></BillAddRs>'
              '</QBXMLMsgsRs></QBXML>')
    for response in (forged, BILLION_LAUGHS, "<QBXML><QBXMLMsgsRs>", "garbage"):
        assert service.receiveResponseXML(ticket, response, "", "") == -1
        break  # the session ends on the first bad answer
    with app.app_context():
        rows = list(get_db().query("SELECT qbo_id, status FROM sync_records"))
    assert rows == [{"qbo_id": None, "status": "sending"}]  # looked up next time, never taken from a forgery


def test_the_wsdl_is_published_and_names_this_service(live):
    for url in (f"{live.url}/qbwc/wsdl", f"{live.url}/qbwc/?wsdl"):
        response = requests.get(url, timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/xml")
        assert f'location="{live.url}/qbwc/"' in response.text
        assert 'soapAction="http://developer.intuit.com/sendRequestXML"' in response.text


def test_authenticate_answer_is_qualified_and_keeps_empty_strings(live, desktop):
    body = ENVELOPE.format('<authenticate xmlns="http://developer.intuit.com/"><strUserName>{}</strUserName>'
                           '<strPassword>{}</strPassword></authenticate>'.format(desktop.username, desktop.password))
    response = post(live, body)
    assert response.status_code == 200 and response.text.startswith("<?xml")
    assert '<authenticateResponse xmlns="http://developer.intuit.com/"><authenticateResult><string>' in response.text
    assert response.text.count("<string>") == 2 and "<string></string>" in response.text
    wrong = post(live, body.replace(desktop.password, "nope"))
    assert "<string></string><string>nvu</string>" in wrong.text


def test_rpc_style_prefixes_and_xsi_types_are_understood(live, desktop):
    body = ('<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body>'
            '<q1:authenticate xmlns:q1="http://developer.intuit.com/">'
            f'<strUserName xsi:type="xsd:string">{desktop.username}</strUserName>'
            f'<strPassword xsi:type="xsd:string">{desktop.password}</strPassword>'
            '</q1:authenticate></soap:Body></soap:Envelope>')
    response = post(live, body)
    assert response.status_code == 200 and "<string>nvu</string>" not in response.text


def test_a_ticket_left_idle_expires(app, desktop):
    from freezegun import freeze_time

    from qbo.storage.timeutil import utcnow

    service = desktop.web_connector().service
    with freeze_time(utcnow()) as clock:
        ticket = strings(service.authenticate(desktop.username, desktop.password))[0]
        clock.tick(31 * 60)
        before = snapshot(app)
        assert not service.sendRequestXML(ticket, desktop.quickbooks.host_report(), desktop.quickbooks.company.path,
                                          "US", 13, 0)
        assert snapshot(app) == before
