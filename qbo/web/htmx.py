"""Every htmx header name lives here; views ask questions and set outcomes through these helpers."""
from __future__ import annotations

import json

from flask import Response, request


def is_fragment_request() -> bool:
    """True for an htmx request that swaps part of the page (not boosted, not a history restore)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def trigger(response: Response, events: dict) -> Response:
    """Fire client-side events (e.g. a toast, or other parts of the page refreshing) after the swap."""
    existing = json.loads(response.headers.get("HX-Trigger", "{}") or "{}")
    response.headers["HX-Trigger"] = json.dumps({**existing, **events})
    return response


def client_redirect(url: str) -> Response:
    """Make htmx navigate the whole page (a 3xx would be followed inside the XHR and swapped in)."""
    response = Response(status=200)
    response.headers["HX-Redirect"] = url
    return response


def vary_on_htmx(response: Response) -> Response:
    response.vary.add("HX-Request")
    return response


def toast(message: str, level: str = "success") -> dict:
    return {"toast": {"message": message, "level": level}}
