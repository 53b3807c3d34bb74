"""How many SQL statements the QuickBooks Online card and the integrations page cost: a count, not a timing.

Each statement is one round through SQLite on every card refresh; a new query on this path should be a choice
made here, with the number below changed on purpose.
"""
from __future__ import annotations

import contextlib

from flask import appcontext_pushed, appcontext_tearing_down, g

from qbo.storage.db import get_db
from tests.conftest import ALEX, REALM_1

CARD = "/settings/integrations/qbo/card"
PAGE = "/settings/integrations/"


@contextlib.contextmanager
def statements_of(app):
    """Every SQL statement run by the app contexts of requests made inside the block."""
    statements: list[str] = []

    def trace(sender, **_):
        get_db().conn.set_trace_callback(statements.append)

    def untrace(sender, **_):
        if "db" in g:
            g.db.conn.set_trace_callback(None)

    with appcontext_pushed.connected_to(trace, app), appcontext_tearing_down.connected_to(untrace, app):
        yield statements


def fragment(admin):
    response = admin.client.get(CARD, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="qbo-card"' in response.get_data(as_text=True)
    return response


def test_connected_card_costs_five_statements_without_savepoints(app, admin):
    assert admin.connect(ALEX, REALM_1).status_code == 302
    fragment(admin)  # warm: this thread's connection is open already, as in a running worker
    with statements_of(app) as statements:
        fragment(admin)
    listing = "\n".join(statements)
    # The login session with the memberships, the connections rows (once), the realm's settings, the stale
    # mappings, the newest sync run.
    assert len(statements) == 5, listing
    assert sum("FROM connections" in s for s in statements) == 1, listing
    assert sum("memberships" in s for s in statements) == 1, listing
    assert not [s for s in statements if s.split()[0].upper() in ("SAVEPOINT", "RELEASE", "BEGIN")]


def test_not_connected_card_costs_two_statements(app, admin):
    fragment(admin)
    with statements_of(app) as statements:
        fragment(admin)
    assert len(statements) == 2, "\n".join(statements)  # the login session with the memberships, the connections


def test_connected_page_reads_the_connections_once_and_nothing_of_the_desktop_card_it_hides(app, admin):
    assert admin.connect(ALEX, REALM_1).status_code == 302
    admin.client.get(PAGE)
    with statements_of(app) as statements:
        assert admin.client.get(PAGE).status_code == 200
    listing = "\n".join(statements)
    assert len(statements) == 5, listing  # the card's five: with QuickBooks Online active, no Desktop card
    assert sum("FROM connections" in s for s in statements) == 1, listing
    assert sum("memberships" in s for s in statements) == 1, listing


def test_requests_in_one_thread_reuse_one_connection(app, admin):
    used = []

    def remember(sender, **_):
        used.append(get_db())

    with appcontext_pushed.connected_to(remember, app):
        fragment(admin)
        fragment(admin)
    assert len(used) == 2 and used[0] is used[1]
