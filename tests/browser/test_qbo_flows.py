"""Every user-visible flow of the seed, clicked through in headless Chromium."""
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import intuit_sign_in, sign_in
from tests.conftest import ALEX, REALM_1, REALM_3, SAM
from tests.support.session_lapse import lapse_refresh_token

pytestmark = pytest.mark.browser

CARD = "#qbo-card"


def open_integrations(page: Page, base: str) -> None:
    page.click("nav >> text=Accounting Integrations")
    page.wait_for_url(base + "/settings/integrations/")


def connect(page: Page, email: str = ALEX, realm_id: str = REALM_1) -> None:
    page.click(f"{CARD} >> button:has-text('Connect')")
    intuit_sign_in(page, email, realm_id)


def complete_wizard(page: Page) -> None:
    """The shortest complete setup: bills only, the AP account, then straight through to Finish."""
    expect(page.get_by_role("heading", name="QuickBooks Online Setup Wizard")).to_be_visible()
    page.uncheck("input[name=sync_invoices]")
    page.fill("#sync_start_date", "2026-01-01")
    page.click("button:has-text('Save and continue')")
    page.wait_for_url("**/setup/accounts")
    page.select_option("#ap_account_id", index=1)
    page.click("button:has-text('Save and continue')")
    for step in ("vendors", "projects", "lines"):
        page.wait_for_url(f"**/setup/{step}")
        page.click(".wizard-nav >> text=Next")
    page.wait_for_url("**/setup/review")
    page.click("button:has-text('Finish setup')")


def test_connect_first_time_goes_through_the_wizard(page: Page, live_app):
    base = live_app.url
    sign_in(page, base)
    open_integrations(page, base)
    expect(page.locator(CARD)).to_have_attribute("data-state", "not_connected")
    expect(page.locator(CARD)).to_contain_text("No QuickBooks Online account connected")
    expect(page.locator("#qbd-card")).to_be_visible()
    connect(page)
    page.wait_for_url(base + "/settings/integrations/qbo/setup/preferences")
    complete_wizard(page)
    page.wait_for_url(base + "/settings/integrations/qbo/settings")
    expect(page.locator(".configuration-status")).to_contain_text("Configured")
    expect(page.get_by_test_id("connected-indicator")).to_have_text("Connected")
    expect(page.locator(".qbo-company-name")).to_have_text("Keystone Builders LLC")
    expect(page.locator(".last-sync")).to_have_text("Never")
    open_integrations(page, base)
    card = page.locator(CARD)
    expect(card).to_have_attribute("data-state", "connected")
    expect(card).to_contain_text(ALEX)
    expect(card).to_contain_text("Alex Morgan")
    expect(card.get_by_role("link", name="Settings")).to_be_visible()
    expect(card.get_by_role("button", name="Disconnect")).to_be_visible()
    expect(page.locator("#qbd-card")).to_have_count(0)


def test_disconnect_shows_toast_and_both_cards_then_reconnect_keeps_configuration(page: Page, live_app):
    base = live_app.url
    sign_in(page, base)
    open_integrations(page, base)
    connect(page)
    complete_wizard(page)
    open_integrations(page, base)
    page.click(f"{CARD} >> button:has-text('Disconnect')")
    expect(page.locator(".toast")).to_contain_text("Integration disconnected successfully.")
    expect(page.locator(CARD)).to_have_attribute("data-state", "not_connected")
    expect(page.locator("#qbd-card")).to_be_visible()
    expect(page.locator(CARD)).to_have_count(1)
    assert page.url == base + "/settings/integrations/"  # swapped in place, no navigation
    connect(page)
    page.wait_for_url(base + "/settings/integrations/")
    expect(page.locator(".toast")).to_contain_text("QuickBooks Online connected.")
    expect(page.locator(CARD)).to_have_attribute("data-state", "connected")
    page.click(f"{CARD} >> text=Settings")
    expect(page.locator(".configuration-status")).to_contain_text("Configured")


def test_cancel_shows_connection_failed_banner(page: Page, live_app):
    base = live_app.url
    sign_in(page, base)
    open_integrations(page, base)
    page.click(f"{CARD} >> button:has-text('Connect')")
    intuit_sign_in(page, ALEX, REALM_1, action="cancel")
    page.wait_for_url(base + "/settings/integrations/")
    banner = page.get_by_test_id("connection-failed-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Connection Failed.")
    expect(page.locator(CARD)).to_have_attribute("data-state", "not_connected")
    color = banner.evaluate("el => getComputedStyle(el).color")
    assert color == "rgb(198, 40, 40)"


def test_switch_account_through_the_modal(page: Page, live_app):
    base = live_app.url
    sign_in(page, base)
    open_integrations(page, base)
    connect(page)
    complete_wizard(page)
    page.wait_for_url(base + "/settings/integrations/qbo/settings")
    dialog = page.get_by_role("dialog", name="Switch QuickBooks Account")
    expect(dialog).to_be_hidden()
    page.get_by_role("link", name="Switch QuickBooks account").click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("will be disconnected")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("link", name="Switch QuickBooks account")).to_be_focused()
    page.get_by_role("link", name="Switch QuickBooks account").click()
    for _ in range(4):  # focus stays inside the modal
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('dialog') !== null")
    dialog.get_by_role("button", name="Switch Account").click()
    intuit_sign_in(page, SAM, REALM_3)
    page.wait_for_url(re.compile(r".*/settings/integrations/.*"))
    expect(page.get_by_role("status").filter(has_text="may need to update your data mappings")).to_be_visible()
    page.goto(base + "/settings/integrations/")
    expect(page.locator(CARD)).to_contain_text(SAM)
    expect(page.locator(CARD)).to_contain_text("Sam Lee")


