"""Failures talking to Intuit, sorted by what the caller should do about them."""
from __future__ import annotations


class IntuitError(Exception):
    """Base class; the message is safe to show and to log (it never contains a token)."""


class RefreshRejected(IntuitError):
    """Intuit answered invalid_grant: the refresh token is gone for good; the admin must reconnect."""


class GrantRevoked(RefreshRejected):
    """Intuit refused a refresh token that still had time to run: the grant was revoked inside QuickBooks."""


class AccessRejected(IntuitError):
    """Intuit answered 401 to an API or userinfo call with this access token."""


class IntuitUnavailable(IntuitError):
    """Network failure, timeout, 429 or 5xx: transient, try again later."""


class ConnectionUnusable(IntuitError):
    """There is no usable connection to call Intuit with (disconnected or expired)."""


class OutcomeUnknown(IntuitUnavailable):
    """The request may have reached QuickBooks but no answer came back (timeout, dropped connection)."""
