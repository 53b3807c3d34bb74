"""The Setup Wizard in Chromium: first run, reload mid-way, create in QuickBooks, reconnect, switch."""
import pytest
from playwright.sync_api import Page, expect

from qbo.mapping.store import VENDOR, mappings_for
from qbo.storage.db import get_db
from tests.browser.conftest import intuit_sign_in, sign_in
from tests.conftest import ALEX, REALM_1, REALM_3, SAM

pytestmark = pytest.mark.browser
CARD = "#qbo-card"


def vendor_mappings(live_app, company_id, realm_id):
    with live_app.flask_app.app_context():
        return mappings_for(get_db(), company_id, realm_id, VENDOR)


def connect_first_time(page: Page, base: str, email=ALEX, realm=REALM_1) -> None:
    sign_in(page, base)
    page.goto(base + "/settings/integrations/")
    page.click(f"{CARD} >> button:has-text('Connect')")
    intuit_sign_in(page, email, realm)
    page.wait_for_url("**/setup/preferences")


def save_preferences(page: Page) -> None:
    page.check("input[name=posting_style][value=item]")
    page.fill("#sync_start_date", "2026-02-01")
    page.click("button:has-text('Save and continue')")
    page.wait_for_url("**/setup/accounts")


def test_full_wizard_first_time_with_reload_and_create(page: Page, live_app, acme, intuit):
    base = live_app.url
    connect_first_time(page, base)
    save_preferences(page)
    page.reload()  # a reload mid-wizard keeps what was entered and where we were
    expect(page.locator(".wizard-steps [aria-current=step]")).to_contain_text("Default accounts")
    page.goto(base + "/settings/integrations/qbo/setup/preferences")
    expect(page.locator("input[name=posting_style][value=item]")).to_be_checked()
    expect(page.locator("#sync_start_date")).to_have_value("2026-02-01")
    page.goto(base + "/settings/integrations/qbo/setup/")  # resumes at the step last shown
    page.wait_for_url("**/setup/preferences")
    page.click(".wizard-steps >> text=Default accounts")
    page.wait_for_url("**/setup/accounts")
    page.select_option("#ap_account_id", index=1)
    page.select_option("#income_ref_id", index=1)
    page.click("button:has-text('Save and continue')")
    page.wait_for_url("**/setup/vendors")
    expect(page.locator(".mapping-table")).to_contain_text("Suggested · High")
    page.click("button:has-text('Accept all high-confidence matches')")
    expect(page.locator(".toast").last).to_contain_text("high-confidence")
    unmatched = page.locator("tr.mapping-row", has=page.locator("text=Not mapped")).first
    row_id = unmatched.get_attribute("id")
    unmatched.locator("button:has-text('Create in QuickBooks')").click()
    expect(page.locator(f"#{row_id}")).to_contain_text("Created in QuickBooks")
    page.fill("#mapping-search", "zzz-no-such-vendor")
    expect(page.locator(".mapping-table")).to_contain_text("No vendors match")
    page.fill("#mapping-search", "")
    for step in ("projects", "lines"):
        page.click(".wizard-nav >> text=Next")
        page.wait_for_url(f"**/setup/{step}")
    page.click(".wizard-nav >> text=Next")
    page.wait_for_url("**/setup/review")
    page.click("button:has-text('Finish setup')")
    page.wait_for_url("**/qbo/settings")
    expect(page.locator(".configuration-status")).to_contain_text("Configured")
    created = [m for m in vendor_mappings(live_app, acme, REALM_1).values() if m.source == "created"]
    assert len(created) == 1
    names = [g["realm_id"] for g in intuit.grants(REALM_1)]
    assert names  # the sign-in really went through the emulator


def test_reconnect_same_realm_skips_wizard_and_switch_flags_review(page: Page, live_app, acme):
    base = live_app.url
    connect_first_time(page, base)
    save_preferences(page)
    page.select_option("#ap_account_id", index=1)
    page.select_option("#income_ref_id", index=1)
    page.click("button:has-text('Save and continue')")
    page.wait_for_url("**/setup/vendors")
    page.click("button:has-text('Accept all high-confidence matches')")
    expect(page.locator(".toast").last).to_contain_text("high-confidence")
    page.goto(base + "/settings/integrations/qbo/setup/review")
    page.click("button:has-text('Finish setup')")
    page.wait_for_url("**/qbo/settings")
    before = {i: m.qbo_id for i, m in vendor_mappings(live_app, acme, REALM_1).items() if m.confirmed}

    page.goto(base + "/settings/integrations/")
    page.click(f"{CARD} >> button:has-text('Disconnect')")
    expect(page.locator(CARD)).to_have_attribute("data-state", "not_connected")
    page.click(f"{CARD} >> button:has-text('Connect')")
    intuit_sign_in(page, ALEX, REALM_1)
    page.wait_for_url(base + "/settings/integrations/")  # not the wizard
    assert {i: m.qbo_id for i, m in vendor_mappings(live_app, acme, REALM_1).items() if m.confirmed} == before

    page.click(f"{CARD} >> text=Settings")
    page.get_by_role("link", name="Switch QuickBooks account").click()
    page.get_by_role("dialog").get_by_role("button", name="Switch Account").click()
    intuit_sign_in(page, SAM, REALM_3)
    page.wait_for_url(base + "/settings/integrations/")
    notice = page.get_by_test_id("mappings-need-review")
    expect(notice).to_contain_text("need")
    notice.get_by_role("link", name="Review mappings").click()
    # The new company's accounts come first (the old company's account ids mean nothing here) ...
    page.wait_for_url("**/setup/accounts")
    page.select_option("#ap_account_id", index=1)
    page.select_option("#income_ref_id", index=1)
    page.click("button:has-text('Save and continue')")
    page.wait_for_url("**/setup/vendors")
    # ... then the vendor mappings carried over from the old company, flagged until reviewed.
    expect(page.locator(".mapping-table")).to_contain_text("Needs review")
    expect(page.get_by_test_id("mapping-progress")).to_contain_text("need review")
