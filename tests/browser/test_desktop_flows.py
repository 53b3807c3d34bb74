"""QuickBooks Desktop in headless Chromium: Connect, the .qwc download and the password, waiting → connected when the
Web Connector simulator authenticates, one active integration both ways, Disconnect then both cards."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from qbo.desktop.simulator.company_file import demo_company_file
from qbo.desktop.simulator.quickbooks import QuickBooks
from qbo.desktop.simulator.web_connector import WebConnector, read_qwc
from tests.browser.conftest import intuit_sign_in, sign_in
from tests.conftest import ALEX, REALM_1

pytestmark = pytest.mark.browser
QBD, QBO = "#qbd-card", "#qbo-card"


def open_integrations(page: Page, base: str) -> None:
    page.goto(base + "/settings/integrations/")


def connect_desktop(page: Page) -> str:
    """Connect on the Desktop card; returns the password it shows once."""
    page.select_option(f"{QBD} select[name=run_every_minutes]", "30")
    page.click(f"{QBD} >> button:has-text('Connect')")
    expect(page.locator(QBD)).to_have_attribute("data-state", "waiting")
    return page.get_by_test_id("qbd-password").inner_text().strip()


def test_download_the_qwc_then_waiting_turns_connected_when_the_web_connector_comes(page: Page, live_app):
    sign_in(page, live_app.url)
    open_integrations(page, live_app.url)
    expect(page.locator(QBD)).to_have_attribute("data-state", "not_connected")
    password = connect_desktop(page)
    expect(page.locator(QBD)).to_contain_text("Update Selected")
    with page.expect_download() as download:
        page.click(f"{QBD} >> text=Download Web Connector file")
    assert download.value.suggested_filename == "inbuild-acme-construction.qwc"
    qwc = read_qwc(Path(download.value.path()).read_bytes())
    assert qwc.app_url == live_app.url + "/qbwc/" and qwc.run_every_minutes == 30 and qwc.qb_type == "QBFS"

    log = WebConnector(qwc.app_url, qwc.username, password, QuickBooks(demo_company_file())).update()
    assert log.percents[-1] == 100
    card = page.locator(QBD)
    expect(card).to_have_attribute("data-state", "connected")
    expect(card.locator(".qbd-company-name")).to_contain_text("Keystone Builders LLC")
    expect(card.locator(".qbd-edition")).to_contain_text("QuickBooks Enterprise Solutions: Contractor 24.0, US")
    expect(page.get_by_test_id("qbd-password")).to_have_count(0)  # shown once, never again


def test_desktop_active_blocks_online_then_disconnect_shows_both_cards(page: Page, live_app):
    sign_in(page, live_app.url)
    open_integrations(page, live_app.url)
    connect_desktop(page)
    qbo = page.locator(QBO)  # swapped out of band: no reload needed
    expect(qbo).to_contain_text("QuickBooks Desktop is connected. Disconnect it before connecting QuickBooks Online.")
    expect(qbo.get_by_role("button", name="Connect")).to_have_count(0)
    page.reload()
    expect(page.locator(QBO).get_by_role("button", name="Connect")).to_have_count(0)

    page.click(f"{QBD} >> button:has-text('Disconnect')")
    expect(page.locator(".toast")).to_contain_text("Integration disconnected successfully.")
    expect(page.locator(QBD)).to_have_attribute("data-state", "not_connected")
    expect(page.locator(QBO)).to_have_attribute("data-state", "not_connected")
    expect(page.locator(QBO).get_by_role("button", name="Connect")).to_be_visible()
    expect(page.locator(QBD).get_by_role("button", name="Connect")).to_be_visible()
    assert page.url == live_app.url + "/settings/integrations/"


def test_online_active_blocks_desktop(page: Page, live_app):
    sign_in(page, live_app.url)
    open_integrations(page, live_app.url)
    page.click(f"{QBO} >> button:has-text('Connect')")
    intuit_sign_in(page, ALEX, REALM_1)
    page.wait_for_url("**/setup/**")
    open_integrations(page, live_app.url)
    expect(page.locator(QBO)).to_have_attribute("data-state", "connected")
    expect(page.locator(QBD)).to_have_count(0)
    expect(page.get_by_test_id("qbd-blocked")).to_contain_text(
        "QuickBooks Online is connected. Disconnect it before connecting QuickBooks Desktop.")


def test_desktop_setup_runs_the_wizard_on_the_company_files_lists(page: Page, live_app):
    from tests.desktop.conftest import seed_records

    seed_records(live_app.flask_app)
    sign_in(page, live_app.url)
    open_integrations(page, live_app.url)
    password = connect_desktop(page)
    with page.expect_download() as download:
        page.click(f"{QBD} >> text=Download Web Connector file")
    qwc = read_qwc(Path(download.value.path()).read_bytes())
    quickbooks = QuickBooks(demo_company_file())
    WebConnector(qwc.app_url, qwc.username, password, quickbooks).update()
    expect(page.locator(QBD)).to_have_attribute("data-state", "connected")

    page.get_by_test_id("qbd-settings").click()
    expect(page.locator("#wizard h2")).to_have_text("QuickBooks Desktop Setup Wizard")
    page.check("input[name=sync_bills]")
    page.uncheck("input[name=sync_invoices]")
    page.click("#wizard >> button:has-text('Save and continue')")
    expect(page.locator("#ap_account_id")).to_contain_text("Accounts Payable")  # the company file's accounts
    page.select_option("#ap_account_id", label="Accounts Payable")
    page.click("#wizard >> button:has-text('Save and continue')")
    row = page.locator("tr", has_text="Nobody Supply Co")
    expect(row).to_be_visible()
    assert "/setup/vendors" in page.url
    row.get_by_role("button", name="Create in QuickBooks").click()
    expect(page.locator("tr", has_text="Nobody Supply Co")).to_contain_text("next run")
    WebConnector(qwc.app_url, qwc.username, password, quickbooks).update()
    assert quickbooks.company.find_list_record("Vendor", full_name="Nobody Supply Co") is not None
    page.reload()
    expect(page.locator("tr", has_text="Nobody Supply Co")).to_contain_text("Created in QuickBooks")
