"""Fixtures: real emulator servers on free loopback ports."""
from __future__ import annotations

from typing import Callable, Iterator

import pytest

from qbo.emulator import create_emulator_app
from tests.emulator.emulator_helpers import Emulator
from tests.emulator.entity_helpers import token_for
from tests.emulator.transaction_helpers import Books, books
from tests.support.live_server import LiveServer, serve


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory) -> Iterator[LiveServer]:
    """One emulator for the session (file-backed); tests reset it before use."""
    database = tmp_path_factory.mktemp("emulator") / "emulator.sqlite3"
    server = serve(create_emulator_app({"EMULATOR_DATABASE": str(database)}))
    yield server
    server.stop()


@pytest.fixture
def emulator(shared_server) -> Emulator:
    """The shared emulator, reset to its seed state (strict rotation, no faults, no calls)."""
    emulator = Emulator(shared_server.url)
    assert emulator.control("POST", "api/reset").status_code == 200
    return emulator


@pytest.fixture
def start_emulator(tmp_path) -> Iterator[Callable[..., Emulator]]:
    """Start dedicated emulators with extra config; all are stopped after the test."""
    servers = []

    def start(**config) -> Emulator:
        settings = {"EMULATOR_DATABASE": str(tmp_path / "emulator.sqlite3"), **config}
        server = serve(create_emulator_app(settings))
        servers.append(server)
        return Emulator(server.url)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def token(emulator) -> str:
    """An access token for Keystone, the seeded company most tests write to."""
    return token_for(emulator)


@pytest.fixture
def seeded(emulator) -> Books:
    """Keystone's accounts, vendors, customers and items, as the transaction tests use them."""
    return books(emulator)
