"""Who may do what: the current company, and the Accounting Integrations gate. Read from the DB per request."""
from __future__ import annotations

import functools

from flask import render_template, request
from flask_login import current_user, login_required

from qbo.accounts.store import Membership
from qbo.connection import audit
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow
from qbo.web.htmx import is_fragment_request

FEATURE_OFF = "This feature is not available yet."
NOT_ADMIN = "Only admin users can access accounting integrations."
NOT_MEMBER = "You are not a member of any company. Ask your company admin for access."


def current_memberships() -> list[Membership]:
    """The signed-in user's memberships, read from the database with the login session (once per request)."""
    return list(current_user.memberships) if current_user.is_authenticated else []


def current_membership() -> Membership | None:
    """The signed-in user's membership in the company this session works in, fresh from the database."""
    memberships = current_memberships()
    chosen = [m for m in memberships if m.company.id == current_user.company_id]
    return (chosen or memberships or [None])[0]


def can_use_integrations(membership: Membership | None) -> bool:
    return membership is not None and membership.company.accounting_integrations and membership.is_admin


def refusal(message: str, status: int = 403):
    template = "errors/_refusal.html" if is_fragment_request() else "errors/refusal.html"
    return render_template(template, message=message), status


def member_required(view):
    """Any member of the current company gets through, with their membership; others are refused."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        membership = current_membership()
        if membership is None:
            return refusal(NOT_MEMBER)
        return view(membership, *args, **kwargs)

    return wrapped


def integrations_admin_required(view):
    """Only a Company Admin of the current company, with the feature on, gets through; others change nothing."""

    @functools.wraps(view)
    @member_required
    def wrapped(membership, *args, **kwargs):
        reason = None if membership.company.accounting_integrations else FEATURE_OFF
        reason = reason or (None if membership.is_admin else NOT_ADMIN)
        if reason:
            audit.record(get_db(), membership.company.id, current_user.user_id, audit.ACCESS_DENIED, utcnow(),
                         provider=None, detail=f"{request.method} {request.path}: {reason}")
            return refusal(reason)
        return view(membership, *args, **kwargs)

    return wrapped
