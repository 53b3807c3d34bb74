"""Response bodies in the exact shapes Intuit puts on the wire."""
from __future__ import annotations

import json

from flask import Response

from .clock import intuit_time, now

OAUTH_ERROR_TYPE = "application/json;charset=utf-8"
OAUTH_SUCCESS_TYPE = "application/json;charset=UTF-8"
API_TYPE = "application/json;charset=UTF-8"


def json_response(body: object, status: int = 200, content_type: str = API_TYPE) -> Response:
    """A JSON response with an explicit content type."""
    return Response(json.dumps(body), status=status, content_type=content_type)


def oauth_error(error: str, status: int = 400, description: str | None = None) -> Response:
    """An OAuth error body such as {"error":"invalid_grant"}."""
    body = {"error_description": description, "error": error} if description else {"error": error}
    response = json_response(body, status, OAUTH_ERROR_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


def qbo_fault(status: int, code: str, message: str, detail: str,
              fault_type: str = "ValidationFault") -> Response:
    """A QBO v3 Fault body (upper-camel keys, code as a string)."""
    error = {"Message": message, "Detail": detail, "code": code, "element": ""}
    body = {"Fault": {"Error": [error], "type": fault_type}, "time": intuit_time()}
    return json_response(body, status)


def qbo_authentication_failed(detail: str) -> Response:
    """The 401 body QBO sends for a bad or expired access token (lower-camel shape)."""
    body = {
        "warnings": None, "intuitObject": None,
        "fault": {"error": [{
            "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
            "detail": detail, "code": "3200", "element": None}],
            "type": "AUTHENTICATION"},
        "report": None, "queryResponse": None, "batchItemResponse": [],
        "attachableResponse": [], "syncErrorResponse": None, "requestId": None,
        "time": int(now() * 1000), "status": None, "cdcresponse": [],
    }
    response = json_response(body, 401)
    response.headers["WWW-Authenticate"] = 'Bearer realm="Intuit", error="invalid_token"'
    return response


def qbo_authorization_failed(detail: str) -> Response:
    """The 403 Fault QBO sends when a token may not touch this company."""
    return qbo_fault(403, "3100", "message=AuthorizationFailed; errorCode=003100; statusCode=403",
                     detail, "SERVICE")


def throttled() -> Response:
    """QBO's ThrottleExceeded fault (sent as JSON here; Intuit sometimes sends XML)."""
    return qbo_fault(429, "3001", "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                     "The request limit was reached.  Try again later", "SERVICE")
