"""Helpers for the Bill, Invoice and batch tests: seeded Ids, bodies, and the stored records."""
from __future__ import annotations

from dataclasses import dataclass

import requests

from tests.emulator.emulator_helpers import KEYSTONE, Emulator

ENTITY_LISTS = ("Vendor", "Customer", "Account", "Item", "Class")


@dataclass(frozen=True)
class Books:
    """One company's seeded list records: entity -> name -> Id (inactive ones included)."""
    ids: dict[str, dict[str, str]]

    def id(self, entity: str, name: str) -> str:
        """The Id of a seeded record."""
        return self.ids[entity][name]


def stored(emulator: Emulator, entity: str, realm_id: str = KEYSTONE) -> dict:
    """What the control API lists for one entity type: count, entities, deleted_ids."""
    response = emulator.control("GET", f"api/realms/{realm_id}/entities/{entity}")
    assert response.status_code == 200, response.text
    return response.json()


def books(emulator: Emulator, realm_id: str = KEYSTONE) -> Books:
    """The seeded Ids of a company, by entity and name."""
    ids = {}
    for entity in ENTITY_LISTS:
        ids[entity] = {record.get("DisplayName") or record["Name"]: record["Id"]
                       for record in stored(emulator, entity, realm_id)["entities"]}
    return Books(ids)


def ref(value: str) -> dict:
    """A reference as a client sends it."""
    return {"value": value}


def account_line(account_id: str, amount: object, **detail: object) -> dict:
    """A Bill line booked to an expense account."""
    return {"Amount": amount, "DetailType": "AccountBasedExpenseLineDetail",
            "AccountBasedExpenseLineDetail": {"AccountRef": ref(account_id), **detail}}


def item_line(item_id: str, amount: object = None, **detail: object) -> dict:
    """A Bill line for an item (Amount may be left to Qty x UnitPrice)."""
    line = {"DetailType": "ItemBasedExpenseLineDetail",
            "ItemBasedExpenseLineDetail": {"ItemRef": ref(item_id), **detail}}
    return line if amount is None else {"Amount": amount, **line}


def sales_line(item_id: str, amount: object = None, **detail: object) -> dict:
    """An Invoice sales line."""
    line = {"DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": ref(item_id), **detail}}
    return line if amount is None else {"Amount": amount, **line}


def bill_body(vendor_id: str, *lines: dict, **fields: object) -> dict:
    """A Bill create body."""
    return {"VendorRef": ref(vendor_id), "Line": list(lines), **fields}


def invoice_body(customer_id: str, *lines: dict, **fields: object) -> dict:
    """An Invoice create body."""
    return {"CustomerRef": ref(customer_id), "Line": list(lines), **fields}


def batch(emulator: Emulator, token: str, items: list[dict], realm_id: str = KEYSTONE,
          timeout: float = 10, **params: str) -> requests.Response:
    """POST a BatchItemRequest list."""
    return emulator.api("batch", token, realm_id=realm_id, method="POST",
                        json={"BatchItemRequest": items},
                        params={"minorversion": "75", **params}, timeout=timeout)


def close_books(emulator: Emulator, through: str | None, realm_id: str = KEYSTONE) -> None:
    """Set (or with None clear) a company's closing date."""
    response = emulator.control("POST", f"api/realms/{realm_id}/preferences",
                                json={"closing_date": through})
    assert response.status_code == 200, response.text


def plan_fault(emulator: Emulator, **fault: object) -> dict:
    """Add a fault to the plan."""
    response = emulator.control("POST", "api/faults", json=fault)
    assert response.status_code == 201, response.text
    return response.json()


def set_throttle(emulator: Emulator, **settings: object) -> dict:
    """Change the throttle settings."""
    response = emulator.control("POST", "api/throttle", json=settings)
    assert response.status_code == 200, response.text
    return response.json()
