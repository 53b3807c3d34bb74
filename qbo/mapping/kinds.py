"""Which QuickBooks list each kind of mapping points into, and whether records there may be shared."""
from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from qbo.connection.realm_settings import RealmSettings
from qbo.mapping.reference_records import EXPENSE_ACCOUNT_TYPES, QboRecord, list_records
from qbo.mapping.store import PROJECT_CLASS, PROJECT_CUSTOMER, PROJECT_JOB, VENDOR

ONE_TO_ONE_KINDS = (VENDOR, PROJECT_JOB)
COMPANY_KINDS = (VENDOR, PROJECT_CUSTOMER)  # names of companies, where trade words say little


@dataclass(frozen=True)
class KindSpec:
    """Which QuickBooks list a kind of mapping points into, and how to filter it."""

    entity: str
    subtypes: tuple[str, ...] = ()
    jobs: bool | None = None

    def admits(self, record: QboRecord) -> bool:
        """Whether a stored record belongs to this list (and is active)."""
        return (record.entity == self.entity and record.active
                and (not self.subtypes or record.subtype in self.subtypes)
                and (self.jobs is None or record.is_job == self.jobs))


def kind_spec(kind: str, settings: RealmSettings | None) -> KindSpec:
    if kind == VENDOR:
        return KindSpec("Vendor")
    if kind == PROJECT_CUSTOMER:
        return KindSpec("Customer", jobs=False)
    if kind == PROJECT_JOB:
        return KindSpec("Customer", jobs=True)
    if kind == PROJECT_CLASS:
        return KindSpec("Class")
    if settings is not None and settings.posting_style == "item":
        return KindSpec("Item", subtypes=("Service", "NonInventory"))
    return KindSpec("Account", subtypes=EXPENSE_ACCOUNT_TYPES)


def one_to_one(kind: str, settings: RealmSettings | None) -> bool:
    """Vendors and projects never share a QuickBooks record by default; in 'both' mode owners may."""
    if kind == PROJECT_CUSTOMER:
        return settings is None or settings.project_mapping != "both"
    return kind in ONE_TO_ONE_KINDS


def candidates_for(db: Database, company_id: int, realm_id: str, kind: str, settings) -> list[QboRecord]:
    spec = kind_spec(kind, settings)
    return list_records(db, company_id, realm_id, spec.entity, spec.subtypes, spec.jobs)
