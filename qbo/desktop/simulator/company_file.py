"""A simulated QuickBooks Desktop company file: lists, bills and invoices, kept as plain data (JSON on disk)."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

LIST_KINDS = ("Vendor", "Customer", "Item", "Account")
PAYMENT_TYPES = {"Bill": "BillPaymentCheck", "Invoice": "ReceivePayment"}  # the LinkedTxn a payment leaves
DEMO_PATH = "C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\Keystone Builders.qbw"


@dataclass
class CompanyFile:
    path: str
    company_name: str
    product_name: str = "QuickBooks Enterprise Solutions: Contractor 24.0"
    country: str = "US"
    supported_versions: list[str] = field(default_factory=lambda: ["12.0", "13.0", "14.0", "15.0", "16.0"])
    lists: dict[str, list[dict]] = field(default_factory=lambda: {kind: [] for kind in LIST_KINDS})
    transactions: dict[str, list[dict]] = field(default_factory=lambda: {"Bill": [], "Invoice": []})
    counter: int = 0

    def next_id(self) -> str:
        self.counter += 1
        return f"{0x80000000 + self.counter:X}-{1700000000 + self.counter}"

    def add_list_record(self, kind: str, name: str, parent: dict | None = None, **fields) -> dict:
        record = {"ListID": self.next_id(), "EditSequence": str(1700000000 + self.counter), "Name": name,
                  "FullName": f"{parent['FullName']}:{name}" if parent else name, "IsActive": "true",
                  "ParentListID": parent["ListID"] if parent else "", "Sublevel": "1" if parent else "0", **fields}
        self.lists[kind].append(record)
        return record

    def find_list_record(self, kind: str, list_id: str = "", full_name: str = "") -> dict | None:
        for record in self.lists[kind]:
            if (list_id and record["ListID"] == list_id) or (full_name and
                                                             record["FullName"].lower() == full_name.lower()):
                return record
        return None

    def add_transaction(self, kind: str, values: dict) -> dict:
        txn = {"TxnID": self.next_id(), "EditSequence": str(1700000000 + self.counter), **values}
        self.transactions[kind].append(txn)
        return txn

    def find_transaction(self, kind: str, txn_id: str = "", ref_number: str = "") -> dict | None:
        return next((txn for txn in self.transactions[kind] if (txn_id and txn["TxnID"] == txn_id)
                     or (ref_number and txn.get("RefNumber") == ref_number)), None)

    def pay(self, kind: str, txn: dict, amount: str | None = None, txn_date: str = "2026-11-30") -> dict:
        """Pay a bill (a bill payment by check) or an invoice (a received payment): in full, or `amount` of it.
        The payment is linked to the transaction; its EditSequence stays (only an edit of the bill changes it)."""
        paid = Decimal(amount) if amount is not None else self.open_amount(txn)
        payment = {"TxnID": self.next_id(), "TxnType": PAYMENT_TYPES[kind], "TxnDate": txn_date,
                   "RefNumber": f"PMT-{self.counter}", "LinkType": "AMTTYPE", "Amount": f"{-paid:.2f}"}
        txn.setdefault("LinkedTxn", []).append(payment)
        return payment

    def open_amount(self, txn: dict) -> Decimal:
        paid = sum((-Decimal(link["Amount"]) for link in txn.get("LinkedTxn", [])), Decimal(0))
        return Decimal(txn.get("Amount") or "0") - paid

    def count(self, kind: str) -> int:
        return len(self.transactions[kind]) if kind in self.transactions else len(self.lists[kind])

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: str | Path) -> CompanyFile:
        return cls(**json.loads(Path(path).read_text()))


def demo_company_file(path: str = DEMO_PATH) -> CompanyFile:
    """Keystone Builders as a contractor would keep it in QuickBooks Desktop (names differ a little from inBuild's)."""
    company = CompanyFile(path, "Keystone Builders LLC")
    for name, account_type, number in (
            ("Accounts Payable", "AccountsPayable", "2000"), ("Construction Income", "Income", "4000"),
            ("Job Expenses", "Expense", "6000"), ("Subcontractors", "CostOfGoodsSold", "5100"),
            ("Materials", "CostOfGoodsSold", "5200"), ("Equipment Rental", "CostOfGoodsSold", "5300"),
            ("Checking", "Bank", "1000")):
        company.add_list_record("Account", name, AccountType=account_type, AccountNumber=number)
    for name in ("ABC Concrete, Inc.", "Summit Electric LLC", "Ace Plumbing and Heating", "Home Depot",
                 "Ferguson Enterprises", "Sunbelt Rentals"):
        company.add_list_record("Vendor", name, CompanyName=name)
    for name in ("Riverside Health Partners", "Oak Street Development LLC", "City of Cedar Ridge"):
        company.add_list_record("Customer", name, CompanyName=name)
    for name, kind in (("Construction Services", "ItemServiceRet"), ("Materials Billed", "ItemNonInventoryRet"),
                       ("Subcontracted Work", "ItemServiceRet")):
        company.add_list_record("Item", name, ItemType=kind)
    return company
