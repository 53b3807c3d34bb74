"""The QBWC methods (qbwc-facts.md §2–3): tickets, the send/receive loop over a session's steps, and errors.

Every answer to a bad, expired, replaced or foreign ticket follows the Web Connector's own conventions ("" from
sendRequestXML, -1 from receiveResponseXML, "done" from connectionError) and changes nothing.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from qbo.desktop import answers, link_store, work
from qbo.desktop.credentials import new_ticket, normalized_password, secret_hash, secret_matches
from qbo.desktop.qbxml import envelope, parse_responses
from qbo.desktop.safe_xml import UnreadableXml
from qbo.desktop.session_start import SessionRefused, start_session
from qbo.desktop.session_store import (
    CLOSED,
    ENDED,
    DesktopSession,
    end_session,
    has_steps,
    next_pending_step,
    open_session,
    progress,
    session_by_ticket,
    set_session_error,
    step_in_flight,
    touch_session,
)
from qbo.desktop.state import explain_hresult
from qbo.storage.db import immediate
from qbo.sync.store import FINISHED, STOPPED, finish_run

SERVER_VERSION = "inBuild Web Connector service 1.0"
SESSION_IDLE_LIMIT = timedelta(minutes=30)
BAD_TICKET = ("This Web Connector session is not valid any more (it ended, expired, or the password was changed). "
              "The next update starts a new one.")
NOT_A_USER, NO_WORK = "nvu", "none"


def server_version(db: Database, params: dict, now: datetime) -> str:
    return SERVER_VERSION


def client_version(db: Database, params: dict, now: datetime) -> str:
    return ""  # every Web Connector version that speaks this interface will do


def authenticate(db: Database, params: dict, now: datetime) -> list[str]:
    """[ticket, company file path or ""] for a good user; ["", "nvu"] for a wrong one; ["", "none"] with no work."""
    link = link_store.link_by_username(db, params["strUserName"].strip()[:100])
    if link is None or not link.usable or link_store.connection_state(db, link.company_id) in (None, "disconnected"):
        return ["", NOT_A_USER]
    if not secret_matches(normalized_password(params["strPassword"][:200]), link.password_hash):
        return ["", NOT_A_USER]
    with immediate(db):
        link_store.record_contact(db, link.company_id, now)
    company_file = link_store.get_company_file(db, link.company_file_id)
    if company_file is not None and not work.has_work(db, link.company_id, company_file.realm_id, now):
        return ["", NO_WORK]
    ticket = new_ticket()
    open_session(db, link.company_id, secret_hash(ticket), link.credential_version, now)
    return [ticket, company_file.file_path if company_file else ""]


def _live_session(db: Database, ticket: str, now: datetime) -> DesktopSession | None:
    """The open session this ticket belongs to, if its credentials still stand and it has not gone idle."""
    session = session_by_ticket(db, secret_hash(ticket)) if 0 < len(ticket) <= 200 else None
    if session is None or session.state != "open" or now - session.last_seen_at > SESSION_IDLE_LIMIT:
        return None
    link = link_store.get_link(db, session.company_id)
    if link is None or not link.usable or link.credential_version != session.credential_version:
        return None
    touch_session(db, session.id, now)
    return session


def send_request_xml(db: Database, params: dict, now: datetime) -> str:
    session = _live_session(db, params["ticket"], now)
    if session is None:
        return ""
    if step_in_flight(db, session.id) is not None:
        return _fail(db, session, "The Web Connector asked for a new request before answering the last one.", now)
    if not has_steps(db, session.id):
        try:
            session = start_session(db, session, params, now)
        except SessionRefused as refused:
            return _fail(db, session, str(refused), now, card=True)
    step = next_pending_step(db, session.id)
    if step is None:
        return _fail(db, session, "inBuild had nothing more to send in this session.", now)
    with immediate(db):
        answers.mark_sent(db, session, step, now)
    return envelope(step.request_xml, session.qbxml_version, step.request_id)


def receive_response_xml(db: Database, params: dict, now: datetime) -> int:
    session = _live_session(db, params["ticket"], now)
    step = step_in_flight(db, session.id) if session is not None else None
    if step is None:
        return -1
    if params["hresult"].strip():
        message = explain_hresult(params["hresult"], params["message"])
        with immediate(db):
            answers.request_refused(db, session, step, params["hresult"], message, now)
        _fail(db, session, message, now, card=True)
        return -1
    try:
        answer = next(r for r in parse_responses(params["response"]) if r.request_id == step.request_id)
    except (UnreadableXml, StopIteration):
        message = "QuickBooks' answer could not be read, or did not answer inBuild's request."
        with immediate(db):
            skipped = answers.skip_unreadable(db, session, step, message)
        if skipped:
            return percent_done(db, session.id)
        _fail(db, session, message, now)
        return -1
    with immediate(db):
        answers.apply_answer(db, session, step, answer, now)
    return percent_done(db, session.id)


def percent_done(db: Database, session_id: int) -> int:
    if next_pending_step(db, session_id) is None:
        return 100
    done, total = progress(db, session_id)
    return min(99, done * 100 // max(total, 1))


def connection_error(db: Database, params: dict, now: datetime) -> str:
    session = _live_session(db, params["ticket"], now)
    if session is not None:
        _fail(db, session, explain_hresult(params["hresult"], params["message"]), now, card=True)
    return "done"


def get_last_error(db: Database, params: dict, now: datetime) -> str:
    ticket = params["ticket"]
    session = session_by_ticket(db, secret_hash(ticket)) if 0 < len(ticket) <= 200 else None
    if session is None or (session.state == "open" and _live_session(db, ticket, now) is None):
        return BAD_TICKET
    return session.last_error or "No error."


def close_connection(db: Database, params: dict, now: datetime) -> str:
    ticket = params["ticket"]
    session = _live_session(db, ticket, now)
    if session is None:
        ended = session_by_ticket(db, secret_hash(ticket)) if 0 < len(ticket) <= 200 else None
        return ended.last_error if ended is not None and ended.last_error else BAD_TICKET
    with immediate(db):
        link_store.clear_error(db, session.company_id, now)
    _finish(db, session, CLOSED, now)
    return "OK: inBuild is up to date with QuickBooks Desktop."


def _fail(db: Database, session: DesktopSession, message: str, now: datetime, card: bool = False) -> str:
    """Remember the error for getLastError (and for the card when the admin must act); end the session."""
    with immediate(db):
        set_session_error(db, session.id, message)
        if card:
            link_store.record_error(db, session.company_id, message, now)
    _finish(db, session, ENDED, now, stopped=message)
    return ""


def _finish(db: Database, session: DesktopSession, state: str, now: datetime, stopped: str = "") -> None:
    with immediate(db):
        end_session(db, session.id, state)
        if session.run_id is not None:
            finish_run(db, session.run_id, STOPPED if stopped else FINISHED, stopped[:300], now)


METHODS = {"serverVersion": server_version, "clientVersion": client_version, "authenticate": authenticate,
           "sendRequestXML": send_request_xml, "receiveResponseXML": receive_response_xml,
           "connectionError": connection_error, "getLastError": get_last_error,
           "closeConnection": close_connection}
