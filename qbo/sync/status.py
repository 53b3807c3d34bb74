"""What the pages show of the sync: the current or last run, counts by status, the issues and the history."""
from __future__ import annotations

import time
from dataclasses import dataclass

from sqlite_utils import Database

from qbo.connection.state import Connection
from qbo.connection.store import get_connection
from qbo.mapping.store import COST_CODE, COST_TYPE, PROJECT_CLASS, PROJECT_CUSTOMER, PROJECT_JOB, VENDOR
from qbo.sync.payment_store import payment_statuses
from qbo.sync.payments import PaymentStatus
from qbo.sync.store import (
    DELETED,
    SyncRecord,
    SyncRun,
    count_by_status,
    count_runs,
    get_sync_record,
    lease_holder,
    recent_runs,
    sync_issues,
    sync_records,
)

HISTORY_PAGE = 10
ISSUES_PAGE = 25
# The wizard step whose row fixes what a waiting record waits for.
FIX_STEPS = {VENDOR: "vendors", PROJECT_CUSTOMER: "projects", PROJECT_JOB: "projects", PROJECT_CLASS: "projects",
             COST_CODE: "lines", COST_TYPE: "lines", "income_item": "accounts"}


@dataclass(frozen=True)
class SyncOverview:
    realm_id: str | None
    current: SyncRun | None  # the run in progress, if any
    last: SyncRun | None  # the newest finished run
    counts: dict[str, int]

    @property
    def running(self) -> bool:
        return self.current is not None


def current_run(db: Database, company_id: int, runs: list[SyncRun] | None = None) -> SyncRun | None:
    """The run in progress: the newest run, unfinished, while a worker holds the company's lease."""
    runs = recent_runs(db, company_id, limit=1) if runs is None else runs
    return runs[0] if runs and runs[0].running and lease_holder(db, company_id, time.time()) else None


def sync_overview(db: Database, company_id: int) -> SyncOverview:
    connection = get_connection(db, company_id)
    realm_id = connection.realm_id if connection else None
    runs = recent_runs(db, company_id, limit=2)
    current = current_run(db, company_id, runs)
    last = next((run for run in runs if not run.running), None)
    counts = count_by_status(db, company_id, realm_id) if realm_id else {}
    return SyncOverview(realm_id, current, last, counts)


def history_page(db: Database, company_id: int, page: int) -> tuple[list[SyncRun], int]:
    """One page of runs, newest first, and the number of pages."""
    pages = max(1, -(-count_runs(db, company_id) // HISTORY_PAGE))
    return recent_runs(db, company_id, (page - 1) * HISTORY_PAGE, HISTORY_PAGE), pages


def issues_page(db: Database, company_id: int, realm_id: str, page: int):
    return sync_issues(db, company_id, realm_id, (page - 1) * ISSUES_PAGE, ISSUES_PAGE)


STATUS_LABELS = {"sending": "Sending", "synced": "Synced", "waiting": "Waiting", "failed": "Failed",
                 "withdrawn": "Withdrawn", "deleted": "Removed from QuickBooks"}


def _realm_of(integration: Connection | None) -> str | None:
    """The realm of the active integration: QuickBooks Online's company or the Desktop company file."""
    return integration.realm_id if integration is not None and integration.is_active else None


def record_states(db: Database, company_id: int, integration: Connection | None, kind: str) -> dict[int, SyncRecord]:
    """record id -> its sync state in the active integration's QuickBooks company (none when not connected)."""
    realm_id = _realm_of(integration)
    if not realm_id:
        return {}
    return {record_id: state for (_, record_id), state in sync_records(db, company_id, realm_id, kind=kind).items()}


def record_state(db: Database, company_id: int, integration: Connection | None, kind: str,
                 record_id: int) -> SyncRecord | None:
    """One record's sync state in the active integration's QuickBooks company."""
    realm_id = _realm_of(integration)
    return get_sync_record(db, company_id, realm_id, kind, record_id) if realm_id else None


def record_payments(db: Database, company_id: int, kind: str,
                    states: dict[int, SyncRecord]) -> dict[int, PaymentStatus]:
    """record id -> what QuickBooks says of its payment, for these records (their states) still in QuickBooks."""
    in_quickbooks = {record_id: state.realm_id for record_id, state in states.items()
                     if state.qbo_id and state.status != DELETED}
    if not in_quickbooks:
        return {}
    realm_id = next(iter(in_quickbooks.values()))  # every state shown is of the connected realm
    stored = payment_statuses(db, company_id, realm_id, kind, list(in_quickbooks))
    return {record_id: payment.status for record_id, payment in stored.items()}


def record_payment(db: Database, company_id: int, kind: str, state: SyncRecord | None) -> PaymentStatus | None:
    """One record's payment status, when it is in the connected QuickBooks company."""
    return record_payments(db, company_id, kind, {state.record_id: state}).get(state.record_id) if state else None
