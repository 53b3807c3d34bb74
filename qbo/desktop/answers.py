"""What QuickBooks answered to a session's step: stored per record (ListID/TxnID and EditSequence, or the error)."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from qbo.desktop import qbxml_requests as rq
from qbo.desktop import payment_reads, work
from qbo.desktop.list_add_store import DONE as ADD_DONE
from qbo.desktop.list_add_store import FAILED as ADD_FAILED
from qbo.desktop.list_add_store import SENDING as ADD_SENDING
from qbo.desktop.list_add_store import save_list_add
from qbo.desktop.lists import as_row, from_row, record_from_ret
from qbo.desktop.qbxml import QbxmlResponse
from qbo.desktop.safe_xml import child_text
from qbo.desktop.session_store import (
    DONE,
    FAILED,
    SENT,
    DesktopSession,
    Step,
    add_step,
    set_session_error,
    set_step_status,
    stage_records,
    take_staged_records,
)
from qbo.mapping.reference_records import replace_records, upsert_record
from qbo.mapping.store import CREATED, save_mapping
from qbo.sync.bodies import marker
from qbo.sync.store import FAILED as RECORD_FAILED
from qbo.sync.store import SENDING, SYNCED, add_to_run, get_sync_record, save_state

NAME_NOT_UNIQUE = 3100
ADVICE = {  # qbXML statusCode → what the admin can do (qbwc-facts.md §4, status codes)
    3100: "A record with this name already exists in QuickBooks Desktop.",
    3140: "It points at a vendor, customer, item or account the company file does not have: check the mappings, "
          "then it is sent again on the next Web Connector update.",
    3020: "QuickBooks refused a date: check the dates in inBuild.",
    3180: "QuickBooks could not save it (a closed period, or a required field): check it in QuickBooks.",
    3120: "It is no longer in the company file (deleted in QuickBooks Desktop?): check it there, then Resync it.",
    3200: "It was changed in QuickBooks Desktop while inBuild sent its changes: it is sent again on the next update.",
}
STALE_EDIT_SEQUENCE = 3200


def mark_sent(db: Database, session: DesktopSession, step: Step, now: datetime) -> None:
    """Before a request leaves: the step and, for an add, the record are marked sent (inside one transaction)."""
    set_step_status(db, session.id, step.seq, SENT)
    if step.purpose in (work.ADD, work.MOD):
        save_state(db, session.company_id, session.realm_id, step.record_kind, step.record_id, now, status=SENDING,
                   version=step.detail["version"], request_id=f"qbd:{step.request_id}",
                   attempts=step.detail.get("attempts", 0) + 1)
    elif step.purpose == work.LIST_ADD:
        save_list_add(db, session.company_id, session.realm_id, step.record_kind, step.record_id, now, ADD_SENDING)


def apply_answer(db: Database, session: DesktopSession, step: Step, answer: QbxmlResponse, now: datetime) -> None:
    """Store what the answer says (inside the caller's transaction) and close the step."""
    handler = {work.LIST: _list_page, work.LIST_ADD: _list_added, work.LIST_FIND: _list_found,
               work.FIND: _record_found, work.ADD: _record_added, work.MOD: _record_modded,
               work.FRESHEN: _freshened,
               payment_reads.PAYMENT_READ: payment_reads.apply_payment_answer}.get(step.purpose)
    ok = handler(db, session, step, answer, now) if handler else answer.ok or answer.status_code == NAME_NOT_UNIQUE
    set_step_status(db, session.id, step.seq, DONE if ok else FAILED)


def skip_unreadable(db: Database, session: DesktopSession, step: Step, message: str) -> bool:
    """A read that changes nothing when it fails (a payment read) is dropped and the session goes on; the message is
    kept for getLastError. Other steps end the session (False)."""
    if step.purpose != payment_reads.PAYMENT_READ:
        return False
    set_step_status(db, session.id, step.seq, FAILED)
    set_session_error(db, session.id, message)
    return True


def said(answer: QbxmlResponse) -> str:
    advice = ADVICE.get(answer.status_code, "Check it in inBuild and in QuickBooks Desktop.")
    return f"QuickBooks Desktop said: {answer.message or 'no details given'} (status {answer.status_code}). {advice}"


def _list_page(db, session, step, answer, now) -> bool:
    if not (answer.ok or answer.no_match):
        return False
    records = [r for r in (record_from_ret(step.entity, ret) for ret in answer.rets) if r is not None]
    stage_records(db, session.id, step.entity, [(r.qbo_id, as_row(r)) for r in records])
    if answer.iterator_id and answer.remaining > 0:
        add_step(db, session.id, work.LISTS, work.LIST, step.entity, rq.list_query(step.entity, answer.iterator_id))
        return True
    everything = [from_row(row) for row in take_staged_records(db, session.id, step.entity)]
    replace_records(db, session.company_id, session.realm_id, step.entity, everything, now)
    return True


def _list_added(db, session, step, answer, now) -> bool:
    if answer.status_code == NAME_NOT_UNIQUE:  # already there (perhaps our own earlier add): link it by name
        add_step(db, session.id, work.LIST_ADDS, work.LIST_FIND, step.entity,
                 rq.query_by_name(step.entity, step.detail["name"]), step.record_kind, step.record_id, step.detail)
        return True
    return _link_list_record(db, session, step, answer, now)


def _list_found(db, session, step, answer, now) -> bool:
    return _link_list_record(db, session, step, answer, now)


def _link_list_record(db, session, step, answer, now) -> bool:
    record = record_from_ret(step.entity, answer.rets[0]) if answer.ok and answer.rets else None
    if record is None:
        save_list_add(db, session.company_id, session.realm_id, step.record_kind, step.record_id, now, ADD_FAILED,
                      message=said(answer))
        return False
    edit_sequence = child_text(answer.rets[0], "EditSequence")[:40]
    save_list_add(db, session.company_id, session.realm_id, step.record_kind, step.record_id, now, ADD_DONE,
                  record.qbo_id, edit_sequence)
    upsert_record(db, session.company_id, session.realm_id, record, now)
    save_mapping(db, session.company_id, session.realm_id, step.record_kind, step.record_id, record.qbo_id,
                 record.name, CREATED, now)
    return True


def _record_found(db, session, step, answer, now) -> bool:
    if not (answer.ok or answer.no_match):
        return False
    tag = marker(step.record_kind, session.company_id, step.record_id)
    ours = next((ret for ret in answer.rets if tag in child_text(ret, "Memo")), None)
    state = get_sync_record(db, session.company_id, session.realm_id, step.record_kind, step.record_id)
    if ours is None:  # it never arrived: now (and only now) it may be added again
        work.replan_record(db, session.id, session.company_id, session.realm_id, step.record_kind, step.record_id)
        return True
    _mark_synced(db, session, step, ours, state.version if state else "", now)
    return True


def _record_added(db, session, step, answer, now) -> bool:
    if answer.ok and answer.rets and child_text(answer.rets[0], "TxnID"):
        _mark_synced(db, session, step, answer.rets[0], step.detail["version"], now)
        payment_reads.save_added(db, session, step.record_kind, step.record_id, answer.rets[0], now)
        return True
    return _record_failed(db, session, step, said(answer), now)


def _record_failed(db, session, step, message: str, now: datetime) -> bool:
    save_state(db, session.company_id, session.realm_id, step.record_kind, step.record_id, now, status=RECORD_FAILED,
               message=message, fix_kind=None, fix_inbuild_id=None)
    if session.run_id is not None:
        add_to_run(db, session.run_id, done=1, failed=1)
    return False


def _record_modded(db, session, step, answer, now) -> bool:
    """BillMod/InvoiceMod: synced with the new EditSequence; a stale EditSequence is read again, then re-sent once
    (the Mod carries the whole record, so applying it over a newer EditSequence changes nothing twice)."""
    if answer.ok and answer.rets and child_text(answer.rets[0], "TxnID"):
        _mark_synced(db, session, step, answer.rets[0], step.detail["version"], now, counter="updated")
        return True
    if answer.status_code == STALE_EDIT_SEQUENCE and not step.detail.get("freshened"):
        work.plan_freshen(db, session.id, step.record_kind, step.record_id, step.detail["txn_id"])
        return True
    return _record_failed(db, session, step, said(answer), now)


def _freshened(db, session, step, answer, now) -> bool:
    ret = answer.rets[0] if answer.ok and answer.rets else None
    if ret is None:
        return _record_failed(db, session, step, "QuickBooks Desktop no longer has it (deleted there?): check it "
                              "in QuickBooks Desktop, then Resync it.", now)
    edit_sequence = child_text(ret, "EditSequence")[:40]
    save_state(db, session.company_id, session.realm_id, step.record_kind, step.record_id, now,
               sync_token=edit_sequence)
    work.replan_mod(db, session.id, session.company_id, session.realm_id, step.record_kind, step.record_id,
                    edit_sequence)
    return True


def _mark_synced(db, session, step, ret, version: str, now: datetime, counter: str = "created") -> None:
    save_state(db, session.company_id, session.realm_id, step.record_kind, step.record_id, now, status=SYNCED,
               qbo_id=child_text(ret, "TxnID")[:100], sync_token=child_text(ret, "EditSequence")[:40],
               version=version, synced_version=version, message="", fix_kind=None, fix_inbuild_id=None, synced_at=now)
    if session.run_id is not None:
        add_to_run(db, session.run_id, done=1, **{counter: 1})


PARSE_ERROR = "0x80040400"  # QuickBooks could not parse the request: it certainly did not apply it


def request_refused(db: Database, session: DesktopSession, step: Step, hresult: str, message: str,
                    now: datetime) -> None:
    """The request processor answered with an hresult and no response. The step is consumed (never re-sent in this
    session: qbwc/qbwc #53); an add stays `sending`, to be looked up next time, unless QuickBooks could not even
    parse it."""
    set_step_status(db, session.id, step.seq, FAILED)
    if step.purpose in (work.ADD, work.MOD) and hresult.strip().lower() == PARSE_ERROR:
        save_state(db, session.company_id, session.realm_id, step.record_kind, step.record_id, now,
                   status=RECORD_FAILED, message=message, fix_kind=None, fix_inbuild_id=None)
        if session.run_id is not None:
            add_to_run(db, session.run_id, done=1, failed=1)
    elif step.purpose == work.LIST_ADD:
        save_list_add(db, session.company_id, session.realm_id, step.record_kind, step.record_id, now, ADD_FAILED,
                      message=message)
