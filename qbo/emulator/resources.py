"""Which QBO entities the emulator serves, by URL resource segment (lower case) and name."""
from __future__ import annotations

# Name lists: created and updated, never deleted (QBO makes them inactive instead).
LIST_RESOURCES: dict[str, str] = {"vendor": "Vendor", "customer": "Customer", "item": "Item",
                                  "account": "Account", "class": "Class"}
# Transactions: created, updated, deleted; invoices can also be voided.
TRANSACTION_RESOURCES: dict[str, str] = {"bill": "Bill", "invoice": "Invoice"}
# Payments: a BillPayment pays bills, a Payment settles invoices; created, updated, deleted.
PAYMENT_RESOURCES: dict[str, str] = {"billpayment": "BillPayment", "payment": "Payment"}
WRITABLE: dict[str, str] = {**LIST_RESOURCES, **TRANSACTION_RESOURCES, **PAYMENT_RESOURCES}
RESOURCES: dict[str, str] = {"companyinfo": "CompanyInfo", **WRITABLE}

LIST_ENTITIES = frozenset(LIST_RESOURCES.values())
TRANSACTION_ENTITIES = frozenset(TRANSACTION_RESOURCES.values())
PAYMENT_ENTITIES = frozenset(PAYMENT_RESOURCES.values())
DELETABLE_ENTITIES = TRANSACTION_ENTITIES | PAYMENT_ENTITIES
WRITABLE_ENTITIES = frozenset(WRITABLE.values())
QUERYABLE_ENTITIES = frozenset(RESOURCES.values())
VOIDABLE_ENTITIES = frozenset({"Invoice"})
