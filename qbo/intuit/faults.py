"""QuickBooks Faults: the error body of a refused request, as exceptions sorted by what the caller can do."""
from __future__ import annotations


class QboFault(Exception):
    """QuickBooks refused a request with a Fault (validation, business rule, missing object)."""

    def __init__(self, code: str, message: str, detail: str, status: int,
                 intuit_tid: str | None) -> None:
        super().__init__(f"QuickBooks error {code}: {detail or message}")
        self.code, self.message, self.detail = code, message, detail
        self.status, self.intuit_tid = status, intuit_tid


class QboDuplicateName(QboFault):
    """6240: another record already uses this name."""


class QboNotFound(QboFault):
    """610: the object does not exist (or was made inactive or deleted)."""


_FAULT_CLASSES: dict[str, type[QboFault]] = {"6240": QboDuplicateName, "610": QboNotFound}


def fault_from(status: int, body: object, intuit_tid: str | None) -> QboFault | None:
    """The fault in a QBO response body, in either the Fault or the lower-camel fault shape."""
    if not isinstance(body, dict):
        return None
    fault = body.get("Fault") or body.get("fault")
    if not isinstance(fault, dict):
        return None
    errors = fault.get("Error") or fault.get("error") or [{}]
    first = errors[0] if isinstance(errors[0], dict) else {}
    code = str(first.get("code") or "")
    message = str(first.get("Message") or first.get("message") or "")
    detail = str(first.get("Detail") or first.get("detail") or "")
    return _FAULT_CLASSES.get(code, QboFault)(code, message, detail, status, intuit_tid)
