"""A database with one company and a stored QuickBooks connection, for store-level tests."""
from __future__ import annotations

from datetime import datetime

from cryptography.fernet import Fernet

from qbo.accounts import store as accounts
from qbo.connection.crypto import TokenCipher
from qbo.connection.sign_in_store import QboIdentity, save_qbo_connection
from qbo.connection.tokens import token_set_from_response
from qbo.storage.db import connect, migrate


def new_cipher() -> TokenCipher:
    return TokenCipher(["k1:" + Fernet.generate_key().decode()])


def connected_db(path: str, cipher: TokenCipher, now: datetime, refresh_token: str = "RT-0", access_token: str = "AT-0"):
    db = connect(path)
    migrate(db)
    company = accounts.create_company(db, "Acme")
    identity = QboIdentity("9130350000000001", "emulator", "sub-1", "alex@example.com", "Alex Morgan", "Keystone")
    tokens = token_set_from_response(
        {"access_token": access_token, "refresh_token": refresh_token, "expires_in": 3600,
         "x_refresh_token_expires_in": 8726400},
        now,
    )
    save_qbo_connection(db, company.id, identity, tokens, cipher, now)
    return db, company.id
