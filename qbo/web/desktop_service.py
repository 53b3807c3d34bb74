"""The Web Connector's SOAP service, a WSGI app of its own mounted at /qbwc.

It has no cookies, sessions or forms: its credential is the Web Connector's password, then a ticket in every call.
So it sits outside the main app, whose every POST needs a CSRF token and a signed-in admin, and it answers only in
SOAP: a fault for a request it cannot read (HTTP 400/413, never a 500 page), the QBWC conventions otherwise.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, request, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from qbo.desktop.service import METHODS
from qbo.desktop.soap import SoapFault, fault_xml, parse_call, result_xml, wsdl
from qbo.storage import db as storage
from qbo.storage.timeutil import utcnow

log = logging.getLogger(__name__)
MOUNT = "/qbwc"
MAX_REQUEST_BYTES = 8 * 1024 * 1024  # a page of 100 list records from QuickBooks fits many times over
XML = "text/xml; charset=utf-8"

bp = Blueprint("qbwc", __name__)


@bp.get("/")
@bp.get("/wsdl")
def describe():
    """The WSDL (also at ?wsdl, as SOAP tools expect); the service's address is this URL's."""
    return Response(wsdl(url_for(".call", _external=True)), content_type=XML)


@bp.get("/support")
def support():
    return Response("inBuild's QuickBooks Web Connector service. Help: Settings → Accounting Integrations in inBuild.",
                    content_type="text/plain; charset=utf-8")


@bp.post("/")
def call():
    try:
        soap_call = parse_call(request.get_data(cache=False))
        result = METHODS[soap_call.method](storage.get_db(), soap_call.params, utcnow())
    except SoapFault as fault:
        return _fault(fault, 400)
    except RequestEntityTooLarge:
        return _fault(SoapFault("Client", "The request is too large."), 413)
    return Response(result_xml(soap_call.method, result), content_type=XML)


def _fault(fault: SoapFault, status: int) -> Response:
    return Response(fault_xml(fault), status=status, content_type=XML)


def _unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return _fault(SoapFault("Client", error.description or error.name), error.code or 400)
    log.error("Web Connector call failed: %s", type(error).__name__, exc_info=error)
    return _fault(SoapFault("Server", "inBuild could not handle this call; nothing was changed. Try again later."),
                  503)


def create_service_app(parent: Flask) -> Flask:
    service = Flask(__name__)
    service.config.update(DATABASE=parent.config["DATABASE"], TESTING=parent.testing,
                          MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, SERVER_NAME=parent.config.get("SERVER_NAME"))
    service.teardown_appcontext(storage.close_db)
    service.register_blueprint(bp)
    service.register_error_handler(Exception, _unexpected)
    service.url_map.strict_slashes = False
    return service


def mount(app: Flask) -> None:
    """Serve the Web Connector service at /qbwc beside the app (same process, same database)."""
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {MOUNT: create_service_app(app)})
