"""Userinfo claims in Intuit's camelCase shape, filtered by scope."""
from __future__ import annotations

from .directory import User


def userinfo_claims(user: User, scopes: frozenset[str]) -> dict:
    """The claims the granted scopes allow, camelCase as Intuit sends them."""
    claims: dict = {"sub": user.sub}
    if "email" in scopes:
        claims.update(email=user.email, emailVerified=True)
    if "profile" in scopes:
        claims.update(givenName=user.given_name, familyName=user.family_name)
    if "phone" in scopes:
        claims.update(phoneNumber=user.phone, phoneNumberVerified=True)
    if "address" in scopes:
        claims["address"] = user.address
    return claims
