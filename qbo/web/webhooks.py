"""Intuit's webhooks for QuickBooks Online: one endpoint, POST /intuit/webhooks, for both body formats.

Nothing identifies a user here: no cookie, session or form comes with it (so app.py exempts it, and only it, from
CSRF). Its proof is `intuit-signature`, an HMAC-SHA256 of the raw body keyed with the app's verifier token, checked
in constant time before the body is read as JSON; a missing or wrong one gets 401 and nothing is stored. The answer
comes well within Intuit's 3 seconds: the events are stored, each routed to a company by its own realm (one row per
event id, so a replay adds nothing), and a job processes them.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from qbo.connection.webhook_store import record_events
from qbo.intuit.webhooks import MalformedDelivery, parse_delivery, signature_is_valid
from qbo.jobs.webhook_tasks import process_webhook_events
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow

log = logging.getLogger(__name__)

bp = Blueprint("webhooks", __name__, url_prefix="/intuit")

DEMO_VERIFIER_TOKEN = "inbuild-demo-verifier-token"  # the emulator's demo app; refused for sandbox and production


def verifier_token() -> str | None:
    """The verifier token in force; None when webhooks cannot be verified (none, or the demo one off the emulator)."""
    token = current_app.config.get("INTUIT_WEBHOOK_VERIFIER_TOKEN") or ""
    if not token or (token == DEMO_VERIFIER_TOKEN and current_app.config["INTUIT_ENVIRONMENT"] != "emulator"):
        return None
    return token


@bp.post("/webhooks")
def receive():
    """Verify, record, queue, answer."""
    token = verifier_token()
    if token is None:
        log.error("Intuit webhook refused: INTUIT_WEBHOOK_VERIFIER_TOKEN is not set for this environment.")
        return _answer(503, error="Webhooks are not configured on this server.")
    body = request.get_data(cache=False)
    if not signature_is_valid(body, request.headers.get("intuit-signature"), token):
        log.warning("Intuit webhook refused: intuit-signature missing or wrong (%d bytes).", len(body))
        return _answer(401, error="The intuit-signature header is missing or does not match the body.")
    try:
        events = parse_delivery(body)
    except MalformedDelivery as exc:
        log.warning("Intuit webhook refused: %s", exc)
        return _answer(400, error=str(exc))
    delivery = record_events(get_db(), events, utcnow())
    for company_id in delivery.company_ids:
        _queue(company_id)
    return _answer(200, received=len(events), recorded=delivery.recorded, duplicates=delivery.duplicates,
                   ignored=delivery.ignored)


def _queue(company_id: int) -> None:
    try:
        process_webhook_events(company_id)
    except Exception:  # noqa: BLE001 - the events are stored: the minute sweep processes them if the queue is down
        log.exception("Queueing webhook processing for company %s failed; the sweep will pick it up.", company_id)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    return _answer(413, error="The body is larger than this server accepts.")


def _answer(status: int, **body):
    return jsonify(body), status
