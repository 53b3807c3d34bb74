"""Sending a run's records to QuickBooks Online: creates through Batch, sparse updates, unknown outcomes resolved.

Every record is marked `sending` (with its requestid) in a committed transaction before its request leaves, and
its QuickBooks Id and SyncToken are stored in the same transaction that marks it synced. A record whose answer
never came stays `sending` and is looked up in QuickBooks before anything is sent for it again.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from qbo.intuit.api_client import QboClient, quoted
from qbo.intuit.errors import IntuitUnavailable, OutcomeUnknown
from qbo.intuit.faults import QboFault, fault_from
from qbo.records import documents
from qbo.storage.db import immediate
from qbo.sync.bodies import BILL, ENTITY, marker
from qbo.sync.messages import fault_message
from qbo.sync.pacing import BACKOFF_ATTEMPTS, Pacer
from qbo.sync.plan import REQUEST_IDS, Action
from qbo.sync.store import FAILED, SENDING, SYNCED, SyncRecord, add_to_run, save_state, sync_records

BATCH_LIMIT = 30
SETTLE_SECONDS = 300.0  # longer than QuickBooks plausibly takes to finish a request whose answer was lost


class RunStopped(Exception):
    """The run must stop before its next request; the message says why."""


@dataclass
class RunContext:
    db: Database
    company_id: int
    realm_id: str
    run_id: int
    client: QboClient
    pacer: Pacer
    check: Callable[[], None]  # raises RunStopped
    now: Callable[[], datetime]


def send_creates(ctx: RunContext, actions: list[Action]) -> None:
    for start in range(0, len(actions), BATCH_LIMIT):
        _send_batch(ctx, actions[start:start + BATCH_LIMIT])


def send_updates(ctx: RunContext, actions: list[Action]) -> None:
    for action in actions:
        ctx.check()
        _mark_sending(ctx, [action])
        try:
            saved = _update_once_more_if_stale(ctx, action)
        except QboFault as fault:
            _record_failure(ctx, action, fault)
        else:
            _record_synced(ctx, action, saved, created=False)


def resolve_unknown(ctx: RunContext) -> set[tuple[str, int]]:
    """Records whose create may have reached QuickBooks: find them there before anything is sent again.

    The records not found yet whose request left less than SETTLE_SECONDS ago: QuickBooks may still be working
    on it, and a re-send in another batch would not be recognised as a repeat, so they sit this run out.
    """
    settling = set()
    for (kind, record_id), state in sync_records(ctx.db, ctx.company_id, ctx.realm_id, [SENDING]).items():
        if state.qbo_id is None:
            ctx.check()
            found = _find_in_quickbooks(ctx, kind, record_id)
            if found is not None:
                _record_found(ctx, state, found)
            elif (ctx.now() - state.updated_at).total_seconds() < SETTLE_SECONDS:
                settling.add((kind, record_id))
    return settling


def _send_batch(ctx: RunContext, chunk: list[Action]) -> None:
    ctx.check()
    _mark_sending(ctx, chunk)
    request_ids = [action.request_id(ctx.company_id, ctx.realm_id) for action in chunk]
    items = [{"bId": str(n), "operation": "create", ENTITY[a.kind]: a.body} for n, a in enumerate(chunk, 1)]
    batch_id = str(uuid.uuid5(REQUEST_IDS, "batch:" + "|".join(request_ids)))
    try:
        answers = _with_backoff(ctx, lambda: ctx.client.batch(items, batch_id), is_batch=True)
    except QboFault:
        for action in chunk:  # the batch as a whole was refused: each record on its own
            _send_single_create(ctx, action)
        return
    by_bid = {str(answer.get("bId")): answer for answer in answers}
    outcomes = [_outcome(ctx, action, by_bid.get(str(n))) for n, action in enumerate(chunk, 1)]
    with immediate(ctx.db):  # the whole batch's Ids and SyncTokens in one transaction
        for action, saved, fault in outcomes:
            if saved is not None:
                _write_synced(ctx, action, saved, created=True)
            elif fault is not None:
                _write_failure(ctx, action, fault)


def _send_single_create(ctx: RunContext, action: Action) -> None:
    ctx.check()
    request_id = action.request_id(ctx.company_id, ctx.realm_id)
    try:
        saved = _with_backoff(ctx, lambda: ctx.client.create(ENTITY[action.kind], action.body, request_id))
    except QboFault as fault:
        _record_create_failure(ctx, action, fault)
    else:
        _record_synced(ctx, action, saved, created=True)


def _record_create_failure(ctx: RunContext, action: Action, fault: QboFault) -> None:
    found = _ours_after_all(ctx, action, fault)
    if found is not None:
        _record_synced(ctx, action, found, created=True)
    else:
        _record_failure(ctx, action, fault)


def _ours_after_all(ctx: RunContext, action: Action, fault: QboFault) -> dict | None:
    """A duplicate number may be this very record, created by a request whose answer was lost: find it."""
    return _find_in_quickbooks(ctx, action.kind, action.record_id) if fault.code == "6140" else None


def _outcome(ctx: RunContext, action: Action, answer: dict | None) -> tuple[Action, dict | None, QboFault | None]:
    """(action, the record QuickBooks holds, or its refusal); neither when it gave no word on this one, which
    then stays `sending` and is looked up before it is sent again."""
    if answer is None:
        return action, None, None
    if "Fault" in answer:
        fault = fault_from(200, {"Fault": answer["Fault"]}, None) or QboFault("", "", "", 200, None)
        found = _ours_after_all(ctx, action, fault)
        return action, found, None if found else fault
    saved = answer.get(ENTITY[action.kind])
    return action, saved if isinstance(saved, dict) else None, None


def _update_once_more_if_stale(ctx: RunContext, action: Action) -> dict:
    entity, state = ENTITY[action.kind], action.existing
    request_id = action.request_id(ctx.company_id, ctx.realm_id)
    try:
        return _with_backoff(ctx, lambda: ctx.client.update(entity, state.qbo_id, state.sync_token or "0",
                                                            action.body, request_id))
    except QboFault as fault:
        if fault.code != "5010":
            raise
    current = _with_backoff(ctx, lambda: ctx.client.read(entity, state.qbo_id))
    return _with_backoff(ctx, lambda: ctx.client.update(entity, state.qbo_id, current["SyncToken"], action.body))


def _with_backoff(ctx: RunContext, call: Callable[[], object], is_batch: bool = False):
    """One request inside the pace; throttling and 5xx back off and try again, a lost answer does not."""
    for attempt in range(BACKOFF_ATTEMPTS):
        ctx.pacer.before_request(is_batch)
        try:
            return call()
        except OutcomeUnknown:
            raise
        except IntuitUnavailable:
            if attempt == BACKOFF_ATTEMPTS - 1:
                raise
            ctx.pacer.backoff(attempt)
            ctx.check()


def _find_in_quickbooks(ctx: RunContext, kind: str, record_id: int) -> dict | None:
    record = (documents.get_bill if kind == BILL else documents.get_invoice)(ctx.db, ctx.company_id, record_id)
    if record is None:
        return None
    tag = marker(kind, ctx.company_id, record_id)
    where = f"DocNumber = {quoted(record.number[:21])}"
    rows = _with_backoff(ctx, lambda: ctx.client.query_all(ENTITY[kind], where))
    return next((row for row in rows if tag in str(row.get("PrivateNote", ""))), None)


def _mark_sending(ctx: RunContext, actions: list[Action]) -> None:
    with immediate(ctx.db):
        for action in actions:
            save_state(ctx.db, ctx.company_id, ctx.realm_id, action.kind, action.record_id, ctx.now(),
                       status=SENDING, version=action.version,
                       request_id=action.request_id(ctx.company_id, ctx.realm_id),
                       attempts=(action.existing.attempts if action.existing else 0) + 1)


def _record_synced(ctx: RunContext, action: Action, saved: dict, created: bool) -> None:
    with immediate(ctx.db):
        _write_synced(ctx, action, saved, created)


def _write_synced(ctx: RunContext, action: Action, saved: dict, created: bool) -> None:
    now = ctx.now()
    save_state(ctx.db, ctx.company_id, ctx.realm_id, action.kind, action.record_id, now, status=SYNCED,
               qbo_id=str(saved["Id"]), sync_token=str(saved.get("SyncToken", "0")), version=action.version,
               synced_version=action.version, message="", fix_kind=None, fix_inbuild_id=None, synced_at=now)
    add_to_run(ctx.db, ctx.run_id, done=1, **({"created": 1} if created else {"updated": 1}))


def _record_found(ctx: RunContext, state: SyncRecord, found: dict) -> None:
    now = ctx.now()
    with immediate(ctx.db):
        save_state(ctx.db, ctx.company_id, ctx.realm_id, state.kind, state.record_id, now, status=SYNCED,
                   qbo_id=str(found["Id"]), sync_token=str(found.get("SyncToken", "0")),
                   synced_version=state.version, message="", synced_at=now)
        add_to_run(ctx.db, ctx.run_id, created=1)


def _record_failure(ctx: RunContext, action: Action, fault: QboFault) -> None:
    with immediate(ctx.db):
        _write_failure(ctx, action, fault)


def _write_failure(ctx: RunContext, action: Action, fault: QboFault) -> None:
    save_state(ctx.db, ctx.company_id, ctx.realm_id, action.kind, action.record_id, ctx.now(), status=FAILED,
               message=fault_message(fault), fix_kind=None, fix_inbuild_id=None)
    add_to_run(ctx.db, ctx.run_id, done=1, failed=1)
