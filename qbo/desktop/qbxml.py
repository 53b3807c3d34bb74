"""qbXML on the wire: the envelope around a request, and the responses QuickBooks sends back (qbwc-facts.md §4)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from lxml import etree

from qbo.desktop.safe_xml import child, child_text, local_name, parse_untrusted

OUR_VERSION = (13, 0)  # the newest qbXML we write; QuickBooks must support it or we step down
PAGE_SIZE = 100  # records per iterator page: big lists in one answer can outlast the Web Connector's timeouts


@dataclass(frozen=True)
class QbxmlResponse:
    """One *Rs element: its status, its *Ret records, and where an iterator stands."""

    name: str
    request_id: str
    status_code: int
    severity: str
    message: str
    rets: tuple[ET.Element, ...]
    iterator_id: str
    remaining: int

    @property
    def ok(self) -> bool:
        return self.status_code == 0

    @property
    def no_match(self) -> bool:
        return self.status_code == 1  # a query that found nothing: Info, not a failure


def negotiate_version(major: int, minor: int, supported: list[str]) -> str:
    """The version to write: ours, or the newest the host offers below it (HCP list, else the call's numbers)."""
    offered = sorted({_version_tuple(v) for v in supported} | {(major, minor)})
    usable = [v for v in offered if v <= OUR_VERSION and v > (0, 0)]
    best = usable[-1] if usable else OUR_VERSION
    return f"{best[0]}.{best[1]}"


def _version_tuple(text: str) -> tuple[int, int]:
    parts = (text or "").strip().split(".")
    try:
        return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return 0, 0


def envelope(request_xml: str, version: str, request_id: str) -> str:
    """A complete qbXML document around one request element, which gets `requestID` (echoed on its *Rs)."""
    request = etree.fromstring(request_xml)  # our own text, written by the builders
    request.set("requestID", request_id)
    root = etree.Element("QBXML")
    etree.SubElement(root, "QBXMLMsgsRq", onError="stopOnError").append(request)
    body = etree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?><?qbxml version="{version}"?>{body}'


def parse_responses(text: str) -> list[QbxmlResponse]:
    """Every *Rs of a qbXML response document. Raises UnreadableXml for anything else."""
    root = parse_untrusted(text.lstrip("\ufeff").strip())
    messages = child(root, "QBXMLMsgsRs") if local_name(root) == "QBXML" else None
    if messages is None:
        return []
    return [_response(rs) for rs in messages if local_name(rs).endswith("Rs")]


def _response(rs: ET.Element) -> QbxmlResponse:
    def number(name: str, default: int) -> int:
        try:
            return int(rs.get(name, default))
        except ValueError:
            return default

    rets = tuple(ret for ret in rs if local_name(ret).endswith("Ret"))
    return QbxmlResponse(local_name(rs), rs.get("requestID", ""), number("statusCode", -1),
                         rs.get("statusSeverity", ""), rs.get("statusMessage", "")[:500], rets,
                         rs.get("iteratorID", ""), number("iteratorRemainingCount", 0))


@dataclass(frozen=True)
class HostReport:
    """What the first sendRequestXML's strHCPResponse says about QuickBooks and the company file."""

    product_name: str
    country: str
    supported_versions: list[str]
    company_name: str


def parse_host_report(text: str) -> HostReport:
    """Read HostRet and CompanyRet; an empty or unreadable report gives empty fields (later calls send none)."""
    host = company = None
    if (text or "").strip():
        for response in parse_responses(text):
            if response.name == "HostQueryRs" and response.rets:
                host = response.rets[0]
            if response.name == "CompanyQueryRs" and response.rets:
                company = response.rets[0]
    versions = [(v.text or "").strip() for v in host if local_name(v) == "SupportedQBXMLVersion"] if host else []
    return HostReport(child_text(host, "ProductName")[:200], child_text(host, "Country")[:10], versions,
                      child_text(company, "CompanyName")[:200])


def ref_list_id(ret: ET.Element, ref_name: str) -> str:
    return child_text(child(ret, ref_name), "ListID")
