"""Store for the Desktop link: issued credentials (`qbd_links`) and company files; the `qbd` connections row
through `qbo.connection.desktop_row`, in the same transactions.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime

from sqlite_utils import Database

from qbo.connection.desktop_row import (
    activate_desktop, deactivate_desktop, desktop_company_file, desktop_failed, desktop_recovered, desktop_state,
)
from qbo.connection.store import QBD, active_integration
from qbo.desktop.state import CompanyFile, DesktopLink, realm_key
from qbo.storage.db import immediate
from qbo.storage.timeutil import from_db, to_db


class OtherIntegrationActive(Exception):
    """Another accounting integration is active for this company; `provider` says which."""

    def __init__(self, provider: str):
        super().__init__(provider)
        self.provider = provider


LINK_TIMES = ("issued_at", "password_issued_at", "first_contact_at", "last_contact_at", "last_error_at", "revoked_at")


def _link(row: dict) -> DesktopLink:
    return DesktopLink(**{**row, **{name: from_db(row[name]) for name in LINK_TIMES}})


def get_link(db: Database, company_id: int) -> DesktopLink | None:
    rows = list(db.query("SELECT * FROM qbd_links WHERE company_id = ?", [company_id]))
    return _link(rows[0]) if rows else None


def link_by_username(db: Database, username: str) -> DesktopLink | None:
    rows = list(db.query("SELECT * FROM qbd_links WHERE username = ?", [username]))
    return _link(rows[0]) if rows else None


def connection_state(db: Database, company_id: int) -> str | None:
    """The `qbd` connections row's state ('connected', 'error', 'disconnected'), or None when there is none."""
    return desktop_state(db, company_id)


def issue_link(db: Database, company_id: int, credentials: dict, run_every_minutes: int, now: datetime) -> None:
    """Store fresh credentials and mark Desktop active (waiting), unless another integration is active."""
    with immediate(db):
        other = active_integration(db, company_id)
        if other is not None and other.provider != QBD:
            raise OtherIntegrationActive(other.provider)
        db.execute("DELETE FROM qbd_links WHERE company_id = ?", [company_id])
        db["qbd_links"].insert({
            "company_id": company_id, **credentials, "run_every_minutes": run_every_minutes,
            "issued_at": to_db(now), "password_issued_at": to_db(now), "credential_version": 1})
        try:
            activate_desktop(db, company_id, now)
        except sqlite3.IntegrityError as exc:  # the one-active-integration index, should a writer race us
            raise OtherIntegrationActive("qbo") from exc


def replace_password(db: Database, company_id: int, password_hash: str, now: datetime) -> bool:
    """A new password: the old one and every ticket issued under it stop working at once."""
    with immediate(db):
        cursor = db.execute(
            "UPDATE qbd_links SET password_hash = ?, credential_version = credential_version + 1, "
            "password_issued_at = ? WHERE company_id = ? AND revoked_at IS NULL",
            [password_hash, to_db(now), company_id])
        db.execute("UPDATE qbd_sessions SET state = 'ended' WHERE company_id = ? AND state = 'open'", [company_id])
    return cursor.rowcount == 1


def revoke_link(db: Database, company_id: int, now: datetime) -> bool:
    """Disconnect: the password and every ticket stop working; mappings and settings stay."""
    with immediate(db):
        cursor = db.execute(
            "UPDATE qbd_links SET password_hash = NULL, credential_version = credential_version + 1, revoked_at = ? "
            "WHERE company_id = ? AND revoked_at IS NULL", [to_db(now), company_id])
        db.execute("UPDATE qbd_sessions SET state = 'ended' WHERE company_id = ? AND state = 'open'", [company_id])
        deactivate_desktop(db, company_id, now)
    return cursor.rowcount == 1


def record_contact(db: Database, company_id: int, now: datetime) -> None:
    db.execute("UPDATE qbd_links SET first_contact_at = COALESCE(first_contact_at, ?), last_contact_at = ? "
               "WHERE company_id = ?", [to_db(now), to_db(now), company_id])


def record_client_version(db: Database, username: str, version: str) -> None:
    db.execute("UPDATE qbd_links SET client_version = ? WHERE username = ?", [version[:40], username])


def record_error(db: Database, company_id: int, message: str, now: datetime) -> None:
    """The card shows this until the next good session; a disconnected link stays disconnected."""
    db.execute("UPDATE qbd_links SET last_error = ?, last_error_at = ? WHERE company_id = ?",
               [message[:1000], to_db(now), company_id])
    desktop_failed(db, company_id, message, now)


def clear_error(db: Database, company_id: int, now: datetime) -> None:
    db.execute("UPDATE qbd_links SET last_error = NULL, last_error_at = NULL WHERE company_id = ?", [company_id])
    desktop_recovered(db, company_id, now)


def _company_file(row: dict) -> CompanyFile:
    return CompanyFile(row["id"], row["company_id"], row["file_path"], row["company_name"], row["product_name"],
                       row["country"], row["qbxml_version"], from_db(row["last_seen_at"]))


def get_company_file(db: Database, company_file_id: int | None) -> CompanyFile | None:
    rows = list(db.query("SELECT * FROM qbd_company_files WHERE id = ?", [company_file_id]))
    return _company_file(rows[0]) if rows else None


def attach_company_file(db: Database, company_id: int, reported: dict, now: datetime) -> CompanyFile:
    """Remember the company file the Web Connector opened (the same path → the same realm, so mappings stay)."""
    with immediate(db):
        db.execute(
            "INSERT INTO qbd_company_files (company_id, file_path, company_name, product_name, country, "
            "qbxml_version, first_seen_at, last_seen_at) VALUES (:company_id, :file_path, :company_name, "
            ":product_name, :country, :qbxml_version, :now, :now) "
            "ON CONFLICT (company_id, file_path COLLATE NOCASE) DO UPDATE SET company_name = excluded.company_name, "
            "product_name = excluded.product_name, country = excluded.country, "
            "qbxml_version = excluded.qbxml_version, last_seen_at = excluded.last_seen_at",
            {**reported, "company_id": company_id, "now": to_db(now)})
        row = next(db.query("SELECT * FROM qbd_company_files WHERE company_id = ? AND file_path = ? COLLATE NOCASE",
                            [company_id, reported["file_path"]]))
        db.execute("UPDATE qbd_links SET company_file_id = ? WHERE company_id = ?", [row["id"], company_id])
        desktop_company_file(db, company_id, realm_key(row["id"]), row["company_name"] or None, now)
    return _company_file(row)
