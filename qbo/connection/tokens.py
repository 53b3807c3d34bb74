"""Token sets as Intuit returns them, and the expiry maths on them. Knows nothing of Flask or SQL."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from qbo.storage.timeutil import after

ACCESS_TOKEN_SECONDS = 3600
REFRESH_TOKEN_SECONDS = 100 * 24 * 3600


class TokenResponseError(ValueError):
    """Intuit's token response lacked a field we cannot work without."""


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires_at: datetime
    refresh_expires_at: datetime
    refresh_hard_expires_at: datetime | None


def token_set_from_response(response: dict, received_at: datetime) -> TokenSet:
    """Absolute expiry instants computed from the relative lifetimes at the moment of receipt."""
    access, refresh = response.get("access_token"), response.get("refresh_token")
    if not access or not refresh:
        raise TokenResponseError("The token response has no access or refresh token.")
    hard = response.get("x_refresh_token_hard_expires_in")
    return TokenSet(
        access_token=access,
        refresh_token=refresh,
        access_expires_at=after(received_at, _seconds(response.get("expires_in"), ACCESS_TOKEN_SECONDS)),
        refresh_expires_at=after(
            received_at, _seconds(response.get("x_refresh_token_expires_in"), REFRESH_TOKEN_SECONDS)
        ),
        refresh_hard_expires_at=after(received_at, _seconds(hard, 0)) if hard else None,
    )


def _seconds(value: object, default: int) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
