"""Store for companies, users, memberships and login sessions. The only code naming those tables."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlite_utils import Database
from werkzeug.security import check_password_hash, generate_password_hash

from qbo.storage.db import immediate
from qbo.storage.timeutil import to_db, utcnow

COMPANY_ADMIN = "Company Admin"
STANDARD = "Standard"
ROLES = (COMPANY_ADMIN, STANDARD)


class AccountError(ValueError):
    """A request to change accounts that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class Company:
    id: int
    name: str
    accounting_integrations: bool


@dataclass(frozen=True)
class Membership:
    company: Company
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == COMPANY_ADMIN


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    active: bool


def _company(row: dict) -> Company:
    return Company(row["id"], row["name"], bool(row["accounting_integrations"]))


def create_company(db: Database, name: str, accounting_integrations: bool = True) -> Company:
    name = name.strip()
    if not name:
        raise AccountError("A company needs a name.")
    if find_company_by_name(db, name):
        raise AccountError(f"A company named {name!r} already exists.")
    db["companies"].insert(
        {"name": name, "accounting_integrations": int(accounting_integrations), "created_at": to_db(utcnow())}
    )
    return find_company_by_name(db, name)


def find_company_by_name(db: Database, name: str) -> Company | None:
    rows = list(db.query("SELECT * FROM companies WHERE name = ? COLLATE NOCASE", [name.strip()]))
    return _company(rows[0]) if rows else None


def get_company(db: Database, company_id: int) -> Company | None:
    rows = list(db.query("SELECT * FROM companies WHERE id = ?", [company_id]))
    return _company(rows[0]) if rows else None


def set_feature(db: Database, company_id: int, enabled: bool) -> None:
    db.execute("UPDATE companies SET accounting_integrations = ? WHERE id = ?", [int(enabled), company_id])


def create_user(db: Database, email: str, password: str, name: str = "") -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f"{email!r} is not an e-mail address.")
    if len(password) < 8:
        raise AccountError("Passwords need at least 8 characters.")
    if find_user_by_email(db, email):
        raise AccountError(f"A user with e-mail {email} already exists.")
    db["users"].insert(
        {
            "email": email,
            "name": name.strip(),
            "password_hash": generate_password_hash(password),
            "created_at": to_db(utcnow()),
        }
    )
    return find_user_by_email(db, email)


def _user(row: dict) -> User:
    return User(row["id"], row["email"], row["name"], bool(row["active"]))


def find_user_by_email(db: Database, email: str) -> User | None:
    rows = list(db.query("SELECT * FROM users WHERE email = ? COLLATE NOCASE", [email.strip()]))
    return _user(rows[0]) if rows else None


def user_emails(db: Database, user_ids: set[int]) -> dict[int, str]:
    """user id -> e-mail, for the users named (e.g. by an audit trail page)."""
    if not user_ids:
        return {}
    marks = ", ".join("?" for _ in user_ids)
    return {row["id"]: row["email"] for row in db.query(f"SELECT id, email FROM users WHERE id IN ({marks})",
                                                         list(user_ids))}


def admin_emails(db: Database, company_id: int) -> list[str]:
    """The e-mail addresses of the company's active Company Admins."""
    rows = db.query("SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.company_id = ? "
                    "AND m.role = ? AND u.active = 1 ORDER BY u.email", [company_id, COMPANY_ADMIN])
    return [row["email"] for row in rows]


def authenticate(db: Database, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for unknown e-mail and wrong password)."""
    rows = list(db.query("SELECT * FROM users WHERE email = ? COLLATE NOCASE", [email.strip()]))
    if not rows or not rows[0]["active"] or not check_password_hash(rows[0]["password_hash"], password):
        return None
    return _user(rows[0])


def set_user_active(db: Database, user_id: int, active: bool) -> None:
    with immediate(db):
        db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user_id])
        if not active:
            db.execute("DELETE FROM login_sessions WHERE user_id = ?", [user_id])


def set_membership(db: Database, company_id: int, user_id: int, role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}.")
    db.execute(
        "INSERT INTO memberships (company_id, user_id, role) VALUES (?, ?, ?) "
        "ON CONFLICT (company_id, user_id) DO UPDATE SET role = excluded.role",
        [company_id, user_id, role],
    )


def remove_membership(db: Database, company_id: int, user_id: int) -> None:
    db.execute("DELETE FROM memberships WHERE company_id = ? AND user_id = ?", [company_id, user_id])


def memberships_of(db: Database, user_id: int) -> list[Membership]:
    rows = db.query(
        "SELECT c.*, m.role FROM memberships m JOIN companies c ON c.id = m.company_id "
        "WHERE m.user_id = ? ORDER BY c.name",
        [user_id],
    )
    return [Membership(_company(row), row["role"]) for row in rows]


def membership(db: Database, user_id: int, company_id: int) -> Membership | None:
    return next((m for m in memberships_of(db, user_id) if m.company.id == company_id), None)


def open_login_session(db: Database, user_id: int, company_id: int | None) -> str:
    session_id = secrets.token_urlsafe(32)
    db["login_sessions"].insert(
        {"id": session_id, "user_id": user_id, "company_id": company_id, "created_at": to_db(utcnow())}
    )
    return session_id


@dataclass(frozen=True)
class LoginSession:
    """An open login session: its (active) user, the company it works in, and every company the user belongs to."""

    session_id: str
    user: User
    company_id: int | None
    memberships: tuple[Membership, ...]


def login_session(db: Database, session_id: str) -> LoginSession | None:
    """The session with its user and memberships (one query: every signed-in request asks), or None once closed."""
    rows = list(
        db.query(
            "SELECT s.id AS session_id, s.company_id AS session_company_id, u.id AS user_id, u.email, "
            "u.name AS user_name, u.active, c.id, c.name, c.accounting_integrations, m.role FROM login_sessions s "
            "JOIN users u ON u.id = s.user_id LEFT JOIN memberships m ON m.user_id = u.id "
            "LEFT JOIN companies c ON c.id = m.company_id WHERE s.id = ? AND u.active = 1 ORDER BY c.name",
            [session_id],
        )
    )
    if not rows:
        return None
    first = rows[0]
    user = User(first["user_id"], first["email"], first["user_name"], bool(first["active"]))
    memberships = tuple(Membership(_company(row), row["role"]) for row in rows if row["role"] is not None)
    return LoginSession(first["session_id"], user, first["session_company_id"], memberships)


def switch_session_company(db: Database, session_id: str, company_id: int) -> None:
    db.execute("UPDATE login_sessions SET company_id = ? WHERE id = ?", [company_id, session_id])


def close_login_session(db: Database, session_id: str) -> None:
    db.execute("DELETE FROM login_sessions WHERE id = ?", [session_id])
