"""Demo data: two companies, an admin and a standard user in each. Idempotent."""
from __future__ import annotations

from sqlite_utils import Database

from qbo.accounts import store as accounts
from qbo.accounts.store import COMPANY_ADMIN, STANDARD
from qbo.records.demo_records import load_demo_records

DEMO_PASSWORD = "inbuild-demo"
DEMO_COMPANIES = (
    ("Acme Construction", True),
    ("Birchwood Builders", False),
)
DEMO_USERS = (
    ("admin@acme.example", "Avery Admin", "Acme Construction", COMPANY_ADMIN),
    ("staff@acme.example", "Sasha Staff", "Acme Construction", STANDARD),
    ("admin@birchwood.example", "Blake Admin", "Birchwood Builders", COMPANY_ADMIN),
    ("staff@birchwood.example", "Robin Staff", "Birchwood Builders", STANDARD),
)


def load_demo_data(db: Database) -> list[str]:
    """Create what is missing and report the demo logins."""
    for name, feature_on in DEMO_COMPANIES:
        company = accounts.find_company_by_name(db, name) or accounts.create_company(db, name, feature_on)
        accounts.set_feature(db, company.id, feature_on)
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for email, name, company_name, role in DEMO_USERS:
        company = accounts.find_company_by_name(db, company_name)
        user = accounts.find_user_by_email(db, email) or accounts.create_user(db, email, DEMO_PASSWORD, name)
        accounts.set_membership(db, company.id, user.id, role)
        flag = "on" if company.accounting_integrations else "off"
        lines.append(f"  {email:<26} {role:<14} {company_name} (accounting integrations {flag})")
    for name, _ in DEMO_COMPANIES:
        created = load_demo_records(db, accounts.find_company_by_name(db, name).id)
        if any(created.values()):
            lines.append(f"  Demo records for {name}: " + ", ".join(f"{n} {kind}" for kind, n in created.items()))
    return lines
