"""The one module that opens SQLite: connection pragmas, transactions and schema migrations."""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

import click
from flask import Flask, current_app, g
from sqlite_utils import Database

from qbo.storage.migrations import migrations

BUSY_TIMEOUT_MS = 5000


def connect(path: str) -> Database:
    """Open a database with the pragmas every connection needs, and bring its schema up to date."""
    # isolation_level=None: no implicit DEFERRED transactions; writers use immediate() instead.
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    return Database(conn, recursive_triggers=True, execute_plugins=False)


def migrate(db: Database) -> None:
    migrations.apply(db)


@contextlib.contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock up front (no SQLITE_BUSY mid-transaction)."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.conn.execute("COMMIT")


def get_db() -> Database:
    """The request's (or app context's) database connection, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
    with app.app_context():
        migrate(get_db())


@click.command("init-db")
def init_db_command() -> None:
    """Create the database or upgrade it in place (never drops data)."""
    migrate(get_db())
    click.echo(f"Database ready at {current_app.config['DATABASE']}.")
