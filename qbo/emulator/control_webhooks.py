"""Control endpoints for webhooks: where they go, what was sent, and changes made "inside QuickBooks"."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from .clock import now
from .context import current_emulator
from .control import control_done, control_payload, from_form
from .directory import get_company
from .entity_faults import EntityFault
from .user_changes import apply_user_change
from .webhook_config import load_config, parse_config, save_config
from .webhook_outbox import Change, list_deliveries, pending_count

bp = Blueprint("emulator_control_webhooks", __name__, url_prefix="/_emulator/api")


@bp.get("/webhooks")
def webhooks() -> ResponseReturnValue:
    """The webhook settings (verifier token withheld), events waiting, and the newest deliveries."""
    emulator = current_emulator()
    with emulator.db.transaction() as conn:
        config = load_config(conn, emulator.webhooks.defaults)
        return jsonify({**config.as_json(), "pending": pending_count(conn), "deliveries": list_deliveries(conn)})


@bp.post("/webhooks")
def change_webhooks() -> ResponseReturnValue:
    """Set url, verifier_token, format (cloudevents or legacy), enabled, hold."""
    data = control_payload()
    if from_form() and not data.get("verifier_token"):
        data.pop("verifier_token", None)  # an empty password field keeps the token
    emulator = current_emulator()
    with emulator.db.transaction() as conn:
        try:
            updated = parse_config(data, load_config(conn, emulator.webhooks.defaults))
        except ValueError as error:
            return control_done({"error": str(error)}, str(error), 400)
        save_config(conn, updated)
    if updated.active:
        emulator.webhooks.wake()  # events waiting for a new URL or held until now go out at once
    state = "on" if updated.enabled else "off"
    return control_done(updated.as_json(), f"Webhooks {state} ({updated.format}) to {updated.url or 'nowhere'}")


@bp.post("/webhooks/deliver")
def deliver_webhooks() -> ResponseReturnValue:
    """Deliver every waiting event now, held ones too, and answer with what was sent."""
    deliveries, _ = current_emulator().webhooks.deliver_due(force=True)
    body = {"deliveries": [delivery.as_json() for delivery in deliveries]}
    return control_done(body, f"{sum(d.events for d in deliveries)} event(s) in {len(deliveries)} delivery(ies)")


@bp.post("/webhooks/redeliver")
def redeliver_webhook() -> ResponseReturnValue:
    """Send an earlier delivery's exact body again (Intuit's retries), by its id."""
    try:
        delivery_id = int(control_payload().get("delivery_id"))
    except (TypeError, ValueError):
        return control_done({"error": "delivery_id must be a number"}, "delivery_id must be a number", 400)
    delivery = current_emulator().webhooks.redeliver(delivery_id)
    if delivery is None:
        message = f"No delivery {delivery_id}, or webhooks are off"
        return control_done({"error": message}, message, 404)
    return control_done(delivery.as_json(), f"Delivery {delivery_id} sent again: {delivery.status or delivery.error}")


@bp.post("/realms/<realm_id>/changes")
def change_record(realm_id: str) -> ResponseReturnValue:
    """Change a record as a QuickBooks user would.

    {"entity", "id", "change": update|deactivate|reactivate|delete|void}
    """
    data = control_payload()
    return user_change(realm_id, lambda conn: apply_user_change(
        conn, realm_id, str(data.get("entity", "")), str(data.get("id", "")), str(data.get("change", "")), now()))


def user_change(realm_id: str, make: Callable[[sqlite3.Connection], tuple[dict, Change]]) -> ResponseReturnValue:
    """Make a change in one transaction with its webhook event; the answer for JSON callers and forms alike."""
    emulator = current_emulator()
    with emulator.db.transaction() as conn:
        if get_company(conn, realm_id) is None:
            return control_done({"error": f"unknown realm {realm_id}"}, f"Unknown realm {realm_id}", 404)
        try:
            saved, change = make(conn)
        except LookupError as error:
            return control_done({"error": str(error)}, str(error), 404)
        except ValueError as error:
            return control_done({"error": str(error)}, str(error), 400)
        except EntityFault as fault:
            return control_done({"error": fault.as_json()}, f"QuickBooks refused: {fault.detail}", 400)
        events = emulator.webhooks.record(conn, [change])
    if events:
        emulator.webhooks.wake()
    return control_done({"realm_id": realm_id, "entity": change.entity, "id": change.entity_id,
                         "operation": change.operation, "record": saved, "webhook_events": events},
                        f"{change.entity} {change.entity_id}: {change.operation} in realm {realm_id}")
