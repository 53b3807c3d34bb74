"""The /_emulator control surface: JSON for tests, plain forms for demos."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from .calls import clear_calls, list_calls
from .clock import now
from .context import current_emulator
from .directory import (
    Client, client_from_mapping, company_members, get_company, list_clients, list_companies,
    save_client,
)
from .company_preferences import load_preferences
from .faults import FAULT_KINDS, FAULT_RESOURCES, add_fault, clear_faults, list_faults, parse_fault
from .grant_admin import disconnect_realm, expire_access_tokens, expire_refresh_tokens, list_grants
from .resources import WRITABLE_ENTITIES
from .seed import USERS, reset
from .settings import clear_settings, load_settings, parse_settings, save_settings
from .token_format import fingerprint
from .user_changes import CHANGES
from .user_payments import payment_overview
from .webhook_config import clear_config as clear_webhook_config
from .webhook_config import load_config as load_webhook_config
from .webhook_outbox import clear_outbox, list_deliveries, pending_count

bp = Blueprint("emulator_control", __name__, url_prefix="/_emulator")

REALM_ACTIONS: dict[str, tuple[Callable, str]] = {
    "expire-access-token": (expire_access_tokens, "access tokens expired"),
    "expire-refresh-token": (expire_refresh_tokens, "refresh tokens expired"),
    "disconnect": (disconnect_realm, "grants revoked (disconnected)"),
}


def from_form() -> bool:
    return request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")


def control_payload() -> dict:
    if from_form():
        return request.form.to_dict()
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def control_done(body: dict, message: str, status: int = 200) -> ResponseReturnValue:
    """JSON for API callers; a flash and a redirect back for the control page's forms."""
    if from_form():
        flash(message, "error" if status >= 400 else "notice")
        return redirect(url_for("emulator_control.index"), 303)
    return jsonify(body), status


@bp.get("/")
def index() -> str:
    """The control page."""
    emulator = current_emulator()
    with emulator.db.transaction() as conn:
        page = {
            "companies": list_companies(conn), "members": company_members(conn),
            "grants": [_displayable(grant) for grant in list_grants(conn) if not grant["revoked"]],
            "faults": list_faults(conn), "calls": list_calls(conn, limit=50),
            "clients": list_clients(conn),
            "settings": load_settings(conn, emulator.default_settings),
            "preferences": {company.realm_id: load_preferences(conn, company.realm_id)
                            for company in list_companies(conn)},
            "webhooks": load_webhook_config(conn, emulator.webhooks.defaults),
            "webhook_pending": pending_count(conn), "deliveries": list_deliveries(conn, limit=10),
            "payment_books": {company.realm_id: payment_overview(conn, company.realm_id)
                              for company in list_companies(conn)},
        }
    return render_template("emulator/control.html", users=USERS, fault_kinds=FAULT_KINDS,
                           fault_resources=FAULT_RESOURCES, throttle=emulator.throttle.settings,
                           change_entities=sorted(WRITABLE_ENTITIES), user_changes=CHANGES, **page)


def _displayable(grant: dict) -> dict:
    token = grant.pop("latest_refresh_token")
    return {**grant, "refresh_token_hint": fingerprint(token) if token else "none"}


@bp.post("/api/realms/<realm_id>/<action>")
def realm_action(realm_id: str, action: str) -> ResponseReturnValue:
    """Expire tokens of a realm, or disconnect the app from it."""
    if action not in REALM_ACTIONS:
        return control_done({"error": f"unknown action {action}"}, f"Unknown action {action}",
                            404)
    operation, outcome = REALM_ACTIONS[action]
    with current_emulator().db.transaction() as conn:
        if get_company(conn, realm_id) is None:
            return control_done({"error": f"unknown realm {realm_id}"},
                                f"Unknown realm {realm_id}", 404)
        affected = operation(conn, realm_id, now())
    return control_done({"realm_id": realm_id, "action": action, "affected": affected},
                        f"{realm_id}: {affected} {outcome}")


@bp.get("/api/faults")
def faults() -> ResponseReturnValue:
    """The pending fault plan."""
    with current_emulator().db.transaction() as conn:
        return jsonify([fault.as_json() for fault in list_faults(conn)])


