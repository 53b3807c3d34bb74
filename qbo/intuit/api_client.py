"""A small QuickBooks Online v3 API client for one QuickBooks company (realm).

Tokens come from the caller's token source (the connection package refreshes them under its lease); a 401
forces one refresh and one retry. Logs name the entity, the HTTP status and Intuit's intuit_tid, never
tokens or payloads.
"""
from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import requests

from qbo.intuit.errors import AccessRejected, IntuitUnavailable, OutcomeUnknown
from qbo.intuit.faults import QboDuplicateName, QboFault, fault_from
from qbo.intuit.oauth import MINOR_VERSION

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 503)
MAX_RETRIES = 3
BACKOFF_SECONDS = 0.25
RETRY_BUDGET_SECONDS = 5.0  # the longest one call may spend waiting between retries
DISPLAY_NAME_ENTITIES = ("Vendor", "Customer", "Employee")
IDS_PER_QUERY = 100  # Ids in one `Id IN (...)` query when reading several records
sleep = time.sleep  # module-level so tests can stand in for the clock

# (rejected_version) -> (access token, its version); a rejected version forces a refresh past it.
TokenSource = Callable[[int | None], tuple[str, int]]


def name_field(entity: str) -> str:
    """The field QBO keeps an entity's unique name in."""
    return "DisplayName" if entity in DISPLAY_NAME_ENTITIES else "Name"


def quoted(value: str) -> str:
    """A string literal for the QBO query language."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True)
class ChangedData:
    """One change data capture answer: the changed (or deleted) objects per entity, and QuickBooks' time."""

    objects: dict[str, list[dict]]
    server_time: str

    @property
    def count(self) -> int:
        return sum(len(found) for found in self.objects.values())


def changed_data(body: dict, entities: list[str]) -> ChangedData:
    """Read a CDC answer; an entity without changes may come as an empty QueryResponse or not at all."""
    objects: dict[str, list[dict]] = {entity: [] for entity in entities}
    for answer in body.get("CDCResponse") or []:
        for response in (answer or {}).get("QueryResponse") or []:
            for entity in entities:
                found = (response or {}).get(entity)
                if isinstance(found, list):
                    objects[entity] += [record for record in found if isinstance(record, dict)]
    return ChangedData(objects, str(body.get("time") or ""))


