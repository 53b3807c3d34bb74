"""The Desktop card's states and the Web Connector's errors in plain words. Knows nothing of Flask."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class DesktopState(enum.Enum):
    """What the QuickBooks Desktop card shows."""

    NOT_CONNECTED = "not_connected"
    WAITING = "waiting"  # a .qwc was issued; the Web Connector has not authenticated with it yet
    CONNECTED = "connected"
    ERROR = "error"


@dataclass(frozen=True)
class DesktopLink:
    """The credentials issued to one company's Web Connector, and what it last reported."""

    company_id: int
    username: str
    password_hash: str | None
    credential_version: int
    owner_id: str
    file_id: str
    run_every_minutes: int
    company_file_id: int | None
    issued_at: datetime
    password_issued_at: datetime
    first_contact_at: datetime | None
    last_contact_at: datetime | None
    client_version: str
    last_error: str | None
    last_error_at: datetime | None
    revoked_at: datetime | None

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and self.password_hash is not None


@dataclass(frozen=True)
class CompanyFile:
    """A QuickBooks company file as the Web Connector reported it (path, name, edition, country)."""

    id: int
    company_id: int
    file_path: str
    company_name: str
    product_name: str
    country: str
    qbxml_version: str
    last_seen_at: datetime

    @property
    def realm_id(self) -> str:
        return realm_key(self.id)


def realm_key(company_file_id: int) -> str:
    """Desktop's 'realm' in the per-realm stores (mappings, settings, sync records): one per company file."""
    return f"qbd:{company_file_id}"


def is_desktop_realm(realm_id: str) -> bool:
    """Whether a realm is a Desktop company file's (QuickBooks Online realm ids are digits)."""
    return realm_id.startswith("qbd:")


def card_state(link: DesktopLink | None, active: bool, errored: bool) -> DesktopState:
    """`active`: the company's Desktop connection row is not disconnected; `errored`: it is in error."""
    if link is None or not active or not link.usable:
        return DesktopState.NOT_CONNECTED
    if errored:
        return DesktopState.ERROR
    if link.first_contact_at is None:
        return DesktopState.WAITING
    return DesktopState.CONNECTED


# hresults the Web Connector passes to connectionError / receiveResponseXML, and what the admin can do. Only codes
# with a public description are listed (qbwc-facts.md: clearify 0x80040408, qbwc/qbwc #53 0x80040400).
HRESULT_ADVICE = {
    "0x80040408": "The Web Connector could not start QuickBooks. Open QuickBooks and the company file on the "
                  "computer running the Web Connector (or allow access when QuickBooks is closed), then click "
                  "Update Selected in the Web Connector.",
    "0x80040400": "QuickBooks could not read a request inBuild sent. inBuild skipped it; if this repeats, "
                  "contact inBuild support.",
}
GENERIC_ADVICE = ("Check that QuickBooks is open with the connected company file, then click Update Selected in "
                  "the Web Connector. If this repeats, issue a new password and add the application again.")


def explain_hresult(hresult: str, message: str) -> str:
    """One plain sentence for the card: what went wrong and what to do."""
    code = (hresult or "").strip().lower()
    said = (message or "").strip()[:300]
    advice = HRESULT_ADVICE.get(code, GENERIC_ADVICE)
    return f"{advice} (The Web Connector reported {code or 'an error'}{': ' + said if said else ''}.)"
