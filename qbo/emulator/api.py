"""The QuickBooks Online v3 API: /v3/company/<realmId>/..."""
from __future__ import annotations

import sqlite3
from functools import wraps
from typing import Callable

from flask import Blueprint, Response, request

from .batch import is_batch_request, run_batch
from .cdc import changes_since, parse_cdc_request
from .clock import intuit_time, now, utc_iso
from .context import current_emulator
from .entities import get_entity
from .entity_faults import EntityFault, fault_response
from .grants import API_SCOPES, find_access_token
from .query import QueryError
from .request_ids import StoredResponse, find_response, remember_response
from .resources import RESOURCES, WRITABLE
from .responses import (
    API_TYPE, json_response, qbo_authentication_failed, qbo_authorization_failed, qbo_fault,
)
from .selects import query_fault, select
from .token_format import ACCESS_TOKEN_HEADER
from .webhook_outbox import Change, change_of_write
from .wire import bearer_token, wire_endpoint
from .writes import WriteOptions, perform

bp = Blueprint("emulator_api", __name__, url_prefix="/v3/company/<realm_id>")

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _token_problem(realm_id: str) -> Response | None:
    token = bearer_token()
    if token is None:
        return qbo_authentication_failed("Authorization header missing or not a Bearer token")
    with current_emulator().db.transaction() as conn:
        record = find_access_token(conn, token)
    if record is None:
        if not token.startswith(ACCESS_TOKEN_HEADER):
            return qbo_authentication_failed("Malformed bearer token: too short or too long")
        return qbo_authentication_failed("Token invalid: unknown access token")
    if record.grant.revoked_at is not None:
        return qbo_authentication_failed("Token revoked: the grant was revoked or disconnected")
    if record.expires_at <= now():
        return qbo_authentication_failed(f"Token expired at {utc_iso(record.expires_at)}")
    if record.grant.realm_id != realm_id or not API_SCOPES & record.grant.scopes:
        return qbo_authorization_failed(f"Authorization Failure: the access token is not"
                                        f" authorized for company {realm_id}")
    return None


def api_view(view: Callable) -> Callable:
    """Wrap an API view with wire behaviour and the bearer-token check."""
    @wraps(view)
    def checked(realm_id: str, **kwargs) -> Response:
        problem = _token_problem(realm_id)
        if problem:
            return problem
        # minorversion is accepted and ignored: since Aug 2025 Intuit serves everything as 75.
        return view(realm_id, **kwargs)
    return wire_endpoint("api", latency=True)(checked)


def unsupported_operation() -> Response:
    """The fault QBO sends for a path or method it does not serve."""
    return qbo_fault(400, "500", "Unsupported Operation",
                     f"Operation {request.method} {request.path} is not supported.")


def object_not_found(entity: str, entity_id: str) -> Response:
    """The fault QBO sends when a read names a missing object."""
    return qbo_fault(400, "610", "Object Not Found",
                     f"Object Not Found : Something you're trying to use has been made inactive"
                     f" or deleted. {entity} Id={entity_id}")


@bp.get("/<resource>/<entity_id>")
@api_view
def read_entity(realm_id: str, resource: str, entity_id: str) -> Response:
    """Read one entity by id."""
    entity = RESOURCES.get(resource)
    if entity is None:
        return unsupported_operation()
    with current_emulator().db.transaction() as conn:
        found = get_entity(conn, realm_id, entity, entity_id)
    if found is None:
        return object_not_found(entity, entity_id)
    return json_response({entity: found, "time": intuit_time()})


def _replayable(realm_id: str, answer: Callable[[sqlite3.Connection, list[Change]], Response]) -> Response:
    """Run a write once per requestid: a repeat gets the first response back, doing nothing.

    The answer lists the changes it made; their webhook events commit with them and go out afterwards.
    """
    request_id = request.args.get("requestid")
    emulator = current_emulator()
    changes: list[Change] = []
    with emulator.db.transaction() as conn:
        stored = find_response(conn, realm_id, request_id) if request_id else None
        if stored is not None:
            return Response(stored.body, stored.status, content_type=API_TYPE)
        response = answer(conn, changes)
        if request_id:
            remember_response(conn, realm_id, request_id,
                              StoredResponse(response.status_code, response.get_data(as_text=True)))
        recorded = emulator.webhooks.record(conn, changes)
    if recorded:
        emulator.webhooks.wake()
    return response


