"""axe-core on every page an admin can reach, in each state that is cheap to reach, after htmx has settled: no
violation of any rule (axe's defaults, nothing disabled)."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from qbo.desktop.simulator.company_file import demo_company_file
from qbo.desktop.simulator.quickbooks import QuickBooks
from qbo.desktop.simulator.web_connector import WebConnector, read_qwc
from qbo.mapping.store import VENDOR, clear_mapping
from qbo.storage.db import get_db
from tests.browser.conftest import assert_accessible, intuit_sign_in, sign_in
from tests.browser.test_desktop_flows import connect_desktop
from tests.browser.test_qbo_flows import _force_check_on_next_load, complete_wizard, connect, lapse_session
from tests.browser.test_sync_flows import a_run_in_progress, connected_and_mapped
from tests.conftest import ALEX, REALM_1
from tests.sync.test_engine import approved_bills

pytestmark = pytest.mark.browser

INTEGRATIONS = "/settings/integrations/"
QBO_SETTINGS = "/settings/integrations/qbo/settings"
CARD = "#qbo-card"
WIZARD_STEPS = ("preferences", "accounts", "vendors", "projects", "lines", "review")
RECORD_LISTS = ("/records/", "/records/projects", "/records/vendors", "/records/cost-codes", "/records/cost-types",
                "/records/bills", "/records/bills?page=2", "/records/invoices")


def test_signed_out_pages(page: Page, live_app):
    page.goto(live_app.url + "/login")
    assert_accessible(page, "the login page")
    page.fill("#email", "admin@acme.test")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    expect(page.locator("#email")).to_be_visible()
    assert_accessible(page, "the login page after a failed sign-in")
    page.goto(live_app.url + "/intuit/disconnected/")
    assert_accessible(page, "the Disconnect URL landing page")


def test_settings_integrations_and_the_wizard(page: Page, live_app):
    base = live_app.url
    sign_in(page, base)
    assert_accessible(page, "settings")
    page.goto(base + INTEGRATIONS)
    expect(page.locator(CARD)).to_have_attribute("data-state", "not_connected")
    assert_accessible(page, "integrations, not connected (both cards)")
    page.click(f"{CARD} >> button:has-text('Connect')")
    intuit_sign_in(page, ALEX, REALM_1, action="cancel")
    page.wait_for_url(base + INTEGRATIONS)
    assert_accessible(page, "integrations after a cancelled sign-in (Connection Failed banner)")
    connect(page)
    page.wait_for_url("**/setup/preferences")
    for step in WIZARD_STEPS:
        page.goto(base + f"/settings/integrations/qbo/setup/{step}")
        assert_accessible(page, f"wizard step {step}")
    page.goto(base + INTEGRATIONS)
    expect(page.locator(CARD)).to_have_attribute("data-state", "connected")
    assert_accessible(page, "integrations, connected, setup not finished")


def test_qbo_settings_with_sync_issues_history_and_audit_then_records(page: Page, live_app):
    base = live_app.url
    company_id = connected_and_mapped(page, live_app)
    with live_app.flask_app.app_context():
        bill = approved_bills(get_db(), company_id)[0]
        clear_mapping(get_db(), company_id, REALM_1, VENDOR, bill.vendor_id)  # one sync issue waiting for a mapping
    page.goto(base + QBO_SETTINGS)
    page.click("#sync-status >> button:has-text('Sync now')")
    expect(page.locator(f"#sync-issue-bill-{bill.id}")).to_be_visible()
    expect(page.locator("#sync-history .sync-run")).to_have_count(1)
    assert_accessible(page, "QuickBooks Online settings with sync status, issues, history and audit")
    page.get_by_role("link", name="Switch QuickBooks account").click()
    expect(page.get_by_role("dialog", name="Switch QuickBooks Account")).to_be_visible()
    assert_accessible(page, "QuickBooks Online settings with the switch dialog open")
    page.keyboard.press("Escape")
    page.get_by_role("switch", name="QuickBooks Sync").click()
    expect(page.get_by_test_id("sync-paused-banner")).to_be_visible()
    assert_accessible(page, "QuickBooks Online settings, sync paused (banner, toast)")
    page.get_by_role("switch", name="QuickBooks Sync").click()
    expect(page.get_by_test_id("sync-paused-banner")).to_have_count(0)
    page.goto(base + INTEGRATIONS)
    expect(page.locator(CARD)).to_have_attribute("data-state", "connected")
    assert_accessible(page, "integrations, connected and configured")

    for path in RECORD_LISTS:
        page.goto(base + path)
        assert_accessible(page, f"records list {path}")
    for kind in ("bills", "invoices"):
        page.goto(base + f"/records/{kind}")
        page.locator(f"main a[href^='/records/{kind}/']").first.click()
        page.wait_for_url(f"**/records/{kind}/*")
        assert_accessible(page, f"one of the {kind}")

    page.goto(base + INTEGRATIONS)
    page.click(f"{CARD} >> button:has-text('Disconnect')")
    expect(page.locator(".toast")).to_contain_text("Integration disconnected successfully.")
    assert_accessible(page, "integrations after disconnect (toast, both cards)")


def test_card_states_expired_error_and_disconnected_inside_quickbooks(page: Page, live_app, intuit):
    base = live_app.url
    sign_in(page, base)
    page.goto(base + INTEGRATIONS)
    connect(page)
    complete_wizard(page)
    lapse_session(live_app, intuit)
    _force_check_on_next_load(live_app)
    page.goto(base + INTEGRATIONS)
    expect(page.locator(CARD)).to_have_attribute("data-state", "expired")
    assert_accessible(page, "integrations, session expired")
    page.goto(base + "/settings/")
    assert_accessible(page, "settings while the connection is expired (incident banner)")
    page.goto(base + INTEGRATIONS)
    page.locator(CARD).get_by_role("button", name="Reconnect").click()
    intuit_sign_in(page, ALEX, REALM_1)
    page.wait_for_url(base + INTEGRATIONS)
    intuit.fail_next("503", endpoint="api", count=3)
    _force_check_on_next_load(live_app)
    page.goto(base + INTEGRATIONS)
    expect(page.locator(CARD)).to_have_attribute("data-state", "error")
    assert_accessible(page, "integrations, connection error")
    requests.delete(f"{intuit.url}/_emulator/api/faults", timeout=10)  # QuickBooks answers again, but refuses us
    intuit.disconnect_realm(REALM_1)
    intuit.expire_access_token(REALM_1)
    _force_check_on_next_load(live_app)
    page.goto(base + INTEGRATIONS)
    expect(page.get_by_test_id("qbo-disconnected-in-quickbooks")).to_be_visible()
    assert_accessible(page, "integrations, disconnected inside QuickBooks")


def test_sync_in_progress(page: Page, live_app):
    company_id = connected_and_mapped(page, live_app)
    a_run_in_progress(live_app, company_id, planned=40, done=10)
    page.goto(live_app.url + QBO_SETTINGS)
    expect(page.locator("progress.sync-progress")).to_be_visible()
    assert_accessible(page, "QuickBooks Online settings, sync in progress")
    page.goto(live_app.url + INTEGRATIONS)
    expect(page.locator(CARD).get_by_test_id("card-sync-in-progress")).to_be_visible()
    assert_accessible(page, "integrations, sync in progress (warning beside Disconnect)")


def test_desktop_card_states(page: Page, live_app):
    sign_in(page, live_app.url)
    page.goto(live_app.url + INTEGRATIONS)
    password = connect_desktop(page)
    assert_accessible(page, "integrations, Desktop waiting for the Web Connector (password shown)")
    with page.expect_download() as download:
        page.click("#qbd-card >> text=Download Web Connector file")
    qwc = read_qwc(Path(download.value.path()).read_bytes())
    WebConnector(qwc.app_url, qwc.username, password, QuickBooks(demo_company_file())).update()
    expect(page.locator("#qbd-card")).to_have_attribute("data-state", "connected")
    assert_accessible(page, "integrations, Desktop connected (Online blocked)")
