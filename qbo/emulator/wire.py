"""What every wire endpoint shares: credentials parsing, latency, faults, call log."""
from __future__ import annotations

import random
import socket
import time
from functools import wraps
from typing import Callable

from flask import Response, g, make_response, request

from .calls import Call, record_call
from .clock import now
from .context import Emulator, current_emulator
from .directory import Client, authenticate_client
from .faults import FAULT_ENDPOINTS, Fault, failure_response, take_fault
from .grant_admin import disconnect_realm
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


def api_resource() -> str | None:
    """The resource segment of a /v3/company/<realm>/<resource>/... path, lower-cased."""
    parts = request.path.split("/")
    return parts[4].lower() if len(parts) > 4 and parts[1:3] == ["v3", "company"] else None


def wire_endpoint(endpoint: str, latency: bool = False) -> Callable:
    """Wrap a view with throttling, intuit_tid, latency, the fault plan and the call log."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def run(*args, **kwargs) -> Response:
            emulator = current_emulator()
            realm_id = kwargs.get("realm_id")
            note_realm(realm_id)
            throttled = endpoint == "api" and realm_id is not None
            if throttled and not emulator.throttle.admit(realm_id, api_resource() == "batch"):
                return _logged(emulator, endpoint, emulator.throttle.response(), "throttle")
            try:
                return _serve(emulator, endpoint, latency, lambda: view(*args, **kwargs))
            finally:
                if throttled:
                    emulator.throttle.release(realm_id)
        return run
    return decorate


def _serve(emulator: Emulator, endpoint: str, latency: bool,
           view: Callable[[], object]) -> Response:
    if latency:
        _sleep_latency(emulator)
    fault = _take_fault(emulator, endpoint)
    if fault and fault.fails:
        response = failure_response(fault, endpoint)
    else:
        if fault and fault.kind == "slow":
            time.sleep(fault.seconds)
        response = make_response(view())
    _logged(emulator, endpoint, response, fault.kind if fault else None)
    if fault:
        _after_response(emulator, fault)
    return response


def _after_response(emulator: Emulator, fault: Fault) -> None:
    """What a fault does once the (committed) answer exists. Runs outside any transaction."""
    if fault.kind == "reset_after_commit" and _drop_connection():
        return
    if fault.kind in ("timeout", "drop_after_commit", "reset_after_commit"):
        time.sleep(fault.seconds)
    elif fault.kind == "revoke_after" and fault.remaining == 1:
        with emulator.db.transaction() as conn:
            disconnect_realm(conn, fault.realm_id or g.emulator_call_realm, now())


def _drop_connection() -> bool:
    """Close the client's connection without an answer (werkzeug's server only)."""
    connection = request.environ.get("werkzeug.socket")
    if connection is None:
        return False
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the client is already gone
    return True


def _sleep_latency(emulator: Emulator) -> None:
    low, high = emulator.settings().latency_ms
    if high > 0:
        time.sleep(random.uniform(low, high) / 1000)


def _take_fault(emulator: Emulator, endpoint: str) -> Fault | None:
    if endpoint not in FAULT_ENDPOINTS:
        return None
    with emulator.db.transaction() as conn:
        return take_fault(conn, endpoint, api_resource(), g.get("emulator_call_realm"))


def _logged(emulator: Emulator, endpoint: str, response: Response,
            fault: str | None) -> Response:
    """Stamp an intuit_tid on the response and append the call to the log."""
    response.headers["intuit_tid"] = new_intuit_tid()
    grant_type = request.form.get("grant_type") if endpoint == "token" else None
    call = Call(endpoint, request.method, grant_type, response.status_code,
                g.get("emulator_call_realm"), fault, response.headers["intuit_tid"], now())
    with emulator.db.transaction() as conn:
        record_call(conn, call)
    return response
