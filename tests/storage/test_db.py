"""The database module: pragmas on every connection, in-place migrations, schema-level integrity."""
import sqlite3

import pytest

from qbo.accounts import store as accounts
from qbo.storage.db import connect, immediate, migrate
from qbo.storage.migrations import migrations
from qbo.storage.timeutil import to_db, utcnow


def test_pragmas_on_fresh_connection(tmp_path):
    database = connect(str(tmp_path / "p.sqlite3"))
    assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert database.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migrations_are_idempotent_and_keep_rows(tmp_path):
    path = str(tmp_path / "m.sqlite3")
    first = connect(path)
    migrations.apply(first, stop_before="m002_connections")
    accounts.create_company(first, "Early Co")
    first.close()
    upgraded = connect(path)
    migrate(upgraded)
    migrate(upgraded)
    assert accounts.find_company_by_name(upgraded, "Early Co") is not None
    assert "connections" in upgraded.table_names()
    names = [m.name for m in migrations.applied(upgraded)]
    assert names == [m.name for m in migrations._migrations]
    assert names[:2] == ["m001_accounts", "m002_connections"]


def _connection_row(company_id: int, provider: str = "qbo", state: str = "connected", realm: str = "1") -> dict:
    return {
        "company_id": company_id, "provider": provider, "state": state, "realm_id": realm,
        "updated_at": to_db(utcnow()),
    }


def test_one_active_integration_per_company(db):
    company = accounts.create_company(db, "A")
    db["connections"].insert(_connection_row(company.id, "qbo"))
    with pytest.raises(sqlite3.IntegrityError):
        db["connections"].insert(_connection_row(company.id, "qbd", realm=None))
    db.execute("UPDATE connections SET state = 'disconnected'")
    db["connections"].insert(_connection_row(company.id, "qbd", realm=None))


def test_realm_links_to_one_company_at_a_time(db):
    a, b = accounts.create_company(db, "A"), accounts.create_company(db, "B")
    db["connections"].insert(_connection_row(a.id, realm="777"))
    with pytest.raises(sqlite3.IntegrityError):
        db["connections"].insert(_connection_row(b.id, realm="777"))


def test_state_values_are_checked(db):
    company = accounts.create_company(db, "A")
    with pytest.raises(sqlite3.IntegrityError):
        db["connections"].insert(_connection_row(company.id, state="sort-of-connected"))


def test_immediate_rolls_back_on_error(db):
    with pytest.raises(RuntimeError):
        with immediate(db):
            accounts.create_company(db, "Doomed")
            raise RuntimeError("boom")
    assert accounts.find_company_by_name(db, "Doomed") is None
    assert not db.conn.in_transaction
