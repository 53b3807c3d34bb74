"""The first sendRequestXML of a session: which company file is open, which qbXML to write, and the plan."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlite_utils import Database

from qbo.connection.realm_settings import get_realm_settings
from qbo.desktop import link_store, work
from qbo.desktop.qbxml import negotiate_version, parse_host_report
from qbo.desktop.safe_xml import UnreadableXml
from qbo.desktop.session_store import DesktopSession, start_work
from qbo.storage.db import immediate
from qbo.sync.store import abandon_unfinished_runs, start_run


class SessionRefused(Exception):
    """The session cannot work (no company file named, or another one than the connected file)."""


def start_session(db: Database, session: DesktopSession, params: dict, now: datetime) -> DesktopSession:
    file_path = params["strCompanyFileName"].strip()[:400]
    if not file_path:
        raise SessionRefused("The Web Connector did not say which QuickBooks company file is open.")
    link = link_store.get_link(db, session.company_id)
    known = link_store.get_company_file(db, link.company_file_id)
    if known is not None and known.file_path.lower() != file_path.lower():
        raise SessionRefused(f"QuickBooks has the company file '{file_path}' open, but inBuild is connected to "
                             f"'{known.file_path}'. Open that file in QuickBooks, or disconnect QuickBooks Desktop "
                             "in inBuild and connect again to use the other file.")
    try:
        report = parse_host_report(params["strHCPResponse"][:200_000])
    except UnreadableXml:
        report = parse_host_report("")
    version = negotiate_version(_int(params["qbXMLMajorVers"]), _int(params["qbXMLMinorVers"]),
                                report.supported_versions)
    company_file = link_store.attach_company_file(db, session.company_id, {
        "file_path": file_path, "company_name": report.company_name or (known.company_name if known else ""),
        "product_name": report.product_name or (known.product_name if known else ""),
        "country": report.country or params["qbXMLCountry"].strip()[:10], "qbxml_version": version}, now)
    return _plan(db, session, company_file.realm_id, version, now)


def _plan(db: Database, session: DesktopSession, realm_id: str, version: str, now: datetime) -> DesktopSession:
    with immediate(db):
        link_store.clear_error(db, session.company_id, now)
        run_id = None
        if work.sync_allowed(get_realm_settings(db, session.company_id, realm_id)):
            abandon_unfinished_runs(db, session.company_id, "The Web Connector session running it ended; the next "
                                    "session looked up what had arrived.", now)
            run_id = start_run(db, session.company_id, realm_id, "scheduled", now)
        start_work(db, session.id, realm_id, version, run_id)
        work.plan_session(db, session.id, session.company_id, realm_id, run_id, now)
    return replace(session, realm_id=realm_id, qbxml_version=version, run_id=run_id)


def _int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return 0
