"""What every wire endpoint shares: credentials parsing, latency, faults, call log."""
from __future__ import annotations

import random
import time
from functools import wraps
from typing import Callable

from flask import Response, g, make_response, request

from .calls import Call, record_call
from .clock import now
from .context import Emulator, current_emulator
from .directory import Client, authenticate_client
from .faults import FAULT_ENDPOINTS, Fault, failure_response, take_fault
from .responses import oauth_error
from .token_format import new_intuit_tid


def bearer_token() -> str | None:
    """The bearer token from the Authorization header, if one was sent."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def authenticated_client() -> Client | None:
    """The client named by HTTP Basic credentials, if they are right."""
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username:
        return None
    with current_emulator().db.transaction() as conn:
        return authenticate_client(conn, auth.username, auth.password or "")


def invalid_client() -> Response:
    """401 invalid_client, with the Basic challenge RFC 6749 asks for."""
    response = oauth_error("invalid_client", 401)
    response.headers["WWW-Authenticate"] = 'Basic realm="Intuit"'
    return response


def note_realm(realm_id: str | None) -> None:
    """Tell the call log which realm this call concerned."""
    g.emulator_call_realm = realm_id


def wire_endpoint(endpoint: str, latency: bool = False) -> Callable:
    """Wrap a view with Intuit's intuit_tid header, latency, the fault plan and the call log."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def run(*args, **kwargs) -> Response:
            emulator = current_emulator()
            note_realm(kwargs.get("realm_id"))
            if latency:
                _sleep_latency(emulator)
            fault = _take_fault(emulator, endpoint)
            if fault and fault.kind != "drop_after_commit":
                response = failure_response(fault, endpoint)
            else:
                response = make_response(view(*args, **kwargs))
            response.headers["intuit_tid"] = new_intuit_tid()
            _log_call(emulator, endpoint, response, fault)
            if fault and fault.kind in ("timeout", "drop_after_commit"):
                # Sleep outside any transaction so other threads keep being served.
                time.sleep(fault.seconds)
            return response
        return run
    return decorate


def _sleep_latency(emulator: Emulator) -> None:
    low, high = emulator.settings().latency_ms
    if high > 0:
        time.sleep(random.uniform(low, high) / 1000)


def _take_fault(emulator: Emulator, endpoint: str) -> Fault | None:
    if endpoint not in FAULT_ENDPOINTS:
        return None
    with emulator.db.transaction() as conn:
        return take_fault(conn, endpoint)


def _log_call(emulator: Emulator, endpoint: str, response: Response, fault: Fault | None) -> None:
    grant_type = request.form.get("grant_type") if endpoint == "token" else None
    call = Call(endpoint, request.method, grant_type, response.status_code,
                g.get("emulator_call_realm"), fault.kind if fault else None,
                response.headers["intuit_tid"], now())
    with emulator.db.transaction() as conn:
        record_call(conn, call)
