"""Who exists on the emulated Intuit side: app registrations, users, companies."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from dataclasses import dataclass

# Low on purpose: these are demo passwords and every sign-in in the tests pays it.
PBKDF2_ITERATIONS = 10_000


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    name: str


@dataclass(frozen=True)
class User:
    sub: str
    email: str
    given_name: str
    family_name: str
    phone: str
    address: dict


@dataclass(frozen=True)
class Company:
    realm_id: str
    name: str


def hash_password(password: str) -> str:
    """A salted PBKDF2 hash of a password."""
    salt = secrets.token_hex(8)
    digest = _pbkdf2(password, salt, PBKDF2_ITERATIONS)
    return f"pbkdf2_sha256${PBKDF2_ITERATIONS}${salt}${digest}"


def _pbkdf2(password: str, salt: str, iterations: int) -> str:
    raw = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return raw.hex()


def _password_matches(password: str, stored: str) -> bool:
    _, iterations, salt, digest = stored.split("$")
    return hmac.compare_digest(_pbkdf2(password, salt, int(iterations)), digest)


def client_from_mapping(data: dict) -> Client:
    """Build a Client from a config or JSON mapping."""
    return Client(
        client_id=str(data["client_id"]),
        client_secret=str(data["client_secret"]),
        redirect_uris=tuple(str(uri) for uri in data.get("redirect_uris", [])),
        name=str(data.get("name") or data["client_id"]),
    )


def save_client(conn: sqlite3.Connection, client: Client) -> None:
    """Register a client, replacing any registration with the same id."""
    conn.execute(
        "INSERT INTO clients (client_id, client_secret, redirect_uris, name) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(client_id) DO UPDATE SET client_secret = excluded.client_secret,"
        " redirect_uris = excluded.redirect_uris, name = excluded.name",
        (client.client_id, client.client_secret, json.dumps(client.redirect_uris), client.name),
    )


def get_client(conn: sqlite3.Connection, client_id: str) -> Client | None:
    """The registered client with this id, if any."""
    row = conn.execute("SELECT * FROM clients WHERE client_id = ?", (client_id,)).fetchone()
    if row is None:
        return None
    return Client(row["client_id"], row["client_secret"],
                  tuple(json.loads(row["redirect_uris"])), row["name"])


def authenticate_client(conn: sqlite3.Connection, client_id: str, secret: str) -> Client | None:
    """The client if the id and secret match a registration."""
    client = get_client(conn, client_id)
    if client is None or not hmac.compare_digest(client.client_secret.encode(), secret.encode()):
        return None
    return client


def _user_from_row(row: sqlite3.Row) -> User:
    return User(row["sub"], row["email"], row["given_name"], row["family_name"],
                row["phone"], json.loads(row["address"]))


def get_user(conn: sqlite3.Connection, sub: str) -> User | None:
    """The Intuit user with this subject id, if any."""
    row = conn.execute("SELECT * FROM users WHERE sub = ?", (sub,)).fetchone()
    return _user_from_row(row) if row else None


def authenticate_user(conn: sqlite3.Connection, email: str, password: str) -> User | None:
    """The user if the email and password are right."""
    row = conn.execute(
        "SELECT * FROM users WHERE email = ?", (email.strip().lower(),)
    ).fetchone()
    if row is None or not _password_matches(password, row["password_hash"]):
        return None
    return _user_from_row(row)


def list_companies(conn: sqlite3.Connection) -> list[Company]:
    """Every QuickBooks company, by realm id."""
    rows = conn.execute("SELECT realm_id, name FROM companies ORDER BY realm_id").fetchall()
    return [Company(row["realm_id"], row["name"]) for row in rows]


def get_company(conn: sqlite3.Connection, realm_id: str) -> Company | None:
    """The company with this realm id, if any."""
    row = conn.execute(
        "SELECT realm_id, name FROM companies WHERE realm_id = ?", (realm_id,)
    ).fetchone()
    return Company(row["realm_id"], row["name"]) if row else None


def has_access(conn: sqlite3.Connection, user_sub: str, realm_id: str) -> bool:
    """Whether the user may authorize apps for this company."""
    row = conn.execute(
        "SELECT 1 FROM memberships WHERE user_sub = ? AND realm_id = ?", (user_sub, realm_id)
    ).fetchone()
    return row is not None


def list_clients(conn: sqlite3.Connection) -> list[Client]:
    """Every registered client, by id."""
    rows = conn.execute("SELECT client_id FROM clients ORDER BY client_id").fetchall()
    return [get_client(conn, row["client_id"]) for row in rows]


def company_members(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """For each realm id, the emails of users who may connect it."""
    rows = conn.execute(
        "SELECT m.realm_id, u.email FROM memberships m JOIN users u ON u.sub = m.user_sub"
        " ORDER BY u.email"
    ).fetchall()
    members: dict[str, list[str]] = {}
    for row in rows:
        members.setdefault(row["realm_id"], []).append(row["email"])
    return members