def lapse_session(live_app, intuit) -> None:
    """Acme's refresh token ran out (100 days unused), at Intuit and by inBuild's record of it."""
    from qbo.accounts import store as accounts
    from qbo.storage.db import get_db

    with live_app.flask_app.app_context():
        company_id = accounts.find_company_by_name(get_db(), "Acme Construction").id
    lapse_refresh_token(live_app.flask_app, intuit, company_id, REALM_1)


def test_expired_session_then_reconnect(page: Page, live_app, intuit):
    base = live_app.url
    sign_in(page, base)
    open_integrations(page, base)
    connect(page)
    complete_wizard(page)
    lapse_session(live_app, intuit)  # refresh gives invalid_grant after the token's recorded end
    _force_check_on_next_load(live_app)
    open_integrations(page, base)
    card = page.locator(CARD)
    expect(card).to_have_attribute("data-state", "expired")
    expect(card).to_contain_text("Your QuickBooks Online session has expired. Please reconnect your account.")
    card.get_by_role("button", name="Reconnect").click()
    intuit_sign_in(page, ALEX, REALM_1)
    page.wait_for_url(base + "/settings/integrations/")
    expect(page.locator(CARD)).to_have_attribute("data-state", "connected")


def test_disconnected_inside_quickbooks_then_reconnect(page: Page, live_app, intuit):
    base = live_app.url
    sign_in(page, base)
    open_integrations(page, base)
    connect(page)
    complete_wizard(page)
    intuit.disconnect_realm(REALM_1)  # Apps > My Apps > Disconnect in QuickBooks; nobody visits our Disconnect URL
    intuit.expire_access_token(REALM_1)
    _force_check_on_next_load(live_app)
    open_integrations(page, base)
    card = page.locator(CARD)
    expect(card).to_have_attribute("data-state", "not_connected")
    expect(card.get_by_test_id("qbo-disconnected-in-quickbooks")).to_contain_text(
        "the app was disconnected inside QuickBooks")
    page.goto(base + "/settings/")
    expect(page.get_by_test_id("qbo-attention")).to_contain_text("disconnected inside QuickBooks")
    open_integrations(page, base)
    page.locator(CARD).get_by_role("button", name="Reconnect").click()
    intuit_sign_in(page, ALEX, REALM_1)
    page.wait_for_url(base + "/settings/integrations/")
    expect(page.locator(CARD)).to_have_attribute("data-state", "connected")
    expect(page.get_by_test_id("qbo-disconnected-in-quickbooks")).to_have_count(0)


def test_connection_error_then_reconnect(page: Page, live_app, intuit):
    base = live_app.url
    sign_in(page, base)
    open_integrations(page, base)
    connect(page)
    complete_wizard(page)
    intuit.fail_next("503", endpoint="api", count=3)
    _force_check_on_next_load(live_app)
    open_integrations(page, base)
    card = page.locator(CARD)
    expect(card).to_have_attribute("data-state", "error")
    expect(card).to_contain_text("There was an error connecting to QuickBooks Online. Please try again.")
    card.get_by_role("button", name="Reconnect").click()
    intuit_sign_in(page, ALEX, REALM_1)
    page.wait_for_url(base + "/settings/integrations/")
    expect(page.locator(CARD)).to_have_attribute("data-state", "connected")


def test_sync_toggle_pauses_and_resumes(page: Page, live_app):
    base = live_app.url
    sign_in(page, base)
    open_integrations(page, base)
    connect(page)
    complete_wizard(page)
    toggle = page.get_by_role("switch", name="QuickBooks Sync")
    expect(toggle).to_have_attribute("aria-checked", "true")
    toggle.click()
    expect(page.get_by_test_id("sync-paused-banner")).to_be_visible()
    expect(page.get_by_role("switch", name="QuickBooks Sync")).to_have_attribute("aria-checked", "false")
    expect(page.locator(".toast").last).to_contain_text("QuickBooks sync paused.")
    page.reload()
    expect(page.get_by_test_id("sync-paused-banner")).to_be_visible()
    page.get_by_role("switch", name="QuickBooks Sync").click()
    expect(page.get_by_test_id("sync-paused-banner")).to_have_count(0)


@pytest.mark.parametrize("email, message", [
    ("staff@acme.test", "Only admin users can access accounting integrations."),
    ("admin@birch.test", "This feature is not available yet."),
])
def test_non_admin_and_flag_off_cannot_reach_the_page(page: Page, live_app, email, message):
    base = live_app.url
    sign_in(page, base, email)
    expect(page.locator("nav[aria-label=Settings]")).not_to_contain_text("Accounting Integrations")
    response = page.goto(base + "/settings/integrations/")
    assert response.status == 403
    expect(page.get_by_test_id("refusal")).to_contain_text(message)
    expect(page.locator(CARD)).to_have_count(0)


def _force_check_on_next_load(live_app) -> None:
    """Pretend the last check was over a minute ago, so the page load re-checks with QuickBooks."""
    from qbo.storage.db import connect as open_db

    db = open_db(live_app.flask_app.config["DATABASE"])
    db.execute("UPDATE connections SET last_checked_at = NULL")
    db.close()
