"""The rows a mapping step shows: inBuild records (searched, paged) beside their current mapping."""
from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from qbo.mapping.store import (
    COST_CODE,
    COST_TYPE,
    PROJECT_CLASS,
    PROJECT_CUSTOMER,
    PROJECT_JOB,
    VENDOR,
    Mapping,
    mapping_counts,
    mappings_for,
)
from qbo.records import catalog as records

PAGE_SIZE = 50


@dataclass(frozen=True)
class MappingRow:
    kind: str
    inbuild_id: int
    label: str
    detail: str
    mapping: Mapping | None


@dataclass(frozen=True)
class RowPage:
    kind: str
    rows: list[MappingRow]
    total: int
    page: int
    search: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def page_links(self) -> list[int | None]:
        """The pages a pager links: first, last and two either side of this one; None where it skips some."""
        wanted = sorted({1, self.pages, *range(max(1, self.page - 2), min(self.pages, self.page + 2) + 1)})
        links: list[int | None] = []
        for number in wanted:
            if links and number - links[-1] > 1:
                links.append(None)
            links.append(number)
        return links


def _listing(kind: str):
    """(list function, count function, label, detail) for a kind of inBuild record."""
    if kind == VENDOR:
        return records.list_vendors, records.count_vendors, lambda v: v.name, lambda v: v.email or v.vendor_type
    if kind in (PROJECT_CUSTOMER, PROJECT_JOB, PROJECT_CLASS):
        return (records.list_projects, records.count_projects, lambda p: f"{p.number} {p.name}",
                lambda p: p.customer_name)
    if kind == COST_CODE:
        return records.list_cost_codes, records.count_cost_codes, lambda c: c.code, lambda c: c.description
    if kind == COST_TYPE:
        return records.list_cost_types, records.count_cost_types, lambda t: t.code, lambda t: t.name
    raise ValueError(f"Unknown mapping kind {kind!r}")


def row_page(db: Database, company_id: int, realm_id: str, kind: str, search: str = "", page: int = 1) -> RowPage:
    list_records, count_records, label, detail = _listing(kind)
    total = count_records(db, company_id, search=search)
    page = min(max(page, 1), max(1, -(-total // PAGE_SIZE)))
    found = list_records(db, company_id, search=search, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    mapped = mappings_for(db, company_id, realm_id, kind, [r.id for r in found])
    rows = [MappingRow(kind, r.id, label(r), detail(r), mapped.get(r.id)) for r in found]
    return RowPage(kind, rows, total, page, search)


def single_row(db: Database, company_id: int, realm_id: str, kind: str, inbuild_id: int) -> MappingRow | None:
    """One row, or None when the id is not one of this company's records."""
    getter = {VENDOR: records.get_vendor, COST_CODE: records.get_cost_code, COST_TYPE: records.get_cost_type}.get(
        kind, records.get_project
    )
    record = getter(db, company_id, inbuild_id)
    if record is None:
        return None
    _, _, label, detail = _listing(kind)
    return MappingRow(kind, record.id, label(record), detail(record),
                      mappings_for(db, company_id, realm_id, kind, [record.id]).get(record.id))


def progress(db: Database, company_id: int, realm_id: str, kind: str) -> dict[str, int]:
    """How many records are confirmed, suggested, stale and unmapped."""
    _, count_records, _, _ = _listing(kind)
    counts = mapping_counts(db, company_id, realm_id, kind)
    total = count_records(db, company_id)
    return {"total": total, **counts,
            "unmapped": max(total - counts["confirmed"] - counts["suggested"] - counts["stale"], 0)}
