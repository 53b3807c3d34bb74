"""Connect, issue a new password, disconnect: the Desktop link's life, audited like QuickBooks Online's."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from qbo.connection import audit
from qbo.connection.store import QBD
from qbo.desktop import credentials, link_store
from qbo.desktop.link_store import OtherIntegrationActive

RUN_EVERY_CHOICES = (5, 15, 30, 60, 240, 1440)
__all__ = ["OtherIntegrationActive", "RUN_EVERY_CHOICES", "connect", "new_password", "disconnect"]


def connect(db: Database, company_id: int, user_id: int | None, run_every_minutes: int, now: datetime) -> str:
    """Issue a .qwc's credentials and return the password, to be shown once. Raises OtherIntegrationActive."""
    if run_every_minutes not in RUN_EVERY_CHOICES:
        raise ValueError("unsupported interval")
    password = credentials.new_password()
    values = {"username": credentials.new_username(),
              "password_hash": credentials.secret_hash(credentials.normalized_password(password)),
              "owner_id": credentials.new_braced_guid(), "file_id": credentials.new_braced_guid()}
    link_store.issue_link(db, company_id, values, run_every_minutes, now)
    audit.record(db, company_id, user_id, audit.CONNECTED, now, provider=QBD, detail="Web Connector file issued")
    return password


def new_password(db: Database, company_id: int, user_id: int | None, now: datetime) -> str | None:
    """A fresh password (the old one and its tickets stop working at once), or None without a live link."""
    password = credentials.new_password()
    if not link_store.replace_password(db, company_id, credentials.secret_hash(
            credentials.normalized_password(password)), now):
        return None
    audit.record(db, company_id, user_id, "password_replaced", now, provider=QBD)
    return password


def disconnect(db: Database, company_id: int, user_id: int | None, now: datetime) -> bool:
    """Invalidate the password and every ticket; mappings, settings and synced records stay."""
    changed = link_store.revoke_link(db, company_id, now)
    if changed:
        audit.record(db, company_id, user_id, audit.DISCONNECTED, now, provider=QBD)
    return changed
