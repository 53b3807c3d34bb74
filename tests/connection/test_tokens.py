"""Token responses become absolute expiry instants at the moment of receipt."""
from datetime import datetime, timedelta, timezone

import pytest

from qbo.connection.tokens import TokenResponseError, token_set_from_response

RECEIVED = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def test_lifetimes_become_instants():
    tokens = token_set_from_response(
        {
            "access_token": "a",
            "refresh_token": "r",
            "expires_in": 3600,
            "x_refresh_token_expires_in": 8726400,
            "x_refresh_token_hard_expires_in": 156032154,
        },
        RECEIVED,
    )
    assert tokens.access_expires_at == RECEIVED + timedelta(seconds=3600)
    assert tokens.refresh_expires_at == RECEIVED + timedelta(seconds=8726400)
    assert tokens.refresh_hard_expires_at == RECEIVED + timedelta(seconds=156032154)


def test_defaults_when_lifetimes_are_missing_or_odd():
    tokens = token_set_from_response({"access_token": "a", "refresh_token": "r", "expires_in": "soon"}, RECEIVED)
    assert tokens.access_expires_at == RECEIVED + timedelta(hours=1)
    assert tokens.refresh_expires_at == RECEIVED + timedelta(days=100)
    assert tokens.refresh_hard_expires_at is None


@pytest.mark.parametrize("response", [{}, {"access_token": "a"}, {"refresh_token": "r"}])
def test_missing_tokens_are_refused(response):
    with pytest.raises(TokenResponseError):
        token_set_from_response(response, RECEIVED)


def test_tokens_never_show_in_repr():
    tokens = token_set_from_response({"access_token": "secret-a", "refresh_token": "secret-r"}, RECEIVED)
    assert "secret" not in repr(tokens)
