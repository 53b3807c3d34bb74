"""The one module that opens SQLite: connection pragmas, per-thread reuse, transactions and schema migrations."""
from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import click
import sqlite_utils
from flask import Flask, current_app, g
from sqlite_utils.utils import dedupe_keys

from qbo.storage.migrations import migrations

BUSY_TIMEOUT_MS = 5000
IDLE_PER_THREAD = 4  # production has one database per thread; tests walk through many, each closed in turn
MEMORY = ":memory:"


class Database(sqlite_utils.Database):
    """sqlite-utils' Database, whose plain SELECTs run without the SAVEPOINT it wraps around every query.

    That savepoint only lets sqlite-utils undo a statement that turned out to return no rows; a SELECT always
    returns rows, and the two extra statements per read tripled the statements a page runs.
    """

    def __init__(self, conn: sqlite3.Connection, path: str):
        super().__init__(conn, recursive_triggers=True, execute_plugins=False)
        self.path = path

    def query(self, sql: str, params: Sequence | dict[str, Any] | None = None) -> Iterator[dict]:
        if not _is_select(sql):
            return super().query(sql, params)
        cursor = self.conn.execute(sql, params if params is not None else ())
        keys = dedupe_keys(column[0] for column in cursor.description)
        return (dict(zip(keys, row)) for row in cursor)


def _is_select(sql: str) -> bool:
    head = sql.lstrip()[:7].upper()
    return head.startswith("SELECT") and not head[6:].isalnum()


def connect(path: str) -> Database:
    """Open a database with the pragmas every connection needs (migrations are init_app's and init-db's)."""
    # isolation_level=None: no implicit DEFERRED transactions; writers use immediate() instead.
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if path != MEMORY:
        conn.execute("PRAGMA journal_mode = WAL")  # stored in the file; set on open for a database made elsewhere
    conn.execute("PRAGMA synchronous = NORMAL")
    return Database(conn, path)


def migrate(db: sqlite_utils.Database) -> None:
    migrations.apply(db)


@contextlib.contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
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


class _IdleConnections(threading.local):
    """This thread's open connections not in use by any app context, oldest first."""

    def __init__(self):
        self.connections: list[Database] = []


_idle = _IdleConnections()
_inherited: list[_IdleConnections] = []


def _forget_inherited_connections() -> None:
    """In a forked child: SQLite forbids using, or closing, a connection opened before the fork; open afresh."""
    global _idle
    _inherited.append(_idle)  # kept referenced so that nothing closes them here
    _idle = _IdleConnections()


os.register_at_fork(after_in_child=_forget_inherited_connections)


def take_connection(path: str) -> Database:
    """An idle connection to `path` opened earlier by this thread, or a new one."""
    idle = _idle.connections
    for index in range(len(idle) - 1, -1, -1):
        if idle[index].path == path:
            return idle.pop(index)
    return connect(path)


def give_back(db: Database) -> None:
    """Keep `db` for this thread's next app context, with nothing of this one's transaction left open."""
    try:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
    except sqlite3.Error:  # closed by its user, or unusable: not worth keeping
        db.close()
        return
    if db.path == MEMORY:  # each app context's in-memory database was its own
        db.close()
        return
    idle = _idle.connections
    idle.append(db)
    if len(idle) > IDLE_PER_THREAD:
        idle.pop(0).close()


def get_db() -> Database:
    """The request's (or app context's) database connection: this thread's idle one, or opened on first use."""
    if "db" not in g:
        g.db = take_connection(current_app.config["DATABASE"])
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        give_back(db)


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