def _write_options() -> WriteOptions:
    included = {part.strip().lower() for part in request.args.get("include", "").split(",")}
    return WriteOptions(now(), allow_duplicate_doc_number="allowduplicatedocnum" in included)


@bp.post("/batch")
@api_view
def batch(realm_id: str) -> Response:
    """Run up to 30 BatchItemRequests; each item succeeds or faults on its own."""
    body = request.get_json(force=True, silent=True)
    if not is_batch_request(body):
        return unsupported_operation()
    options = _write_options()

    def answer(conn: sqlite3.Connection, changes: list[Change]) -> Response:
        try:
            items = run_batch(conn, realm_id, body["BatchItemRequest"], options)
        except EntityFault as fault:
            return fault_response(fault)
        changes.extend(_batch_changes(realm_id, body["BatchItemRequest"], items))
        return json_response({"BatchItemResponse": items, "time": intuit_time()})
    return _replayable(realm_id, answer)


@bp.post("/<resource>")
@api_view
def write(realm_id: str, resource: str) -> Response:
    """Create, update, delete or void one entity; a repeated requestid replays the first answer."""
    entity = WRITABLE.get(resource)
    operation = request.args.get("operation") or None
    if entity is None or operation not in (None, "update", "delete", "void"):
        return unsupported_operation()
    body = request.get_json(force=True, silent=True)
    options = _write_options()

    def answer(conn: sqlite3.Connection, changes: list[Change]) -> Response:
        try:
            saved = perform(conn, realm_id, entity, None if operation == "update" else operation,
                            body, options)
        except EntityFault as fault:
            return fault_response(fault)
        changes.append(change_of_write(realm_id, entity, operation, body, saved))
        return json_response({entity: saved, "time": intuit_time()})
    return _replayable(realm_id, answer)


def _batch_changes(realm_id: str, requests_: list, items: list[dict]) -> list[Change]:
    """The changes of the batch items that succeeded (queries and faulted items change nothing)."""
    changes = []
    for item_request, item in zip(requests_, items, strict=True):
        entity = next((key for key in item if key in WRITABLE.values()), None)
        if entity is None:
            continue
        operation = item_request.get("operation")
        if operation == "update" and str(item_request.get("optionsData", "")).lower() == "void":
            operation = "void"
        changes.append(change_of_write(realm_id, entity, operation, item_request.get(entity), item[entity]))
    return changes


def _query_text() -> str:
    if request.method == "GET":
        return request.args.get("query", "")
    if request.mimetype == "application/x-www-form-urlencoded":
        return request.form.get("query", "")
    return request.get_data(as_text=True)


@bp.route("/query", methods=["GET", "POST"])
@api_view
def query(realm_id: str) -> Response:
    """Run a select statement against one company."""
    try:
        with current_emulator().db.transaction() as conn:
            answer = select(conn, realm_id, _query_text())
    except QueryError as error:
        return fault_response(query_fault(error))
    return json_response({"QueryResponse": answer, "time": intuit_time()})


@bp.get("/cdc")
@api_view
def change_data_capture(realm_id: str) -> Response:
    """What changed (or was deleted) since changedSince, for the entities asked."""
    try:
        wanted = parse_cdc_request(request.args.get("entities"), request.args.get("changedSince"), now())
    except EntityFault as fault:
        return fault_response(fault)
    with current_emulator().db.transaction() as conn:
        answer = changes_since(conn, realm_id, wanted)
    return json_response({"CDCResponse": [{"QueryResponse": answer}], "time": intuit_time()})


@bp.route("/<path:rest>", methods=ALL_METHODS)
@api_view
def unsupported(realm_id: str, rest: str) -> Response:
    """Anything else under the company path."""
    return unsupported_operation()
