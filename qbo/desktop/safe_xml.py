"""The one way untrusted XML (SOAP envelopes, qbXML responses) is read: no DTD, no entities, no external fetches."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import defusedxml.ElementTree as defused
from defusedxml import DefusedXmlException


class UnreadableXml(ValueError):
    """Malformed, or hostile (a DOCTYPE, entity declarations, external references)."""


def parse_untrusted(text: str | bytes) -> ET.Element:
    try:
        return defused.fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ET.ParseError, DefusedXmlException, ValueError, TypeError) as exc:
        raise UnreadableXml(type(exc).__name__) from exc


def local_name(element: ET.Element) -> str:
    """The tag without its namespace: the Web Connector may qualify children or not (document vs RPC style)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def child_text(element: ET.Element | None, name: str) -> str:
    """The text of the first child called `name` (any namespace), or ''."""
    if element is None:
        return ""
    for child in element:
        if local_name(child) == name:
            return (child.text or "").strip()
    return ""


def child(element: ET.Element | None, name: str) -> ET.Element | None:
    if element is None:
        return None
    return next((c for c in element if local_name(c) == name), None)
