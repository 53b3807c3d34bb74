"""Seed data: Intuit users, QuickBooks companies and the demo app registration."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from .clock import intuit_date_time, now
from .directory import hash_password
from .entity_seeding import seed_company_entities

DEMO_PASSWORD = "intuit-demo"


@dataclass(frozen=True)
class SeedCompany:
    realm_id: str
    name: str
    email: str
    phone: str
    street: str
    city: str
    region: str
    postal_code: str
    web: str
    start_date: str


@dataclass(frozen=True)
class SeedUser:
    email: str
    given_name: str
    family_name: str
    sub: str
    realm_ids: tuple[str, ...]
    phone: str
    password: str = DEMO_PASSWORD

    @property
    def name(self) -> str:
        """The user's full name."""
        return f"{self.given_name} {self.family_name}"


COMPANIES: tuple[SeedCompany, ...] = (
    SeedCompany("9130350000000001", "Keystone Builders LLC", "books@keystonebuilders.example",
                "(215) 555-0101", "1200 Market Street", "Philadelphia", "PA", "19107",
                "https://keystonebuilders.example", "2019-03-01"),
    SeedCompany("9130350000000002", "Harbor Point Construction", "ap@harborpoint.example",
                "(617) 555-0142", "88 Seaport Boulevard", "Boston", "MA", "02210",
                "https://harborpoint.example", "2016-07-15"),
    SeedCompany("9130350000000003", "Summit Ridge Contractors", "office@summitridge.example",
                "(303) 555-0177", "4500 Alpine Way", "Denver", "CO", "80202",
                "https://summitridge.example", "2021-01-04"),
)

USERS: tuple[SeedUser, ...] = (
    SeedUser("alex.morgan@example.com", "Alex", "Morgan",
             "7c1f2a9e-3b4d-4e8a-9f10-2a6b5c4d3e21",
             (COMPANIES[0].realm_id, COMPANIES[1].realm_id), "+12155550111"),
    SeedUser("sam.lee@example.com", "Sam", "Lee",
             "b2d4e6f8-1a3c-4e5f-8a7b-9c0d1e2f3a45",
             (COMPANIES[1].realm_id, COMPANIES[2].realm_id), "+16175550122"),
    SeedUser("pat.kim@example.com", "Pat", "Kim",
             "e5a7c9b1-2d4f-4a6c-8e0a-1b3d5f7a9c67",
             (COMPANIES[2].realm_id,), "+13035550133"),
)

DEMO_CLIENT: dict = {
    "client_id": "inbuild-demo-client",
    "client_secret": "inbuild-demo-secret",
    "redirect_uris": [
        "http://127.0.0.1:5000/settings/integrations/qbo/callback",
        "http://localhost:5000/settings/integrations/qbo/callback",
        # The OpenID-only sign-in on inBuild's Disconnect URL landing page.
        "http://127.0.0.1:5000/intuit/disconnected/callback",
        "http://localhost:5000/intuit/disconnected/callback",
    ],
    "name": "inBuild Accounting Integrations",
}


BENCH_USER_EMAIL = "bench.user@example.com"


def bench_companies(count: int) -> tuple[SeedCompany, ...]:
    """Extra companies for benchmarks (many realms syncing at once), each with Keystone's lists."""
    return tuple(SeedCompany(f"91303500001{n:05d}", f"Benchmark Builders {n}", f"ap{n}@bench.example",
                             "(215) 555-0199", "1 Bench Street", "Philadelphia", "PA", "19107",
                             "https://bench.example", "2020-01-01") for n in range(count))


def bench_user(companies: tuple[SeedCompany, ...]) -> SeedUser:
    return SeedUser(BENCH_USER_EMAIL, "Bench", "User", "0b3e0c1e-bench-user-0000-000000000000",
                    tuple(c.realm_id for c in companies), "+12155550199")


def seed(conn: sqlite3.Connection, extra_companies: int = 0) -> None:
    """Insert any seed rows that are missing (idempotent); `extra_companies` adds benchmark realms."""
    created = now()
    extras = bench_companies(extra_companies)
    for company in COMPANIES + extras:
        _seed_company(conn, company, created)
    for user in USERS + ((bench_user(extras),) if extras else ()):
        _seed_user(conn, user)


def _seed_company(conn: sqlite3.Connection, company: SeedCompany, created: float) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO companies (realm_id, name) VALUES (?, ?)",
        (company.realm_id, company.name),
    )
    conn.execute(
        "INSERT OR IGNORE INTO entities (realm_id, entity, id, data) VALUES (?, ?, ?, ?)",
        (company.realm_id, "CompanyInfo", company.realm_id,
         json.dumps(company_info(company, created))),
    )
    seed_company_entities(conn, company.realm_id, created)


def _seed_user(conn: sqlite3.Connection, user: SeedUser) -> None:
    address = {"streetAddress": "1 Main Street", "locality": "Springfield",
               "region": "IL", "postalCode": "62701", "country": "US"}
    conn.execute(
        "INSERT OR IGNORE INTO users (sub, email, password_hash, given_name, family_name,"
        " phone, address) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (user.sub, user.email, hash_password(user.password), user.given_name,
         user.family_name, user.phone, json.dumps(address)),
    )
    for realm_id in user.realm_ids:
        conn.execute(
            "INSERT OR IGNORE INTO memberships (user_sub, realm_id) VALUES (?, ?)",
            (user.sub, realm_id),
        )


def company_info(company: SeedCompany, created: float) -> dict:
    """The CompanyInfo entity for a seed company, shaped like QBO's JSON."""
    address = {"Id": "1", "Line1": company.street, "City": company.city,
               "CountrySubDivisionCode": company.region, "PostalCode": company.postal_code,
               "Country": "USA"}
    stamp = intuit_date_time(created)
    return {
        "CompanyName": company.name, "LegalName": company.name,
        "CompanyAddr": address, "CustomerCommunicationAddr": address,
        "LegalAddr": address, "CustomerCommunicationEmailAddr": {"Address": company.email},
        "PrimaryPhone": {"FreeFormNumber": company.phone},
        "CompanyStartDate": company.start_date, "FiscalYearStartMonth": "January",
        "Country": "USA", "Email": {"Address": company.email},
        "WebAddr": {"URI": company.web}, "SupportedLanguages": "en",
        "NameValue": [{"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
                      {"Name": "PayrollFeature", "Value": "false"}],
        "domain": "QBO", "sparse": False,
        "Id": company.realm_id, "SyncToken": "0",
        "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
    }


_RESET_ORDER = ("codes", "access_tokens", "refresh_tokens", "grants", "faults", "id_token_tampers", "calls",
                "entities", "memberships", "companies", "users")


def reset(conn: sqlite3.Connection) -> None:
    """Drop all Intuit-side state (not app registrations or the signing key) and reseed."""
    for table in _RESET_ORDER:
        conn.execute(f"DELETE FROM {table}")
    seed(conn)
