"""A QuickBooks session that ran out on its own, as opposed to a grant revoked inside QuickBooks.

Intuit answers invalid_grant in both cases; inBuild tells them apart by the refresh token's recorded expiry. A
test of the expired card therefore lapses the token at the emulator *and* in what inBuild recorded of it.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask

from qbo.storage.db import get_db, immediate
from qbo.storage.timeutil import to_db, utcnow


def lapse_refresh_token(app: Flask, intuit, company_id: int, realm_id: str) -> None:
    """The refresh token's 100 days ran out (and with it the access token)."""
    intuit.expire_refresh_token(realm_id)
    intuit.expire_access_token(realm_id)
    with app.app_context():
        db = get_db()
        with immediate(db):
            db.execute("UPDATE connections SET refresh_expires_at = ? WHERE company_id = ? AND provider = 'qbo'",
                       [to_db(utcnow() - timedelta(minutes=1)), company_id])
