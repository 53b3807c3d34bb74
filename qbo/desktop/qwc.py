"""The .qwc file the admin adds to the Web Connector (qbwc-facts.md §1: elements in the order php-qwc writes them)."""
from __future__ import annotations

from lxml import etree

from qbo.desktop.soap import xml_text
from qbo.desktop.state import DesktopLink

APP_NAME = "inBuild"
APP_DESCRIPTION = "Sends approved inBuild bills and invoices to QuickBooks Desktop."


def qwc_document(link: DesktopLink, company_name: str, service_url: str, support_url: str) -> bytes:
    """The file for one company; no secret in it (the admin types the password into the Web Connector)."""
    root = etree.Element("QBWCXML")
    for name, value in (
            ("AppName", f"{APP_NAME} - {company_name}"[:60]), ("AppID", ""), ("AppURL", service_url),
            ("AppDescription", APP_DESCRIPTION), ("AppSupport", support_url), ("UserName", link.username),
            ("OwnerID", link.owner_id), ("FileID", link.file_id), ("QBType", "QBFS")):
        etree.SubElement(root, name).text = xml_text(value)
    scheduler = etree.SubElement(root, "Scheduler")
    etree.SubElement(scheduler, "RunEveryNMinutes").text = str(link.run_every_minutes)
    etree.SubElement(root, "IsReadOnly").text = "false"
    etree.SubElement(root, "UnattendedModePref").text = "umpOptional"
    etree.SubElement(root, "PersonalDataPref").text = "pdpNotNeeded"
    etree.SubElement(root, "AuthFlags").text = "0x0"
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
