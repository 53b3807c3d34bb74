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
