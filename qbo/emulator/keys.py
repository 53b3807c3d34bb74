"""The RS256 signing key, its JWKS, and id_token signing."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from .db import get_meta, set_meta
from .token_format import new_kid


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    def jwks(self) -> dict:
        """The public half as a JSON Web Key Set."""
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.pop("key_ops", None)
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def sign(self, claims: dict) -> str:
        """A compact RS256 JWT carrying these claims."""
        return jwt.encode(claims, self.private_key, algorithm="RS256",
                          headers={"kid": self.kid})


def load_or_create_signing_key(conn: sqlite3.Connection) -> SigningKey:
    """The persisted signing key, generated on first use so restarts keep it."""
    pem, kid = get_meta(conn, "signing_key_pem"), get_meta(conn, "signing_key_kid")
    if pem is None or kid is None:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem, kid = _to_pem(private_key), new_kid()
        set_meta(conn, "signing_key_pem", pem)
        set_meta(conn, "signing_key_kid", kid)
    return SigningKey(kid, serialization.load_pem_private_key(pem.encode(), password=None))


def _to_pem(private_key: rsa.RSAPrivateKey) -> str:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
