"""What the admin gives the Web Connector: a user name, a one-time-shown password, and the .qwc's GUIDs."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid

PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: the admin types it into the Web Connector
PASSWORD_GROUPS, GROUP_LENGTH = 5, 4  # 20 characters of 32 symbols: 100 bits


def new_username() -> str:
    return f"inbuild-{secrets.token_hex(5)}"


def new_password() -> str:
    chars = [secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUPS * GROUP_LENGTH)]
    return "-".join("".join(chars[i:i + GROUP_LENGTH]) for i in range(0, len(chars), GROUP_LENGTH))


def new_braced_guid() -> str:
    """OwnerID and FileID are GUIDs written with braces (QBWC1039 when a pair is installed twice: use fresh ones)."""
    return "{" + str(uuid.uuid4()).upper() + "}"


def normalized_password(typed: str) -> str:
    """What the admin typed, forgiving case, spaces and dashes (the hash is of this form)."""
    return re.sub(r"[\s-]", "", typed or "").upper()


def secret_hash(secret: str) -> str:
    # The password and the tickets are random with 100+ bits, so a fast hash is enough: no guessing to slow down,
    # and the Web Connector authenticates on every scheduled run.
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str | None) -> bool:
    return stored_hash is not None and hmac.compare_digest(secret_hash(secret), stored_hash)


def new_ticket() -> str:
    return secrets.token_urlsafe(32)
