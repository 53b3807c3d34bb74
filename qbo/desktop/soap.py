"""The QBWC SOAP 1.1 wire: read a call out of an envelope, write a result or a fault, publish the WSDL.

Document/literal, namespace http://developer.intuit.com/, every result element qualified, and `<string>` children
in that namespace too, empty ones kept (qbwc-facts.md §2 and pitfalls 1 and 3).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from lxml import etree

from qbo.desktop.safe_xml import UnreadableXml, child, local_name, parse_untrusted

INTUIT_NS = "http://developer.intuit.com/"
SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
PARAMETERS = {
    "serverVersion": (),
    "clientVersion": ("strVersion",),
    "authenticate": ("strUserName", "strPassword"),
    "sendRequestXML": ("ticket", "strHCPResponse", "strCompanyFileName", "qbXMLCountry", "qbXMLMajorVers",
                       "qbXMLMinorVers"),
    "receiveResponseXML": ("ticket", "response", "hresult", "message"),
    "connectionError": ("ticket", "hresult", "message"),
    "getLastError": ("ticket",),
    "closeConnection": ("ticket",),
}
WSDL_TEMPLATE = Path(__file__).with_name("qbwc.wsdl")
NOT_XML_TEXT = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """Text that XML can carry (control characters dropped)."""
    return NOT_XML_TEXT.sub("", str(value))


class SoapFault(Exception):
    """A call we refuse before it reaches the service: `code` is 'Client' (their fault) or 'Server'."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SoapCall:
    method: str
    params: dict[str, str]


def parse_call(body: bytes) -> SoapCall:
    """The method and its parameters; prefixes, xsi:type and the SOAPAction header do not matter."""
    try:
        envelope = parse_untrusted(body)
    except UnreadableXml as exc:
        raise SoapFault("Client", "The request is not well-formed XML, or uses a DTD or entities.") from exc
    if envelope.tag != f"{{{SOAP_ENV_NS}}}Envelope":
        raise SoapFault("Client", "Expected a SOAP 1.1 envelope.")
    body_element = child(envelope, "Body")
    operation = next(iter(body_element), None) if body_element is not None else None
    if operation is None or local_name(operation) not in PARAMETERS:
        raise SoapFault("Client", "Unknown or missing operation.")
    method = local_name(operation)
    params = {name: "" for name in PARAMETERS[method]}
    for element in operation:
        name = local_name(element)
        if name in params:
            params[name] = element.text or ""
    return SoapCall(method, params)


def _envelope() -> tuple[etree._Element, etree._Element]:
    envelope = etree.Element(f"{{{SOAP_ENV_NS}}}Envelope", nsmap={"soap": SOAP_ENV_NS})
    return envelope, etree.SubElement(envelope, f"{{{SOAP_ENV_NS}}}Body")


def _serialize(envelope: etree._Element) -> bytes:
    # Nothing may come before the declaration (QBWC refuses leading whitespace or a BOM: pitfall 4).
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def result_xml(method: str, result: str | int | list[str]) -> bytes:
    envelope, body = _envelope()
    response = etree.SubElement(body, f"{{{INTUIT_NS}}}{method}Response", nsmap={None: INTUIT_NS})
    result_element = etree.SubElement(response, f"{{{INTUIT_NS}}}{method}Result")
    if isinstance(result, list):
        for value in result:
            etree.SubElement(result_element, f"{{{INTUIT_NS}}}string").text = xml_text(value)
    else:
        result_element.text = xml_text(result)
    return _serialize(envelope)


def fault_xml(fault: SoapFault) -> bytes:
    envelope, body = _envelope()
    element = etree.SubElement(body, f"{{{SOAP_ENV_NS}}}Fault")
    etree.SubElement(element, "faultcode").text = f"soap:{fault.code}"
    etree.SubElement(element, "faultstring").text = xml_text(fault)
    return _serialize(envelope)


def wsdl(service_url: str) -> bytes:
    return WSDL_TEMPLATE.read_text().replace('"{{SERVICE_URL}}"', quoteattr(service_url)).encode()
