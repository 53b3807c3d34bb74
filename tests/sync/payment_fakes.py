"""A fake QuickBooks for the payments read-back: records by entity and Id, queued CDC answers, every call noted."""
from __future__ import annotations

from datetime import datetime, timezone

from qbo.connection.sign_in_store import QboIdentity, save_qbo_connection
from qbo.connection.tokens import token_set_from_response
from qbo.intuit.api_client import ChangedData
from qbo.intuit.faults import QboNotFound
from qbo.sync.store import SYNCED, save_state

NOW = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
REALM = "9130350000000001"
OTHER_REALM = "9130350000000002"


class FakeQuickBooks:
    """QboClient's read, read_many and change_data_capture over dicts; an exception queued as an answer is raised."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], dict] = {}
        self.cdc_answers: list[ChangedData | Exception] = []
        self.calls: list[tuple] = []

    def add(self, entity: str, record: dict) -> dict:
        self.records[(entity, str(record["Id"]))] = record
        return record

    def bill(self, qbo_id: str, total: float, balance: float | None = None, payments: tuple[str, ...] = (),
             token: str = "1", entity: str = "Bill") -> dict:
        payment_type = "BillPayment" if entity == "Bill" else "Payment"
        return self.add(entity, {"Id": qbo_id, "SyncToken": token, "TotalAmt": total,
                                 "Balance": total if balance is None else balance,
                                 "LinkedTxn": [{"TxnId": p, "TxnType": payment_type} for p in payments]})

    def payment(self, payment_id: str, pays: dict[str, float], day: str = "2026-11-30",
                entity: str = "BillPayment", updated: str = "2026-11-30T04:00:00-08:00") -> dict:
        target = "Bill" if entity == "BillPayment" else "Invoice"
        return self.add(entity, {"Id": payment_id, "SyncToken": "0", "TxnDate": day,
                                 "TotalAmt": sum(pays.values()), "MetaData": {"LastUpdatedTime": updated},
                                 "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": qbo_id, "TxnType": target}]}
                                          for qbo_id, amount in pays.items()]})

    def read(self, entity: str, entity_id: str) -> dict:
        self.calls.append(("read", entity, entity_id))
        found = self.records.get((entity, entity_id))
        if found is None:
            raise QboNotFound("610", "Object Not Found", f"{entity} {entity_id}", 400, "tid")
        return found

    def read_many(self, entity: str, ids) -> list[dict]:
        ids = list(ids)
        self.calls.append(("read_many", entity, tuple(sorted(ids))))
        return [self.records[(entity, i)] for i in ids if (entity, i) in self.records]

    def change_data_capture(self, entities, changed_since: str) -> ChangedData:
        self.calls.append(("cdc", changed_since))
        answer = self.cdc_answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def reads(self, kind: str = "read_many") -> list[tuple]:
        return [call for call in self.calls if call[0] == kind]


def cdc(time: str = "2026-11-30T04:00:00.000-08:00", **objects: list[dict]) -> ChangedData:
    return ChangedData({entity: list(objects.get(entity, [])) for entity in
                        ("Bill", "Invoice", "BillPayment", "Payment")}, time)


def synced(db, company_id: int, record_id: int, qbo_id: str, kind: str = "bill", realm_id: str = REALM,
           status: str = SYNCED) -> None:
    save_state(db, company_id, realm_id, kind, record_id, NOW, status=status, qbo_id=qbo_id, sync_token="0",
               version="v1", synced_version="v1", request_id=f"r-{kind}-{record_id}", synced_at=NOW)


def connect(app, db, company_id: int, realm_id: str) -> None:
    """A stored QuickBooks Online connection, without the OAuth round trip (pages and schedules only)."""
    identity = QboIdentity(realm_id, "emulator", f"sub-{company_id}", "alex@example.com", "Alex Morgan", "Keystone")
    tokens = token_set_from_response({"access_token": "AT", "refresh_token": "RT", "expires_in": 3600,
                                      "x_refresh_token_expires_in": 8726400}, NOW)
    save_qbo_connection(db, company_id, identity, tokens, app.extensions["token_cipher"], NOW)
