"""A one-step setup from the company file's lists, for demos until the Setup Wizard serves Desktop too.

It does what an admin would do in the wizard with the defaults: bills from a year back, the first AP account,
auto-match accepted where confidence is high, unmatched vendors and projects queued to be created in QuickBooks
through the Web Connector, and unmatched cost codes posted to the first cost or expense account.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from qbo.connection.realm_settings import Preferences, mark_setup_complete, save_default_accounts, save_preferences
from qbo.desktop.link_store import get_company_file, get_link
from qbo.desktop.list_add_store import request_list_add
from qbo.mapping.automatch import HIGH
from qbo.mapping.reference_records import AP_ACCOUNT_TYPES, EXPENSE_ACCOUNT_TYPES, last_refreshed, list_records
from qbo.mapping.service import suggest_matches
from qbo.mapping.store import (
    COST_CODE,
    MANUAL,
    PROJECT_CUSTOMER,
    VENDOR,
    accept_suggestions,
    mappings_for,
    save_mapping,
)
from qbo.records import catalog
from qbo.storage.db import immediate


class SetupNotReady(Exception):
    """The company file's lists have not arrived yet (no Web Connector update so far)."""


@dataclass(frozen=True)
class SetupSummary:
    realm_id: str
    matched: dict[str, int]
    to_create: int
    cost_codes_defaulted: int


def quick_setup(db: Database, company_id: int, now: datetime) -> SetupSummary:
    link = get_link(db, company_id)
    company_file = get_company_file(db, link.company_file_id) if link else None
    if company_file is None or last_refreshed(db, company_id, company_file.realm_id, "Account") is None:
        raise SetupNotReady("Run a Web Connector update first, so inBuild has the company file's lists.")
    realm = company_file.realm_id
    payable = list_records(db, company_id, realm, "Account", AP_ACCOUNT_TYPES)
    expense = list_records(db, company_id, realm, "Account", EXPENSE_ACCOUNT_TYPES)
    if not payable or not expense:
        raise SetupNotReady("The company file needs an Accounts Payable account and a cost or expense account.")
    with immediate(db):
        save_preferences(db, company_id, realm, Preferences(True, False, (now - timedelta(days=365)).date()), now)
        save_default_accounts(db, company_id, realm, (payable[0].qbo_id, payable[0].name), None, now)
    settings_kinds = (VENDOR, PROJECT_CUSTOMER, COST_CODE)
    matched = {}
    for kind in settings_kinds:
        suggest_matches(db, company_id, realm, kind, None)
        matched[kind] = accept_suggestions(db, company_id, realm, kind, HIGH, now)
    with immediate(db):
        to_create = _queue_creates(db, company_id, realm, now)
        defaulted = _default_cost_codes(db, company_id, realm, expense[0], now)
        mark_setup_complete(db, company_id, realm, now)
    return SetupSummary(realm, matched, to_create, defaulted)


def _unconfirmed(db: Database, company_id: int, realm: str, kind: str, ids: list[int]) -> list[int]:
    mapped = mappings_for(db, company_id, realm, kind)
    return [i for i in ids if i not in mapped or not mapped[i].confirmed]


def _queue_creates(db: Database, company_id: int, realm: str, now: datetime) -> int:
    vendors = _unconfirmed(db, company_id, realm, VENDOR, [v.id for v in catalog.list_vendors(db, company_id,
                                                                                            limit=None)])
    projects = _unconfirmed(db, company_id, realm, PROJECT_CUSTOMER,
                            [p.id for p in catalog.list_projects(db, company_id, limit=None)])
    for kind, ids in ((VENDOR, vendors), (PROJECT_CUSTOMER, projects)):
        for inbuild_id in ids:
            request_list_add(db, company_id, realm, kind, inbuild_id, now)
    return len(vendors) + len(projects)


def _default_cost_codes(db: Database, company_id: int, realm: str, account, now: datetime) -> int:
    codes = _unconfirmed(db, company_id, realm, COST_CODE, [c.id for c in catalog.list_cost_codes(db, company_id,
                                                                                                limit=None)])
    for code_id in codes:
        save_mapping(db, company_id, realm, COST_CODE, code_id, account.qbo_id, account.name, MANUAL, now)
    return len(codes)
