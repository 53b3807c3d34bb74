"""One sync run for one company: take the lease, check it may run, resolve, plan, send, record.

The run stops before its next request when the connection is disconnected, switched, expired or paused, and the
next run starts where it stopped: what was sent is stored per record, what was not is planned again.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.connection import audit
from qbo.connection.crypto import TokenDecryptError
from qbo.connection.disconnect_notices import disconnect_notice
from qbo.connection.realm_settings import RealmSettings, get_realm_settings
from qbo.connection.state import StoredState
from qbo.connection.store import QBO, get_connection, set_last_sync
from qbo.intuit.api_client import QboClient
from qbo.intuit.errors import AccessRejected, ConnectionUnusable, IntuitUnavailable, OutcomeUnknown, RefreshRejected
from qbo.storage.db import immediate
from qbo.storage.timeutil import utcnow
from qbo.sync.pacing import Pacer
from qbo.sync.plan import Plan, plan_run
from qbo.sync.push import RunContext, RunStopped, resolve_unknown, send_creates, send_updates
from qbo.sync.store import (
    FINISHED,
    STOPPED,
    WAITING,
    WITHDRAWN,
    abandon_unfinished_runs,
    add_to_run,
    finish_run,
    get_run,
    release_lease,
    renew_lease,
    save_state,
    start_run,
    take_lease,
)

LEASE_SECONDS = 120.0
EXPIRED_REASON = "The QuickBooks Online session expired: reconnect, and the next run continues where this one stopped."
DISCONNECTED_INSIDE_QUICKBOOKS = ("QuickBooks Online was disconnected inside QuickBooks: reconnect, and the next run "
                                  "continues where this one stopped.")


@dataclass(frozen=True)
class SyncAttempt:
    run_id: int | None
    reason: str  # why no run started, or why the run stopped ("" when it finished)


@dataclass(frozen=True)
class Worker:
    """Who runs a sync, and with what: a lease owner name, an API client maker and a pacer."""

    owner: str
    client_for: Callable[[Database, int], QboClient]
    pacer: Pacer
    now: Callable[[], datetime] = utcnow
    clock: Callable[[], float] = time.time


def blocker(db: Database, company_id: int, realm_id: str | None = None) -> str | None:
    """Why this company may not sync now (disconnected, switched, expired, wizard, paused), or None."""
    connection = get_connection(db, company_id, QBO)
    if connection is not None and disconnect_notice(db, company_id, connection) is not None:
        return DISCONNECTED_INSIDE_QUICKBOOKS
    if connection is None or connection.state is StoredState.DISCONNECTED or not connection.realm_id:
        return "QuickBooks Online is not connected."
    if realm_id is not None and connection.realm_id != realm_id:
        return "The QuickBooks company was switched; nothing is sent to the new one from this run."
    if connection.state is StoredState.EXPIRED:
        return EXPIRED_REASON
    settings = get_realm_settings(db, company_id, connection.realm_id)
    if settings is None or not settings.setup_complete:
        return "The Setup Wizard is not complete."
    if not settings.sync_enabled:
        return "QuickBooks Sync is paused."
    return None


def run_sync(db: Database, company_id: int, trigger: str, worker: Worker,
             only: set[tuple[str, int]] | None = None) -> SyncAttempt:
    """Run one sync if the lease is free and the company may sync; `only` narrows it to some records (Retry)."""
    if not take_lease(db, company_id, worker.owner, worker.clock(), LEASE_SECONDS):
        return SyncAttempt(None, "A sync is already running for this company.")
    try:
        reason = blocker(db, company_id)
        if reason is not None:
            return SyncAttempt(None, reason)
        return _run(db, company_id, trigger, worker, only)
    finally:
        release_lease(db, company_id, worker.owner)


def _run(db: Database, company_id: int, trigger: str, worker: Worker, only) -> SyncAttempt:
    realm_id = get_connection(db, company_id, QBO).realm_id
    settings = get_realm_settings(db, company_id, realm_id)
    with immediate(db):
        abandon_unfinished_runs(db, company_id, "The worker running it stopped; the next run picked up.", worker.now())
        run_id = start_run(db, company_id, realm_id, trigger, worker.now())
    outcome, reason = FINISHED, ""
    try:
        ctx = RunContext(db, company_id, realm_id, run_id, worker.client_for(db, company_id), worker.pacer,
                         _checker(db, company_id, realm_id, worker), worker.now)
        _push(ctx, settings, only)
    except RunStopped as stop:
        outcome, reason = STOPPED, str(stop)
    except (AccessRejected, RefreshRejected, TokenDecryptError, ConnectionUnusable):
        outcome, reason = STOPPED, blocker(db, company_id, realm_id) or EXPIRED_REASON
    except OutcomeUnknown:
        outcome, reason = STOPPED, ("QuickBooks did not answer: the next run looks up what arrived before "
                                    "sending anything again.")
    except IntuitUnavailable as exc:
        outcome, reason = STOPPED, f"{exc} The next run continues where this one stopped."
    with immediate(db):
        finish_run(db, run_id, outcome, reason, worker.now())
        set_last_sync(db, company_id, worker.now())
        _audit_run(db, company_id, run_id, worker.now())
    return SyncAttempt(run_id, reason)


def _audit_run(db: Database, company_id: int, run_id: int, now: datetime) -> None:
    run = get_run(db, run_id)
    connection = get_connection(db, company_id, QBO)
    detail = (f"{run.trigger} run: {run.created} created, {run.updated} updated, {run.failed} failed, "
              f"{run.waiting} waiting" + (f"; stopped: {run.stop_reason}" if run.stop_reason else ""))
    audit.record(db, company_id, None, audit.SYNCED, now, realm_id=run.realm_id, detail=detail,
                 qbo_user=connection.qbo_user_email if connection else None)


def _push(ctx: RunContext, settings: RealmSettings, only) -> None:
    settling = resolve_unknown(ctx)
    plan = plan_run(ctx.db, ctx.company_id, ctx.realm_id, settings, only, exclude=settling)
    _record_plan(ctx, plan)
    send_updates(ctx, plan.updates)
    send_creates(ctx, plan.creates)


def _record_plan(ctx: RunContext, plan: Plan) -> None:
    now = ctx.now()
    with immediate(ctx.db):
        for (kind, record_id), waiting, version in plan.waiting:
            save_state(ctx.db, ctx.company_id, ctx.realm_id, kind, record_id, now, status=WAITING,
                       version=version, message=f"Waiting: {waiting.message}", fix_kind=waiting.kind,
                       fix_inbuild_id=waiting.inbuild_id)
        for kind, record_id in plan.withdrawn:
            save_state(ctx.db, ctx.company_id, ctx.realm_id, kind, record_id, now, status=WITHDRAWN,
                       message="Withdrawn in inBuild after it was synced: delete it from QuickBooks, or approve "
                               "it again in inBuild.")
        add_to_run(ctx.db, ctx.run_id, planned=plan.size, waiting=len(plan.waiting))


def _checker(db: Database, company_id: int, realm_id: str, worker: Worker) -> Callable[[], None]:
    def check() -> None:
        reason = blocker(db, company_id, realm_id)
        if reason is not None:
            raise RunStopped(reason)
        if not renew_lease(db, company_id, worker.owner, worker.clock(), LEASE_SECONDS):
            raise RunStopped("Another worker took over this company's sync.")

    return check
