"""Settings → Accounting Integrations: the QuickBooks Desktop card's actions (Connect, New password, Disconnect,
the .qwc download) and its polling while it waits for the Web Connector."""
from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from qbo.connection.store import PROVIDER_NAMES, QBD, active_integration
from qbo.desktop import lifecycle, link_store
from qbo.desktop.qwc import qwc_document
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from qbo.web import htmx
from qbo.web.access import integrations_admin_required
from qbo.web.desktop_service import MOUNT
from qbo.web.integrations import CONNECTION_FAILED, DISCONNECTED_TOAST, qbd_card_context, qbo_card_context

bp = Blueprint("desktop", __name__, url_prefix="/settings/integrations/qbd")
ALREADY_CONNECTED = "QuickBooks Desktop is already connected. Issue a new password, or disconnect it first."
NOT_CONNECTED = "Connect QuickBooks Desktop first: the Web Connector file is issued by Connect."


@bp.post("/connect")
@integrations_admin_required
def connect(membership):
    """Issue the .qwc's credentials; the password is in this response only."""
    company_id = membership.company.id
    active = active_integration(get_db(), company_id)
    if active is not None:
        return refused(company_id, ALREADY_CONNECTED if active.provider == QBD else
                       f"{PROVIDER_NAMES[active.provider]} is connected. Disconnect it before connecting QuickBooks "
                       "Desktop.", 409)
    minutes = request.form.get("run_every_minutes", type=int)
    if minutes not in lifecycle.RUN_EVERY_CHOICES:
        return refused(company_id, "Choose how often the Web Connector should sync.", 422)
    try:
        password = lifecycle.connect(get_db(), company_id, current_user.user_id, minutes, utcnow())
    except lifecycle.OtherIntegrationActive as exc:
        return refused(company_id, f"{PROVIDER_NAMES[exc.provider]} is connected. Disconnect it before "
                       "connecting QuickBooks Desktop.", 409)
    return with_password(membership, password)


@bp.post("/password")
@integrations_admin_required
def new_password(membership):
    password = lifecycle.new_password(get_db(), membership.company.id, current_user.user_id, utcnow())
    if password is None:
        return refused(membership.company.id, NOT_CONNECTED, 422)
    return with_password(membership, password)


@bp.post("/disconnect")
@integrations_admin_required
def disconnect(membership):
    lifecycle.disconnect(get_db(), membership.company.id, current_user.user_id, utcnow())
    if not htmx.is_fragment_request():
        flash(DISCONNECTED_TOAST, "success")
        return redirect(url_for("integrations.index"), 303)
    return htmx.trigger(both_cards(membership.company.id), htmx.toast(DISCONNECTED_TOAST))


@bp.get("/inbuild.qwc")
@integrations_admin_required
def download_qwc(membership):
    """The file to add to the Web Connector (no secret in it, so it can be downloaded again)."""
    db = get_db()
    link = link_store.get_link(db, membership.company.id)
    active = link_store.connection_state(db, membership.company.id) not in (None, "disconnected")
    if link is None or not link.usable or not active:
        flash(NOT_CONNECTED, "info")
        return redirect(url_for("integrations.index"), 303)
    root = request.url_root.rstrip("/")
    service_url = current_app.config.get("DESKTOP_SERVICE_URL") or f"{root}{MOUNT}/"
    body = qwc_document(link, membership.company.name, service_url, service_url.rstrip("/") + "/support")
    slug = re.sub(r"[^a-z0-9]+", "-", membership.company.name.lower()).strip("-") or "company"
    return Response(body, content_type="application/x-qwc",
                    headers={"Content-Disposition": f'attachment; filename="inbuild-{slug}.qwc"'})


@bp.get("/card/changes")
@integrations_admin_required
def card_changes(membership):
    """The slot again once the card's state differs from `since` (204 until then: htmx swaps nothing)."""
    context = qbd_card_context(membership.company.id)
    if context["show_qbd"] and request.args.get("since") == context["qbd_state"].value:
        return Response(status=204)
    return htmx.vary_on_htmx(current_app.make_response(render_template("integrations/_qbd_slot.html", **context)))


def with_password(membership, password: str):
    """The card showing a just-issued password: swapped in place, or the whole page without JavaScript."""
    company_id = membership.company.id
    if htmx.is_fragment_request():
        return both_cards(company_id, password)
    context = {**qbo_card_context(company_id), **qbd_card_context(company_id, password)}
    return render_template("integrations/index.html", membership=membership, **context)


def both_cards(company_id: int, password: str | None = None, notice: str | None = None) -> Response:
    """The Desktop slot, and the QuickBooks Online card for an out-of-band swap (its Connect depends on us)."""
    context = {**qbo_card_context(company_id), **qbd_card_context(company_id, password), "qbd_notice": notice}
    return current_app.make_response(render_template("desktop/_both_cards.html", **context))


def refused(company_id: int, message: str, status: int):
    """Nothing changed: the cards again with the reason (htmx swaps 409/422 here), or the page with a banner."""
    if htmx.is_fragment_request():
        response = both_cards(company_id, notice=message)
        response.status_code = status
        return htmx.trigger(response, htmx.toast(message, "error"))
    flash(message, CONNECTION_FAILED if status == 409 else "info")
    return redirect(url_for("integrations.index"), 303)
