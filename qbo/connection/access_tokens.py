"""Usable access tokens for one company's QuickBooks Online connection, and API clients built on them."""
from __future__ import annotations

import os
import socket
import threading
import uuid

from flask import current_app
from sqlite_utils import Database

from qbo.connection.crypto import TokenCipher
from qbo.connection.store import get_connection
from qbo.connection.token_refresh import fresh_access_token
from qbo.intuit import oauth as intuit
from qbo.intuit.api_client import QboClient
from qbo.intuit.errors import ConnectionUnusable
from qbo.storage.timeutil import utcnow


def token_cipher() -> TokenCipher:
    return current_app.extensions["token_cipher"]


def lease_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"


def usable_access_token(db: Database, company_id: int, rejected_version: int | None = None) -> tuple[str, int]:
    config = current_app.config
    return fresh_access_token(
        db,
        token_cipher(),
        company_id,
        intuit.refresh_tokens,
        utcnow,
        lease_owner(),
        lease_seconds=config["INTUIT_HTTP_TIMEOUT"] * 3,
        wait_seconds=config["INTUIT_HTTP_TIMEOUT"] * 3 + 5,
        rejected_version=rejected_version,
    )


def qbo_client(db: Database, company_id: int) -> QboClient:
    """The QBO API as this company's connection sees it (call inside an app context)."""
    connection = get_connection(db, company_id)
    if connection is None or not connection.realm_id:
        raise ConnectionUnusable("QuickBooks Online is not connected.")
    return QboClient(
        connection.realm_id,
        intuit.endpoints_for(current_app.config).api_base_url,
        current_app.config["INTUIT_HTTP_TIMEOUT"],
        lambda rejected_version=None: usable_access_token(db, company_id, rejected_version),
    )
