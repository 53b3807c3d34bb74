"""Tokens at rest: Fernet under named keys; rotation; tampering fails closed."""
import pytest
from cryptography.fernet import Fernet

from qbo.connection.crypto import TokenCipher, TokenDecryptError


def key(name: str) -> str:
    return f"{name}:{Fernet.generate_key().decode()}"


def test_round_trip_records_key_id():
    cipher = TokenCipher([key("k1")])
    stored = cipher.encrypt("refresh-token-value")
    assert stored.startswith("k1:")
    assert "refresh-token-value" not in stored
    assert cipher.decrypt(stored) == "refresh-token-value"


def test_same_plaintext_never_gives_same_ciphertext():
    cipher = TokenCipher([key("k1")])
    assert cipher.encrypt("x") != cipher.encrypt("x")


def test_rotation_then_retirement():
    k1, k2 = key("k1"), key("k2")
    old = TokenCipher([k1]).encrypt("token")
    both = TokenCipher([k2, k1])
    assert both.needs_rotation(old)
    rotated = both.reencrypt(old)
    assert both.key_id_of(rotated) == "k2"
    assert TokenCipher([k2]).decrypt(rotated) == "token"
    with pytest.raises(TokenDecryptError):
        TokenCipher([k2]).decrypt(old)


def test_tampered_ciphertext_fails_closed():
    cipher = TokenCipher([key("k1")])
    stored = cipher.encrypt("token")
    tampered = stored[:-5] + ("A" if stored[-5] != "A" else "B") + stored[-4:]
    with pytest.raises(TokenDecryptError):
        cipher.decrypt(tampered)


@pytest.mark.parametrize("keys", [[], ["no-colon"], ["k1:"]])
def test_bad_key_configuration_is_refused(keys):
    with pytest.raises(ValueError):
        TokenCipher(keys)