@bp.post("/api/faults")
def plan_fault() -> ResponseReturnValue:
    """Make the next N matching calls fail in the given way."""
    try:
        fault = parse_fault(control_payload())
    except ValueError as error:
        return control_done({"error": str(error)}, str(error), 400)
    with current_emulator().db.transaction() as conn:
        planned = add_fault(conn, fault)
    return control_done(planned.as_json(), f"Planned {planned.kind} for the next"
                        f" {planned.remaining} {planned.endpoint} call(s)", 201)


@bp.delete("/api/faults")
@bp.post("/api/faults/clear")
def remove_faults() -> ResponseReturnValue:
    """Drop the fault plan."""
    with current_emulator().db.transaction() as conn:
        cleared = clear_faults(conn)
    return control_done({"cleared": cleared}, f"Cleared {cleared} fault(s)")


@bp.get("/api/calls")
def calls() -> ResponseReturnValue:
    """The call log, oldest first."""
    with current_emulator().db.transaction() as conn:
        return jsonify(list_calls(conn))


@bp.delete("/api/calls")
@bp.post("/api/calls/clear")
def remove_calls() -> ResponseReturnValue:
    """Empty the call log."""
    with current_emulator().db.transaction() as conn:
        cleared = clear_calls(conn)
    return control_done({"cleared": cleared}, f"Cleared {cleared} call(s)")


@bp.get("/api/clients")
def clients() -> ResponseReturnValue:
    """Registered clients (secrets withheld)."""
    with current_emulator().db.transaction() as conn:
        return jsonify([_client_json(client) for client in list_clients(conn)])


def _client_json(client: Client) -> dict:
    return {"client_id": client.client_id, "name": client.name,
            "redirect_uris": list(client.redirect_uris)}


@bp.post("/api/clients")
def register_client() -> ResponseReturnValue:
    """Register or replace an app registration."""
    data = control_payload()
    if from_form():
        data["redirect_uris"] = data.get("redirect_uris", "").split()
    if not data.get("client_id") or not data.get("client_secret") or not isinstance(
            data.get("redirect_uris"), list):
        message = "client_id, client_secret and a list of redirect_uris are required"
        return control_done({"error": message}, message, 400)
    client = client_from_mapping(data)
    with current_emulator().db.transaction() as conn:
        save_client(conn, client)
    return control_done(_client_json(client), f"Registered client {client.client_id}")


@bp.get("/api/grants")
def grants() -> ResponseReturnValue:
    """Grants (optionally for one realm), including the latest refresh token, for tests."""
    with current_emulator().db.transaction() as conn:
        return jsonify(list_grants(conn, request.args.get("realm_id") or None))


@bp.post("/api/reset")
def reset_state() -> ResponseReturnValue:
    """Return to the seed state (throttle and webhooks too); configured clients are restored, registered kept."""
    emulator = current_emulator()
    with emulator.db.transaction() as conn:
        reset(conn)
        clear_settings(conn)
        clear_webhook_config(conn)
        clear_outbox(conn)
        for client in emulator.config_clients:
            save_client(conn, client)
    emulator.throttle.reset()
    return control_done({"reset": True}, "Emulator reset to seed data")


@bp.get("/api/settings")
def settings() -> ResponseReturnValue:
    """The settings in force."""
    return jsonify(current_emulator().settings().as_json())


@bp.post("/api/settings")
def change_settings() -> ResponseReturnValue:
    """Change refresh-token rotation or added latency."""
    data = control_payload()
    if from_form():
        data["latency_ms"] = [data.pop("latency_min", 0) or 0, data.pop("latency_max", 0) or 0]
    emulator = current_emulator()
    try:
        updated = parse_settings(data, emulator.settings())
    except ValueError as error:
        return control_done({"error": str(error)}, str(error), 400)
    with emulator.db.transaction() as conn:
        save_settings(conn, updated)
    low, high = updated.latency_ms
    return control_done(updated.as_json(),
                        f"Rotation {updated.rotation}, latency {low}-{high} ms")
