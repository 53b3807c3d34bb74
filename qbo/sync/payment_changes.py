"""A BillPayment or Payment webhook event: read the payment, then the synced records it pays (and those it paid
before), and store their payment status. A replayed or repeated event reads again and stores the same status."""
from __future__ import annotations

from qbo.connection.webhook_store import StoredEvent
from qbo.intuit.faults import QboNotFound
from qbo.sync.payment_reads import PaymentReader
from qbo.sync.payments import KIND_OF_PAYMENT

PAYMENT_ENTITIES = tuple(KIND_OF_PAYMENT)


def apply_payment_event(reader: PaymentReader, event: StoredEvent) -> str:
    """Act on one payment event; what was done, in a few words."""
    entity, payment_id = event.entity, event.entity_id
    if event.operation == "Delete":
        paid = reader.payment_gone(entity, payment_id)
    else:
        try:
            paid = reader.payment_seen(entity, reader.client.read(entity, payment_id))
        except QboNotFound:
            paid = reader.payment_gone(entity, payment_id)
    if not paid:
        return "nothing to do: pays no record inBuild sent"
    reader.refresh(KIND_OF_PAYMENT[entity], paid)
    return f"payment status read back: {reader.statuses_saved} of {len(paid)} record(s) stored"
