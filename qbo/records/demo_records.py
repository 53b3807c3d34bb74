"""Demo inBuild records for one company: jobs, subs and suppliers, CSI cost codes, bills and owner invoices.

Deterministic (seeded by the company id, dated from a fixed reference day) and idempotent.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlite_utils import Database

from qbo.records import catalog as records
from qbo.records import catalog_writes, document_writes
from qbo.records.catalog import VendorType
from qbo.records.documents import ApprovalStatus, NewLine
from qbo.storage.db import immediate

REFERENCE_DATE = date(2026, 11, 1)
HISTORY_DAYS = 182
BILL_COUNT = 100
INVOICES_PER_PROJECT = (4, 4, 3, 3, 3, 3)

PROJECTS = (
    ("P-1001", "Riverside Medical Office Building", "Riverside Health Partners", "facilities@riversidehealth.example",
     "1450 River Rd, Sacramento, CA 95815", "active"),
    ("P-1002", "Oak Street Townhomes (Phase 2)", "Oak Street Development LLC", "pm@oakstreetdev.example",
     "220 Oak St, Davis, CA 95616", "active"),
    ("P-1003", "Lincoln Elementary Modernization", "Lincoln Unified School District", "bonds@lincolnusd.example",
     "801 Lincoln Blvd, Roseville, CA 95678", "active"),
    ("P-1004", "Harbor View Retail Tenant Improvement", "Harbor View Properties", "leasing@harborview.example",
     "35 Harbor Way, Suite 110, Oakland, CA 94607", "active"),
    ("P-1005", "Cedar Ridge Fire Station No. 7", "City of Cedar Ridge", "publicworks@cedarridge.example",
     "7 Station Dr, Cedar Ridge, CA 95924", "active"),
    ("P-1006", "Midtown Parking Structure Repairs", "Midtown Parking Authority", "ops@midtownparking.example",
     "1200 J St, Sacramento, CA 95814", "closed"),
)

SUB, SUPPLY = VendorType.SUBCONTRACTOR, VendorType.SUPPLIER
# Several names differ slightly from how the same vendor is usually written in QuickBooks, so matching has work.
VENDORS = (
    ("ABC Concrete Inc.", SUB, "03"), ("Summit Electric, LLC", SUB, "16"), ("Ace Plumbing & Heating", SUB, "15"),
    ("Bay Area Drywall Co", SUB, "09"), ("Pacific Steel Erectors", SUB, "05"),
    ("Valley Excavation & Grading", SUB, "02"),
    ("Northstar Roofing", SUB, "07"), ("Precision HVAC Services", SUB, "15"), ("Golden State Painting", SUB, "09"),
    ("Redwood Framing Contractors", SUB, "06"), ("Sierra Glass & Glazing", SUB, "08"),
    ("Delta Fire Protection Inc", SUB, "15"), ("Home Depot Pro", SUPPLY, "06"), ("Ferguson Enterprises", SUPPLY, "15"),
    ("Graybar Electric Company", SUPPLY, "16"), ("White Cap Supply", SUPPLY, "03"), ("Sunbelt Rentals", SUPPLY, "01"),
    ("United Rentals, Inc.", SUPPLY, "01"), ("84 Lumber", SUPPLY, "06"), ("Central Ready Mix", SUPPLY, "03"),
)

COST_CODES = (
    ("01-100", "General Conditions"), ("01-200", "Project Management"), ("01-500", "Temporary Facilities"),
    ("01-700", "Final Cleaning"), ("02-200", "Earthwork"), ("02-500", "Site Utilities"), ("02-700", "Paving"),
    ("03-100", "Concrete Formwork"), ("03-200", "Concrete Reinforcement"), ("03-300", "Cast-in-Place Concrete"),
    ("04-200", "Unit Masonry"), ("05-100", "Structural Steel"), ("05-500", "Metal Fabrications"),
    ("06-100", "Rough Carpentry"), ("06-200", "Finish Carpentry"), ("07-200", "Insulation"),
    ("07-500", "Membrane Roofing"), ("07-900", "Joint Sealants"), ("08-100", "Doors and Frames"),
    ("08-800", "Glazing"), ("09-250", "Gypsum Board"), ("09-300", "Tile"), ("09-650", "Resilient Flooring"),
    ("09-900", "Painting"), ("10-800", "Toilet Accessories"), ("15-300", "Fire Protection"), ("15-400", "Plumbing"),
    ("15-700", "HVAC"), ("16-100", "Electrical"), ("16-700", "Communications"),
)

COST_TYPES = (("L", "Labor"), ("M", "Material"), ("S", "Subcontract"), ("E", "Equipment"), ("O", "Other"))

BILL_STATUSES = (ApprovalStatus.APPROVED,) * 6 + (ApprovalStatus.PENDING,) * 2 + (
    ApprovalStatus.DRAFT, ApprovalStatus.REJECTED)
LINE_WORDS = {"L": "labor", "M": "materials", "S": "work per subcontract", "E": "equipment rental", "O": "fees"}


def load_demo_records(db: Database, company_id: int) -> dict[str, int]:
    """Create the demo records for a company that has no projects yet; the counts of what was created."""
    if records.count_projects(db, company_id):
        return {kind: 0 for kind in ("projects", "vendors", "cost_codes", "cost_types", "bills", "invoices")}
    rng = random.Random(company_id)
    with immediate(db):
        projects = [catalog_writes.insert_project(db, company_id, *row) for row in PROJECTS]
        vendors = [(catalog_writes.insert_vendor(db, company_id, name, kind, _tax_id(rng), _email(name), _phone(rng)), trade)
                   for name, kind, trade in VENDORS]
        codes = [catalog_writes.insert_cost_code(db, company_id, code, text) for code, text in COST_CODES]
        types = {code: catalog_writes.insert_cost_type(db, company_id, code, name).id for code, name in COST_TYPES}
        bills = _insert_bills(db, company_id, rng, projects, vendors, codes, types)
        invoices = _insert_invoices(db, company_id, rng, projects, codes, types)
    return {"projects": len(projects), "vendors": len(vendors), "cost_codes": len(codes), "cost_types": len(types),
            "bills": bills, "invoices": invoices}


def _tax_id(rng: random.Random) -> str:
    return f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}"


def _phone(rng: random.Random) -> str:
    return f"(916) 555-{rng.randint(100, 999):04d}"


def _email(name: str) -> str:
    slug = "".join(ch for ch in name.lower() if ch.isalnum())[:18]
    return f"ap@{slug}.example"


def _insert_bills(db, company_id, rng, projects, vendors, codes, types) -> int:
    commitments: dict[tuple[int, int], str] = {}
    for index in range(BILL_COUNT):
        (vendor, trade), project = rng.choice(vendors), rng.choice(projects[:5] if index % 7 else projects)
        prefix = "SC" if vendor.vendor_type is VendorType.SUBCONTRACTOR else "PO"
        if (vendor.id, project.id) not in commitments:
            sequence = 1 + sum(1 for _, project_id in commitments if project_id == project.id)
            commitments[vendor.id, project.id] = f"{prefix}-{project.number[2:]}-{sequence:02d}"
        trade_codes = [c for c in codes if c.code.startswith(trade)] or codes
        type_codes = ("S",) if prefix == "SC" else ("M", "E", "O")
        lines = [_line(rng, n, rng.choice(trade_codes), rng.choice(type_codes), types)
                 for n in range(1, rng.randint(1, 4) + 1)]
        bill_date = REFERENCE_DATE - timedelta(days=rng.randint(0, HISTORY_DAYS))
        number = "".join(ch for ch in vendor.name if ch.isalnum())[:3].upper() + f"-{24000 + index * 7}"
        document_writes.insert_bill(db, company_id, number, vendor.id, project.id, bill_date, bill_date + timedelta(days=30),
                            rng.choice(BILL_STATUSES), lines, commitments[vendor.id, project.id])
    return BILL_COUNT


def _line(rng: random.Random, number: int, code, type_code: str, types: dict[str, int]) -> NewLine:
    high = 85_000_00 if type_code == "S" else 12_000_00
    amount = rng.randint(150_00, high)
    return NewLine(number, code.id, types[type_code], f"{code.description} {LINE_WORDS[type_code]}", amount)


def _insert_invoices(db, company_id, rng, projects, codes, types) -> int:
    created = 0
    for project, count in zip(projects, INVOICES_PER_PROJECT):
        schedule = rng.sample(codes, 4)
        for application in range(1, count + 1):
            invoice_date = REFERENCE_DATE - timedelta(days=30 * (count - application) + rng.randint(0, 5))
            lines = [NewLine(n, code.id, types["S"], f"Pay application #{application}: {code.description}",
                             rng.randint(5_000_00, 150_000_00)) for n, code in enumerate(schedule, start=1)]
            status = ApprovalStatus.APPROVED if application < count else rng.choice(BILL_STATUSES)
            document_writes.insert_invoice(db, company_id, f"{project.number}-PA{application:02d}", project.id, invoice_date,
                                   invoice_date + timedelta(days=30), status, lines)
            created += 1
    return created
