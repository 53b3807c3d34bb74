"""Helpers for the QBO list-entity tests: writes, queries and faults over real HTTP."""
from __future__ import annotations

import requests

from tests.emulator.emulator_helpers import ALEX, HARBOR, KEYSTONE, SAM, SUMMIT, Emulator

# Who may sign in to which seeded company.
SIGN_IN = {KEYSTONE: ALEX.email, HARBOR: ALEX.email, SUMMIT: SAM.email}


def token_for(emulator: Emulator, realm_id: str = KEYSTONE) -> str:
    """A fresh access token for one of the seeded companies."""
    return emulator.connect(email=SIGN_IN[realm_id], realm_id=realm_id)["access_token"]


def post(emulator: Emulator, token: str, resource: str, body: object, realm_id: str = KEYSTONE,
         timeout: float = 10, **params: str) -> requests.Response:
    """POST a create or update to /v3/company/<realm>/<resource>."""
    return emulator.api(resource, token, realm_id=realm_id, method="POST", json=body,
                        params={"minorversion": "75", **params}, timeout=timeout)


def created(emulator: Emulator, token: str, entity: str, body: dict,
            realm_id: str = KEYSTONE) -> dict:
    """Create an entity and return it, asserting success."""
    response = post(emulator, token, entity.lower(), body, realm_id)
    assert response.status_code == 200, response.text
    return response.json()[entity]


def query(emulator: Emulator, token: str, select: str, realm_id: str = KEYSTONE) -> dict:
    """The QueryResponse of a select statement."""
    response = emulator.api("query", token, realm_id=realm_id, params={"query": select})
    assert response.status_code == 200, response.text
    return response.json()["QueryResponse"]


def rows(emulator: Emulator, token: str, select: str, entity: str,
         realm_id: str = KEYSTONE) -> list[dict]:
    """The records a select statement returns (empty when the entity key is absent)."""
    return query(emulator, token, select, realm_id).get(entity, [])


def fault_of(response: requests.Response) -> dict:
    """The single Error of a 400 ValidationFault."""
    assert response.status_code == 400, response.text
    fault = response.json()["Fault"]
    assert fault["type"] == "ValidationFault"
    return fault["Error"][0]
