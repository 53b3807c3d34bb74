"""Random credentials shaped like Intuit's, and safe ways to show them."""
from __future__ import annotations

import base64
import hashlib
import secrets
import string

# The constant JWE header Intuit access tokens start with ({"enc":"A128CBC-HS256","alg":"dir"}).
ACCESS_TOKEN_HEADER = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0"
_LOWER_ALNUM = string.ascii_lowercase + string.digits
_ALNUM = string.ascii_letters + string.digits


def _random_text(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _b64url(size: int) -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(size)).rstrip(b"=").decode()


def new_access_token() -> str:
    """An opaque access token that looks like Intuit's compact JWE."""
    return f"{ACCESS_TOKEN_HEADER}..{_b64url(16)}.{_b64url(480)}.{_b64url(16)}"


def new_refresh_token(expires_at: float) -> str:
    """An opaque refresh token in Intuit's RT1- style."""
    return f"RT1-{secrets.randbelow(90) + 10}-H0-{int(expires_at)}{_random_text(_LOWER_ALNUM, 24)}"


def new_authorization_code(expires_at: float) -> str:
    """An authorization code in Intuit's AB11 style."""
    return f"AB11{int(expires_at)}{_random_text(_ALNUM, 38)}"


def new_intuit_tid() -> str:
    """A transaction id for the intuit_tid response header."""
    return f"1-{secrets.token_hex(4)}-{secrets.token_hex(12)}"


def new_kid() -> str:
    """A key id in the style of Intuit's JWKS."""
    return _random_text(_ALNUM, 20)


def fingerprint(token: str) -> str:
    """A short, non-reversible label for a token, safe to display."""
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()[:10]
