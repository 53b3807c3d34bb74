"""Control endpoints for the QuickBooks side: throttling, company preferences, stored records."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from .company_preferences import load_preferences, parse_preferences, save_preferences
from .context import current_emulator
from .control import control_done, control_payload
from .directory import get_company
from .entities import deleted_ids, list_entities
from .resources import QUERYABLE_ENTITIES
from .throttle import parse_throttle

bp = Blueprint("emulator_control_realms", __name__, url_prefix="/_emulator/api")


@bp.get("/throttle")
def throttle() -> ResponseReturnValue:
    """The throttle settings in force."""
    return jsonify(current_emulator().throttle.settings.as_json())


@bp.post("/throttle")
def change_throttle() -> ResponseReturnValue:
    """Switch throttling on or off, scale its clock, change its limits or its 429 body."""
    emulator = current_emulator()
    try:
        updated = parse_throttle(control_payload(), emulator.throttle.settings)
    except ValueError as error:
        return control_done({"error": str(error)}, str(error), 400)
    emulator.throttle.configure(updated)
    state = "on" if updated.enabled else "off"
    return control_done(updated.as_json(), f"Throttling {state}, time scale {updated.time_scale}")


@bp.delete("/throttle")
@bp.post("/throttle/reset")
def reset_throttle() -> ResponseReturnValue:
    """Back to the configured throttle settings, with every counter emptied."""
    emulator = current_emulator()
    emulator.throttle.reset()
    return control_done(emulator.throttle.settings.as_json(), "Throttle reset")


def _unknown_realm(realm_id: str) -> ResponseReturnValue:
    return control_done({"error": f"unknown realm {realm_id}"}, f"Unknown realm {realm_id}", 404)


@bp.get("/realms/<realm_id>/preferences")
def preferences(realm_id: str) -> ResponseReturnValue:
    """A company's closing date and DocNumber duplicate check."""
    with current_emulator().db.transaction() as conn:
        if get_company(conn, realm_id) is None:
            return _unknown_realm(realm_id)
        return jsonify({"realm_id": realm_id, **load_preferences(conn, realm_id).as_json()})


@bp.post("/realms/<realm_id>/preferences")
def change_preferences(realm_id: str) -> ResponseReturnValue:
    """Close the books through a date (null reopens them) or switch the DocNumber check."""
    with current_emulator().db.transaction() as conn:
        if get_company(conn, realm_id) is None:
            return _unknown_realm(realm_id)
        try:
            updated = parse_preferences(control_payload(), load_preferences(conn, realm_id))
        except ValueError as error:
            return control_done({"error": str(error)}, str(error), 400)
        save_preferences(conn, realm_id, updated)
    return control_done({"realm_id": realm_id, **updated.as_json()},
                        f"{realm_id}: books closed through {updated.closing_date or 'never'}")


@bp.get("/realms/<realm_id>/entities/<entity>")
def stored_entities(realm_id: str, entity: str) -> ResponseReturnValue:
    """Every stored record of one type (inactive ones too) and the Ids deleted, for tests."""
    if entity not in QUERYABLE_ENTITIES:
        return jsonify({"error": f"unknown entity {entity}"}), 404
    with current_emulator().db.transaction() as conn:
        if get_company(conn, realm_id) is None:
            return _unknown_realm(realm_id)
        records = list_entities(conn, realm_id, entity)
        deleted = deleted_ids(conn, realm_id, entity)
    return jsonify({"realm_id": realm_id, "entity": entity, "count": len(records),
                    "entities": records, "deleted_ids": deleted})