class QboClient:
    """The QBO API of one realm, with access tokens from a token source."""

    def __init__(self, realm_id: str, api_base_url: str, timeout: float, access_token: TokenSource) -> None:
        self.realm_id, self.timeout, self._access_token = realm_id, timeout, access_token
        self.base_url = f"{api_base_url}/company/{realm_id}"

    def query(self, entity: str, where: str = "", order_by: str = "",
              page_size: int = 1000) -> Iterator[dict]:
        """Every matching record, fetched page by page until a short page."""
        start = 1
        while True:
            select = _select("*", entity, where, order_by) + (
                f" STARTPOSITION {start} MAXRESULTS {page_size}")
            rows = self._query(entity, select).get(entity, [])
            yield from rows
            if len(rows) < page_size:
                return
            start += page_size

    def query_all(self, entity: str, where: str = "", order_by: str = "",
                  page_size: int = 1000) -> list[dict]:
        """Every matching record, as a list."""
        return list(self.query(entity, where, order_by, page_size))

    def count(self, entity: str, where: str = "") -> int:
        """How many records match."""
        return int(self._query(entity, _select("COUNT(*)", entity, where)).get("totalCount", 0))

    def read(self, entity: str, entity_id: str) -> dict:
        """One record by Id; QboNotFound if QuickBooks has no such record."""
        return self._call("GET", entity, f"/{entity.lower()}/{entity_id}")[entity]

    def read_many(self, entity: str, ids: Iterable[str], chunk_size: int = IDS_PER_QUERY) -> list[dict]:
        """The records of these Ids that exist, read with the query language a chunk of Ids at a time."""
        unique = list(dict.fromkeys(str(entity_id) for entity_id in ids))
        found: list[dict] = []
        for start in range(0, len(unique), chunk_size):
            chunk = unique[start:start + chunk_size]
            found += self.query(entity, f"Id IN ({', '.join(quoted(entity_id) for entity_id in chunk)})")
        return found

    def change_data_capture(self, entities: Iterable[str], changed_since: str) -> ChangedData:
        """What changed in these entities since an instant (ISO 8601 with offset, at most 30 days back)."""
        entities = list(entities)
        params = {"entities": ",".join(entities), "changedSince": changed_since}
        return changed_data(self._call("GET", "CDC", "/cdc", params=params), entities)

    def create(self, entity: str, body: dict, request_id: str | None = None) -> dict:
        """Create a record; the requestid makes a retried create safe (QBO replays its answer)."""
        params = {"requestid": request_id or str(uuid.uuid4())}
        return self._call("POST", entity, f"/{entity.lower()}", params=params, json=body)[entity]

    def update(self, entity: str, entity_id: str, sync_token: str, changes: dict,
               request_id: str | None = None) -> dict:
        """A sparse update: only the given fields change (a stale SyncToken raises QboFault 5010)."""
        body = {**changes, "Id": entity_id, "SyncToken": sync_token, "sparse": True}
        params = {"requestid": request_id} if request_id else None
        return self._call("POST", entity, f"/{entity.lower()}", params=params, json=body)[entity]

    def delete(self, entity: str, entity_id: str, sync_token: str) -> dict:
        """Delete a transaction (Bill, Invoice); QuickBooks answers with its Id and status "Deleted"."""
        body = {"Id": entity_id, "SyncToken": sync_token}
        return self._call("POST", entity, f"/{entity.lower()}", params={"operation": "delete"}, json=body)[entity]

    def void(self, entity: str, entity_id: str, sync_token: str) -> dict:
        """Void an invoice: it stays in QuickBooks with a zero amount."""
        body = {"Id": entity_id, "SyncToken": sync_token}
        return self._call("POST", entity, f"/{entity.lower()}", params={"operation": "void"}, json=body)[entity]

    def batch(self, items: list[dict], request_id: str) -> list[dict]:
        """One Batch request (at most 30 items, each with its bId); the answers in bId order as QuickBooks sent them."""
        body = {"BatchItemRequest": items}
        answer = self._call("POST", "Batch", "/batch", params={"requestid": request_id}, json=body)
        return list(answer.get("BatchItemResponse") or [])

    def find_by_name(self, entity: str, name: str, include_inactive: bool = False) -> dict | None:
        """The record with exactly this name (DisplayName for people, Name otherwise), or None."""
        where = f"{name_field(entity)} = {quoted(name)}"
        if include_inactive:
            where += " AND Active IN (true, false)"
        return next(self.query(entity, where, page_size=10), None)

    def create_or_link(self, entity: str, body: dict) -> tuple[dict, bool]:
        """Create a record, or on 6240 return the record already using its name; (record, created)."""
        try:
            return self.create(entity, body), True
        except QboDuplicateName:
            existing = self._existing_by_name(entity, str(body.get(name_field(entity)) or ""))
            if existing is None:
                raise
            return existing, False

    def _existing_by_name(self, entity: str, name: str) -> dict | None:
        name = name.strip()
        if not name:
            return None
        found = self.find_by_name(entity, name, include_inactive=True)
        if found is not None:
            return found
        # QBO's duplicate check ignores case; the = operator may not, so compare here instead.
        field = name_field(entity)
        like = f"{field} LIKE {quoted(name)} AND Active IN (true, false)"
        return next((row for row in self.query(entity, like)
                     if str(row.get(field, "")).casefold() == name.casefold()), None)

    def _query(self, entity: str, select: str) -> dict:
        headers = {"Content-Type": "application/text"}
        return self._call("POST", entity, "/query", data=select, headers=headers)["QueryResponse"]

    def _call(self, method: str, entity: str, path: str, **kwargs) -> dict:
        """One API call with a usable token; a 401 forces one token refresh and one retry."""
        token, version = self._access_token(None)
        response = self._send_with_retries(method, entity, path, token, **kwargs)
        if response.status_code == 401:
            token, _ = self._access_token(version)
            response = self._send_with_retries(method, entity, path, token, **kwargs)
            if response.status_code == 401:
                raise AccessRejected("QuickBooks refused the access token (HTTP 401).")
        return _json_or_fault(response)

    def _send_with_retries(self, method: str, entity: str, path: str, token: str,
                           **kwargs) -> requests.Response:
        waited = 0.0
        for attempt in range(MAX_RETRIES + 1):
            response = self._send(method, entity, path, token, **kwargs)
            if response.status_code not in RETRY_STATUSES or attempt == MAX_RETRIES:
                return response
            delay = _retry_delay(response, attempt)
            if waited + delay > RETRY_BUDGET_SECONDS:
                return response
            sleep(delay)
            waited += delay
        return response

    def _send(self, method: str, entity: str, path: str, token: str, params: dict | None = None,
              headers: dict | None = None, **kwargs) -> requests.Response:
        try:
            response = requests.request(
                method, self.base_url + path,
                params={**(params or {}), "minorversion": MINOR_VERSION},
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json",
                         **(headers or {})},
                timeout=self.timeout, **kwargs)
        except requests.ConnectTimeout as exc:
            raise IntuitUnavailable("QuickBooks could not be reached.") from exc
        except requests.Timeout as exc:
            raise OutcomeUnknown("QuickBooks did not answer in time.") from exc
        except requests.ConnectionError as exc:
            if _never_sent(exc):
                raise IntuitUnavailable("QuickBooks could not be reached.") from exc
            raise OutcomeUnknown("The connection to QuickBooks broke before it answered.") from exc
        except requests.RequestException as exc:
            raise IntuitUnavailable("QuickBooks could not be reached.") from exc
        log.info("QBO %s %s: HTTP %s intuit_tid=%s", method, entity, response.status_code,
                 response.headers.get("intuit_tid"))
        return response


def _never_sent(exc: requests.ConnectionError) -> bool:
    """Refused or unresolvable: the request never left, so sending it again cannot duplicate anything."""
    text = repr(exc)
    return "Connection refused" in text or "NewConnectionError" in text or "Name or service" in text


def _select(projection: str, entity: str, where: str = "", order_by: str = "") -> str:
    select = f"SELECT {projection} FROM {entity}"
    if where:
        select += f" WHERE {where}"
    if order_by:
        select += f" ORDERBY {order_by}"
    return select


def _retry_delay(response: requests.Response, attempt: int) -> float:
    """Retry-After seconds when QBO sends it, else exponential backoff with jitter."""
    retry_after = response.headers.get("Retry-After", "")
    if retry_after.strip().isdigit():
        return float(retry_after)
    return BACKOFF_SECONDS * (2 ** attempt) * random.uniform(0.8, 1.2)


def _json_or_fault(response: requests.Response) -> dict:
    status, tid = response.status_code, response.headers.get("intuit_tid")
    if status == 429 or status >= 500:
        raise IntuitUnavailable(f"QuickBooks is unavailable right now (HTTP {status}).")
    try:
        body = response.json()
    except ValueError as exc:
        raise IntuitUnavailable(f"QuickBooks sent a response that is not JSON (HTTP {status}).") from exc
    fault = fault_from(status, body, tid)
    if fault is not None:
        raise fault
    if status != 200 or not isinstance(body, dict):
        raise QboFault("", f"Unexpected HTTP {status}", "", status, tid)
    return body
