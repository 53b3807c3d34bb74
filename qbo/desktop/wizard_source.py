"""The Setup Wizard on a QuickBooks Desktop company file: its realm, its stored lists, creates queued for the
Web Connector (the wizard's QuickBooks Online calls have no Desktop equivalent outside a Web Connector session)."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from qbo.connection.store import QBD, active_integration
from qbo.desktop.link_store import get_company_file, get_link
from qbo.desktop.list_add_store import request_list_add
from qbo.desktop.lists import LIST_ENTITIES
from qbo.desktop.work import LIST_REFRESH_AFTER
from qbo.mapping.checks import validate_mappings
from qbo.mapping.kinds import kind_spec
from qbo.mapping.quickbooks_bodies import CannotCreate
from qbo.mapping.reference_records import QboRecord, expire_refreshes, get_record, last_refreshed
from qbo.mapping.store import PROJECT_CUSTOMER, PROJECT_JOB, VENDOR

CREATABLE_KINDS = (VENDOR, PROJECT_CUSTOMER, PROJECT_JOB)
LISTS_NOT_READ = ("The company file's lists have not arrived yet: they are read on the Web Connector's next run "
                  "(Update Selected in the Web Connector). Your entries are saved.")
NOT_READ_FROM_DESKTOP = ("QuickBooks Desktop classes are not read from the company file yet: leave classes off "
                         "in Preferences for a Desktop company file.")
CREATE_IN_QUICKBOOKS = "Create this in QuickBooks Desktop; it appears here after the Web Connector's next run."


def desktop_realm(db: Database, company_id: int) -> str | None:
    """The company file's realm when Desktop is the active integration ("" until a company file has reported);
    None when Desktop is not the active integration."""
    active = active_integration(db, company_id)
    if active is None or active.provider != QBD:
        return None
    link = get_link(db, company_id)
    company_file = get_company_file(db, link.company_file_id) if link and link.usable else None
    return company_file.realm_id if company_file else ""


def list_problem(db: Database, company_id: int, realm_id: str, entities) -> str | None:
    """Why the wizard cannot show these company file lists yet (None when they are all stored)."""
    if any(entity not in LIST_ENTITIES for entity in entities):
        return NOT_READ_FROM_DESKTOP
    if any(last_refreshed(db, company_id, realm_id, entity) is None for entity in entities):
        return LISTS_NOT_READ
    return None


def queue_create(db: Database, company_id: int, realm_id: str, kind: str, inbuild_id: int, now: datetime) -> None:
    """Ask the next Web Connector session to add this vendor or customer (job); other kinds are made by hand."""
    if kind not in CREATABLE_KINDS:
        raise CannotCreate(CREATE_IN_QUICKBOOKS)
    request_list_add(db, company_id, realm_id, kind, inbuild_id, now)


def check_stored_mappings(db: Database, company_id: int, realm_id: str, settings) -> int:
    """Mark stale every mapping whose record is no longer on the stored lists; returns how many are stale."""

    def lookup(kind: str, qbo_id: str) -> QboRecord | None:
        return get_record(db, company_id, realm_id, kind_spec(kind, settings).entity, qbo_id)

    return validate_mappings(db, company_id, realm_id, lookup)


def refresh_on_next_run(db: Database, company_id: int, realm_id: str, settings, now: datetime) -> int:
    """The lists are re-read on the Web Connector's next run; mappings are checked against them as stored now."""
    expire_refreshes(db, company_id, realm_id, now - LIST_REFRESH_AFTER)
    return check_stored_mappings(db, company_id, realm_id, settings)
