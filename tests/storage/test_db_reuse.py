"""The database module's connection reuse: one connection per app context, kept by its thread for the next one,
never shared by two contexts at once, nor carried into the next context inside a transaction, nor across a fork."""
from __future__ import annotations

import os
import sqlite3
import threading

import pytest
from flask import Flask

from qbo.accounts import store as accounts
from qbo.storage import db as storage
from qbo.storage.db import connect, get_db, migrate


def make_app(path) -> Flask:
    app = Flask(__name__)
    app.config["DATABASE"] = str(path)
    storage.init_app(app)
    return app


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path / "reuse.sqlite3")


def in_context(app, work):
    with app.app_context():
        return work(get_db())


def test_one_thread_reuses_its_connection_from_context_to_context(app):
    first = in_context(app, lambda db: db)
    assert in_context(app, lambda db: db) is first
    assert in_context(app, lambda db: db.execute("PRAGMA foreign_keys").fetchone()[0]) == 1


def test_nested_contexts_get_connections_of_their_own(app):
    with app.app_context():
        outer = get_db()
        with app.app_context():
            assert get_db() is not outer
        assert get_db() is outer


def test_other_threads_never_get_this_threads_connection(app):
    mine = in_context(app, lambda db: db)
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(in_context(app, lambda db: db)))
    thread.start()
    thread.join()
    assert theirs and theirs[0] is not mine
    assert in_context(app, lambda db: db) is mine


def test_a_transaction_left_open_is_rolled_back_before_the_next_context(app):
    def leave_open(db):
        db.conn.execute("BEGIN IMMEDIATE")
        accounts.create_company(db, "Never Committed")

    in_context(app, leave_open)
    assert in_context(app, lambda db: db.conn.in_transaction) is False
    assert in_context(app, lambda db: accounts.find_company_by_name(db, "Never Committed")) is None


def test_apps_on_different_databases_see_their_own(tmp_path):
    one, two = make_app(tmp_path / "one.sqlite3"), make_app(tmp_path / "two.sqlite3")
    in_context(one, lambda db: accounts.create_company(db, "Only In One"))
    assert in_context(two, lambda db: accounts.find_company_by_name(db, "Only In One")) is None
    assert in_context(one, lambda db: accounts.find_company_by_name(db, "Only In One")) is not None


def test_a_thread_keeps_only_a_few_idle_connections_and_closes_the_rest(tmp_path):
    apps = [make_app(tmp_path / f"db{n}.sqlite3") for n in range(storage.IDLE_PER_THREAD + 2)]
    opened = [in_context(app, lambda db: db) for app in apps]
    for db in opened[:2]:
        with pytest.raises(sqlite3.ProgrammingError):
            db.execute("SELECT 1")
    assert all(db.execute("SELECT 1").fetchone() == (1,) for db in opened[2:])


def test_a_connection_its_user_closed_is_not_handed_out_again(app):
    closed = in_context(app, lambda db: db.close() or db)
    assert in_context(app, lambda db: db.execute("SELECT 1").fetchone()) == (1,)
    assert in_context(app, lambda db: db) is not closed


def test_in_memory_databases_are_never_kept():
    app = Flask(__name__)
    app.config["DATABASE"] = ":memory:"
    app.teardown_appcontext(storage.close_db)
    in_context(app, lambda db: db.execute("CREATE TABLE t (x)"))
    assert "t" not in in_context(app, lambda db: db.table_names())


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")  # Python 3.12+ on a multi-threaded runner
def test_a_forked_child_opens_its_own_connection_and_leaves_the_parents_alone(app):
    parent = in_context(app, lambda db: db)  # idle in this thread when the fork happens
    pid = os.fork()
    if pid == 0:  # the child: report by exit status only, never return into pytest
        try:
            child = in_context(app, lambda db: db)
            ok = child is not parent and accounts.create_company(child, "Made In Child") is not None
            os._exit(0 if ok else 1)
        finally:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert in_context(app, lambda db: db) is parent
    assert in_context(app, lambda db: accounts.find_company_by_name(db, "Made In Child")) is not None


def test_select_reads_add_no_savepoint_and_other_statements_keep_sqlite_utils_rules(tmp_path):
    db = connect(str(tmp_path / "q.sqlite3"))
    migrate(db)
    statements = []
    db.conn.set_trace_callback(statements.append)
    assert list(db.query("SELECT name FROM companies")) == []
    assert statements == ["SELECT name FROM companies"]
    with pytest.raises(ValueError):
        db.query("UPDATE companies SET name = name")
    rows = list(db.query("INSERT INTO companies (name, accounting_integrations, created_at) "
                         "VALUES ('Returned', 1, '2026-01-01') RETURNING name"))
    assert rows == [{"name": "Returned"}] and not db.conn.in_transaction
    assert list(db.query("select c.id, c.name, c.name FROM companies c")) == [
        {"id": 1, "name": "Returned", "name_2": "Returned"}]
    db.close()
