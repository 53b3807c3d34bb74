"""How payments settle bills and invoices: each one's Balance and LinkedTxn follow the payments applied to it."""
from __future__ import annotations

import sqlite3

from .entities import get_entity, list_entities, save_entity
from .entity_faults import business_error
from .references import reference_value
from .write_support import next_version

TARGET_OF = {"BillPayment": "Bill", "Payment": "Invoice"}
PAYMENT_OF = {target: payment for payment, target in TARGET_OF.items()}
PARTY_REF = {"Bill": "VendorRef", "Invoice": "CustomerRef"}


def applications(payment: dict) -> dict[str, float]:
    """What one payment applies, by the Id of the bill or invoice its lines link to."""
    applied: dict[str, float] = {}
    for line in payment.get("Line") or []:
        for link in line.get("LinkedTxn") or []:
            applied[link["TxnId"]] = round(applied.get(link["TxnId"], 0) + line["Amount"], 2)
    return applied


def payments_applied(conn: sqlite3.Connection, realm_id: str, target: str, target_id: str,
                     excluding: str | None = None) -> list[tuple[dict, float]]:
    """The payments applied to one bill or invoice, each with the amount it applies, in Id order."""
    found = []
    for payment in list_entities(conn, realm_id, PAYMENT_OF[target]):
        amount = applications(payment).get(target_id)
        if amount and payment["Id"] != excluding:
            found.append((payment, amount))
    return found


def open_balance(conn: sqlite3.Connection, realm_id: str, target: dict, target_entity: str,
                 excluding: str | None) -> float:
    """What is left to pay on a bill or invoice, leaving one payment (the one being written) out."""
    paid = sum(amount for _, amount in payments_applied(conn, realm_id, target_entity, target["Id"], excluding))
    return round(target["TotalAmt"] - paid, 2)


def settled(conn: sqlite3.Connection, realm_id: str, entity: str, record: dict) -> dict:
    """A bill or invoice with the Balance and LinkedTxn its payments leave it with."""
    found = payments_applied(conn, realm_id, entity, record["Id"])
    result = {key: value for key, value in record.items() if key != "LinkedTxn"}
    result["Balance"] = round(record["TotalAmt"] - sum(amount for _, amount in found), 2)
    if found:
        result["LinkedTxn"] = [{"TxnId": payment["Id"], "TxnType": PAYMENT_OF[entity]} for payment, _ in found]
    return result


def settle_update(conn: sqlite3.Connection, realm_id: str, entity: str, record: dict) -> dict:
    """An updated bill or invoice, settled; 6000 when the change no longer fits its payments."""
    result = settled(conn, realm_id, entity, record)
    if "LinkedTxn" not in result:
        return result
    if result["Balance"] < 0:
        raise business_error(f"The {entity.lower()} total ({record['TotalAmt']:.2f}) can't be less than the"
                             " payments applied to it. Change or delete the payments first.", "TotalAmt")
    party = PARTY_REF[entity]
    payments = payments_applied(conn, realm_id, entity, record["Id"])
    if any(reference_value(p.get(party)) != reference_value(record.get(party)) for p, _ in payments):
        raise business_error(f"This {entity.lower()} has payments applied; its {party[:-3].lower()} can't"
                             " change. Delete the payments first.", party)
    return result


def check_no_payments(conn: sqlite3.Connection, realm_id: str, entity: str, entity_id: str,
                      action: str) -> None:
    """6000 before deleting or voiding a bill or invoice that payments are applied to."""
    payments = payments_applied(conn, realm_id, entity, entity_id)
    if payments:
        named = ", ".join(f"{PAYMENT_OF[entity]} {payment['Id']}" for payment, _ in payments)
        raise business_error(f"This {entity.lower()} has payments applied ({named}), so it can't be {action}."
                             " Delete the payments first.")


def refresh_settled(conn: sqlite3.Connection, realm_id: str, payment_entity: str, target_ids: set[str],
                    at: float) -> None:
    """Re-settle every bill or invoice a payment write touched; each one that changes gets a new version."""
    target = TARGET_OF[payment_entity]
    for target_id in sorted(target_ids, key=lambda value: (len(value), value)):
        existing = get_entity(conn, realm_id, target, target_id)
        if existing is None:
            continue
        record = settled(conn, realm_id, target, existing)
        if record == existing:
            continue
        record.update(next_version(existing, at))
        save_entity(conn, realm_id, target, record)
