"""The Web Connector's side of a session, as QBWC plays it (qbwc-facts.md §3 and its simulator checklist), over a
real SOAP client (zeep) built from the service's published WSDL."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import defusedxml.ElementTree as defused
import zeep
from zeep.transports import Transport

from qbo.desktop.simulator.quickbooks import QuickBooks

CLIENT_VERSION = "2.3.0.215"
MAX_EXCHANGES = 10_000  # a session that never reaches 100 % is a bug, not a reason to spin forever


@dataclass(frozen=True)
class QwcFile:
    """What the Web Connector reads from a .qwc file."""

    app_name: str
    app_url: str
    username: str
    owner_id: str
    file_id: str
    qb_type: str
    run_every_minutes: int


def read_qwc(text: str | bytes) -> QwcFile:
    root = defused.fromstring(text, forbid_dtd=True)

    def value(name: str) -> str:
        found = root.find(name)
        return (found.text or "").strip() if found is not None else ""

    minutes = root.find("Scheduler/RunEveryNMinutes")
    return QwcFile(value("AppName"), value("AppURL"), value("UserName"), value("OwnerID"), value("FileID"),
                   value("QBType"), int(minutes.text) if minutes is not None and minutes.text else 0)


@dataclass
class UpdateLog:
    """What one "Update Selected" did, as the Web Connector's log would show it."""

    authenticated: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    percents: list[int] = field(default_factory=list)
    last_error: str = ""
    closed: str = ""
    connection_error: str = ""


@dataclass
class Faults:
    """What goes wrong during the next update: QuickBooks cannot be reached, an hresult, or QBWC dies."""

    connection_error: str = ""  # an hresult: connectionError instead of the first sendRequestXML
    hresult_on_request: int = 0  # the n-th request comes back as this request-processor error
    hresult: str = "0x80040400"
    die_after_request: int = 0  # QBWC stops after handing the n-th request to QuickBooks (no receiveResponseXML)
    quickbooks_applies_it: bool = True  # ... and QuickBooks had or had not applied it


class WebConnector:
    def __init__(self, app_url: str, username: str, password: str, quickbooks: QuickBooks, timeout: float = 30):
        self.username, self.password, self.quickbooks = username, password, quickbooks
        transport = Transport(timeout=timeout, operation_timeout=timeout)
        self.client = zeep.Client(wsdl_url(app_url), transport=transport)
        self.service = self.client.service

    def update(self, faults: Faults | None = None) -> UpdateLog:
        """One run: versions, authenticate, then requests and responses until 100 %, an error, or a fault."""
        faults, log = faults or Faults(), UpdateLog()
        self.service.serverVersion()
        self.service.clientVersion(CLIENT_VERSION)
        log.authenticated = strings(self.service.authenticate(self.username, self.password))
        ticket, company_file = (log.authenticated + ["", ""])[:2]
        if company_file in ("nvu", "none", "busy"):
            return log
        other_file = bool(company_file) and company_file.lower() != self.quickbooks.company.path.lower()
        if other_file or faults.connection_error:  # QuickBooks cannot open what QBWC was asked for
            hresult = faults.connection_error or "0x80040408"
            log.connection_error = self.service.connectionError(ticket, hresult, "Could not start QuickBooks.")
            return log
        self._exchange(ticket, faults, log)
        return log

    def _exchange(self, ticket: str, faults: Faults, log: UpdateLog) -> None:
        hcp = self.quickbooks.host_report()
        for number in range(1, MAX_EXCHANGES + 1):
            request = self.service.sendRequestXML(ticket, hcp if number == 1 else "", self.quickbooks.company.path,
                                                  self.quickbooks.company.country, 13, 0) or ""
            if not request:
                log.last_error = self.service.getLastError(ticket)
                return
            log.requests.append(request)
            if number == faults.die_after_request:
                if faults.quickbooks_applies_it:
                    self.quickbooks.answer(request)
                return
            if number == faults.hresult_on_request:
                response, hresult, message = "", faults.hresult, "Simulated request processor error."
            else:
                response, hresult, message = self.quickbooks.answer(request)
            percent = self.service.receiveResponseXML(ticket, response, hresult, message)
            log.percents.append(percent)
            if percent < 0:
                log.last_error = self.service.getLastError(ticket)
                log.closed = self.service.closeConnection(ticket)
                return
            if percent >= 100:
                log.closed = self.service.closeConnection(ticket)
                return


def wsdl_url(app_url: str) -> str:
    return app_url.rstrip("/") + "/wsdl"


def strings(result) -> list[str]:
    """authenticate's ArrayOfString as a list (zeep gives an object, a list, or None for an empty array)."""
    if result is None:
        return []
    values = result if isinstance(result, list) else getattr(result, "string", None) or []
    return ["" if v is None else str(v) for v in values]


def request_names(log: UpdateLog) -> list[str]:
    """The qbXML request element of each request sent (e.g. 'BillAddRq'), for logs and tests."""
    names = []
    for request in log.requests:
        messages = defused.fromstring(request.encode(), forbid_dtd=True).find("QBXMLMsgsRq")
        names += [child.tag for child in messages] if isinstance(messages, ET.Element) else []
    return names
