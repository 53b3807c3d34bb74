"""Test-only id_token tampering: the next N id_tokens from the token endpoint come out wrong on purpose.

Each mutation breaks one rule a relying party must check (OpenID Connect Core §3.1.3.7), so tests can
prove the app refuses it. `iat_future_90s` is the control case: skewed, but inside the usual leeway.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from typing import Mapping

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from .context import current_emulator
from .keys import SigningKey

bp = Blueprint("emulator_tamper", __name__, url_prefix="/_emulator/api")

MUTATIONS = (
    "wrong_iss", "wrong_aud", "aud_string", "wrong_aud_with_azp", "expired", "iat_future_90s",
    "iat_future_10m", "wrong_nonce", "no_nonce", "alg_none", "hs256", "other_key", "wrong_realmid",
)
WRONG_ISSUER = "https://attacker.example/op/v1"
OTHER_CLIENT = "someone-elses-client"
EXPIRED_BY = 300  # seconds past exp: beyond any reasonable leeway (2 minutes)
REALMS = ("9130350000000001", "9130350000000002", "9130350000000003")

_other_key: rsa.RSAPrivateKey | None = None
_other_key_lock = threading.Lock()


@dataclass(frozen=True)
class Tamper:
    id: int
    mutation: str
    remaining: int
    value: str | None

    def as_json(self) -> dict:
        """The planned tampering as a JSON-ready dict."""
        return {"id": self.id, "mutation": self.mutation, "count": self.remaining, "value": self.value}


def parse_tamper(data: Mapping) -> Tamper:
    """Validate a request body; ValueError with a readable message if wrong."""
    mutation = str(data.get("mutation", ""))
    if mutation not in MUTATIONS:
        raise ValueError(f"mutation must be one of {', '.join(MUTATIONS)}")
    try:
        count = int(data.get("count", 1))
    except (TypeError, ValueError):
        raise ValueError("count must be a number") from None
    if count < 1:
        raise ValueError("count must be >= 1")
    value = data.get("value")
    if value is not None and (mutation != "wrong_iss" or not isinstance(value, str) or not value):
        raise ValueError("value (the issuer to claim) only applies to wrong_iss")
    return Tamper(0, mutation, count, value)


def add_tamper(conn: sqlite3.Connection, tamper: Tamper) -> Tamper:
    cursor = conn.execute("INSERT INTO id_token_tampers (mutation, remaining, value) VALUES (?, ?, ?)",
                          (tamper.mutation, tamper.remaining, tamper.value))
    return Tamper(cursor.lastrowid, tamper.mutation, tamper.remaining, tamper.value)


def take_tamper(conn: sqlite3.Connection) -> Tamper | None:
    """Consume one use of the oldest planned tampering, if any."""
    row = conn.execute("SELECT * FROM id_token_tampers ORDER BY id LIMIT 1").fetchone()
    if row is None:
        return None
    if row["remaining"] <= 1:
        conn.execute("DELETE FROM id_token_tampers WHERE id = ?", (row["id"],))
    else:
        conn.execute("UPDATE id_token_tampers SET remaining = remaining - 1 WHERE id = ?", (row["id"],))
    return Tamper(row["id"], row["mutation"], row["remaining"], row["value"])


def list_tampers(conn: sqlite3.Connection) -> list[Tamper]:
    rows = conn.execute("SELECT * FROM id_token_tampers ORDER BY id")
    return [Tamper(row["id"], row["mutation"], row["remaining"], row["value"]) for row in rows]


def next_tamper() -> Tamper | None:
    """The tampering to apply to the id_token being issued now (consumed), if one is planned."""
    with current_emulator().db.transaction() as conn:
        return take_tamper(conn)


def tampered_id_token(tamper: Tamper, claims: dict, key: SigningKey, client_secret: str, at: float) -> str:
    """The id_token for these (correct) claims, broken the way the tampering says."""
    claims = _mutated_claims(tamper, dict(claims), at)
    if tamper.mutation == "alg_none":
        return _compact({"alg": "none", "kid": key.kid, "typ": "JWT"}, claims, lambda _: b"")
    if tamper.mutation == "hs256":
        # The algorithm-confusion attack: an HMAC "signature" keyed with a secret the client knows.
        def sign(data: bytes) -> bytes:
            return hmac.new(client_secret.encode(), data, hashlib.sha256).digest()

        return _compact({"alg": "HS256", "kid": key.kid, "typ": "JWT"}, claims, sign)
    if tamper.mutation == "other_key":
        return jwt.encode(claims, _unpublished_key(), algorithm="RS256", headers={"kid": key.kid})
    return key.sign(claims)


def _mutated_claims(tamper: Tamper, claims: dict, at: float) -> dict:
    mutation = tamper.mutation
    if mutation == "wrong_iss":
        claims["iss"] = tamper.value or WRONG_ISSUER
    elif mutation == "wrong_aud":
        claims["aud"] = [OTHER_CLIENT]
    elif mutation == "aud_string":
        claims["aud"] = OTHER_CLIENT
    elif mutation == "wrong_aud_with_azp":
        claims["azp"], claims["aud"] = claims["aud"][0], [OTHER_CLIENT]
    elif mutation == "expired":
        claims["exp"] = int(at) - EXPIRED_BY
        claims["iat"] = claims["exp"] - 3600
    elif mutation in ("iat_future_90s", "iat_future_10m"):
        claims["iat"] = int(at) + (90 if mutation == "iat_future_90s" else 600)
        claims["exp"] = claims["iat"] + 3600
    elif mutation == "wrong_nonce":
        claims["nonce"] = "not-the-nonce-" + secrets.token_urlsafe(12)
    elif mutation == "no_nonce":
        claims.pop("nonce", None)
    elif mutation == "wrong_realmid":
        claims["realmid"] = next(realm for realm in REALMS if realm != claims.get("realmid"))
    return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _compact(header: dict, claims: dict, sign) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{_b64(sign(signing_input.encode()))}"


def _unpublished_key() -> rsa.RSAPrivateKey:
    """An RSA key that is in no JWKS (made once per process)."""
    global _other_key
    with _other_key_lock:
        if _other_key is None:
            _other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return _other_key


@bp.get("/id-token-tamper")
def tampers() -> ResponseReturnValue:
    """The planned id_token tampering."""
    with current_emulator().db.transaction() as conn:
        return jsonify([tamper.as_json() for tamper in list_tampers(conn)])


@bp.post("/id-token-tamper")
def plan_tamper() -> ResponseReturnValue:
    """Make the next N id_tokens the token endpoint issues come out tampered."""
    body = request.get_json(silent=True)
    try:
        tamper = parse_tamper(body if isinstance(body, dict) else request.form)
    except ValueError as error:
        return jsonify({"error": str(error)}), 400
    with current_emulator().db.transaction() as conn:
        return jsonify(add_tamper(conn, tamper).as_json()), 201


@bp.delete("/id-token-tamper")
def clear_tampers() -> ResponseReturnValue:
    """Drop every planned tampering."""
    with current_emulator().db.transaction() as conn:
        cleared = conn.execute("DELETE FROM id_token_tampers").rowcount
    return jsonify({"cleared": cleared})
