"""An emulator database written by an earlier version opens and gains the new columns."""
from __future__ import annotations

import sqlite3

from qbo.emulator import create_emulator_app
from qbo.emulator.context import EXTENSION_KEY

OLD_FAULTS = """CREATE TABLE faults (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, endpoint TEXT NOT NULL,
    remaining INTEGER NOT NULL, seconds REAL NOT NULL, retry_after INTEGER)"""


def test_an_old_fault_table_gains_resource_and_realm_columns(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute(OLD_FAULTS)
        old.execute("INSERT INTO faults (kind, endpoint, remaining, seconds) VALUES"
                    " ('500', 'api', 1, 5)")
    old.close()
    app = create_emulator_app({"EMULATOR_DATABASE": str(path)})
    client = app.test_client()
    planned = client.get("/_emulator/api/faults").get_json()
    assert planned[0]["kind"] == "500" and planned[0]["resource"] is None
    response = client.post("/_emulator/api/faults", json={"kind": "slow", "resource": "bill"})
    assert response.status_code == 201 and response.get_json()["resource"] == "bill"
    app.extensions[EXTENSION_KEY].db.close()
