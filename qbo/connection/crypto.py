"""Encryption at rest for OAuth tokens: Fernet under named keys, several of which may be active."""
from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class TokenDecryptError(Exception):
    """A stored token could not be decrypted (unknown key id or tampered ciphertext)."""


class TokenCipher:
    """Encrypts with the first (primary) key; decrypts with whichever key the ciphertext names."""

    def __init__(self, keys: list[str]):
        if not keys:
            raise ValueError("At least one token encryption key is required.")
        self._keys: dict[str, Fernet] = {}
        for entry in keys:
            key_id, _, key = entry.partition(":")
            if not key_id or not key:
                raise ValueError("Token encryption keys look like 'k1:<fernet key>'.")
            self._keys[key_id] = Fernet(key.encode())
        self.primary_key_id = keys[0].partition(":")[0]

    def encrypt(self, plaintext: str) -> str:
        token = self._keys[self.primary_key_id].encrypt(plaintext.encode())
        return f"{self.primary_key_id}:{token.decode()}"

    def decrypt(self, stored: str) -> str:
        key_id, _, token = stored.partition(":")
        fernet = self._keys.get(key_id)
        if fernet is None:
            raise TokenDecryptError(f"No active key named {key_id!r}.")
        try:
            return fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise TokenDecryptError("Stored token failed authentication.") from exc

    @property
    def key_ids(self) -> set[str]:
        return set(self._keys)

    def key_id_of(self, stored: str) -> str:
        return stored.partition(":")[0]

    def needs_rotation(self, stored: str) -> bool:
        return self.key_id_of(stored) != self.primary_key_id

    def reencrypt(self, stored: str) -> str:
        return self.encrypt(self.decrypt(stored))
