"""Control endpoints for payments made inside QuickBooks: pay a bill or an invoice, delete a payment."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from .clock import now
from .context import current_emulator
from .control import control_done, control_payload
from .control_webhooks import user_change
from .directory import get_company
from .resources import PAYMENT_ENTITIES
from .user_changes import apply_user_change
from .user_payments import payment_overview, record_user_payment

bp = Blueprint("emulator_control_payments", __name__, url_prefix="/_emulator/api/realms/<realm_id>/payments")


@bp.get("")
def payments(realm_id: str) -> ResponseReturnValue:
    """The company's open bills and invoices and its payments."""
    with current_emulator().db.transaction() as conn:
        if get_company(conn, realm_id) is None:
            return jsonify({"error": f"unknown realm {realm_id}"}), 404
        return jsonify(payment_overview(conn, realm_id))


@bp.post("")
def record_payment(realm_id: str) -> ResponseReturnValue:
    """Pay a bill or an invoice, in full or in part.

    {"entity": "Bill"|"Invoice", "id"} or the form's {"target": "Bill:12"}; optional "amount" (default: the open
    balance) and "date" (default: today).
    """
    data = control_payload()
    entity, _, entity_id = str(data.get("target") or "").partition(":")
    if not data.get("target"):
        entity, entity_id = str(data.get("entity", "")), str(data.get("id", ""))
    amount, txn_date = data.get("amount"), str(data.get("date") or "") or None
    return user_change(realm_id, lambda conn: record_user_payment(conn, realm_id, entity, entity_id, amount,
                                                                   txn_date, now()))


@bp.post("/delete")
def delete_payment(realm_id: str) -> ResponseReturnValue:
    """Delete a payment: {"entity": "BillPayment"|"Payment", "id"}; what it paid opens up again."""
    data = control_payload()
    entity, entity_id = str(data.get("entity", "")), str(data.get("id", ""))
    if entity not in PAYMENT_ENTITIES:
        message = f"entity must be one of {', '.join(sorted(PAYMENT_ENTITIES))}"
        return control_done({"error": message}, message, 400)
    return user_change(realm_id, lambda conn: apply_user_change(conn, realm_id, entity, entity_id, "delete", now()))
