"""The mapping step in Chromium: pick a QuickBooks record with the keyboard; bulk create with a 6240 in the middle."""
import pytest
from playwright.sync_api import Page, expect

from qbo.mapping.store import VENDOR, mappings_for
from qbo.records import catalog as records
from qbo.records import catalog_writes
from qbo.storage.db import get_db
from tests.browser.test_wizard_flows import connect_first_time, save_preferences
from tests.conftest import REALM_1

pytestmark = pytest.mark.browser


def to_vendors_step(page: Page, base: str) -> None:
    connect_first_time(page, base)
    save_preferences(page)
    page.select_option("#ap_account_id", index=1)
    page.select_option("#income_ref_id", index=1)
    page.click("button:has-text('Save and continue')")
    page.wait_for_url("**/setup/vendors")


def vendor_id(live_app, company_id, name):
    with live_app.flask_app.app_context():
        return next(v.id for v in records.list_vendors(get_db(), company_id) if v.name == name)


def test_pick_a_quickbooks_record_with_the_keyboard(page: Page, live_app, acme):
    to_vendors_step(page, live_app.url)
    row_id = vendor_id(live_app, acme, "Graybar Electric Company")
    field = page.locator(f"#choice-vendor-{row_id}")
    field.focus()
    listbox = page.locator(f"#options-vendor-{row_id}")
    expect(listbox).to_be_visible()  # focus opens the list: the row's closest records, or a hint
    field.press_sequentially("quak", delay=40)
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.get_by_role("option").first).to_contain_text("Quaker City Lumber")
    expect(field).to_have_attribute("aria-expanded", "true")
    field.press("ArrowDown")
    expect(field).to_have_attribute("aria-activedescendant", f"option-vendor-{row_id}-" +
                                    listbox.get_by_role("option").first.get_attribute("data-qbo-id"))
    expect(listbox.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    field.press("Enter")
    row = page.locator(f"#map-vendor-{row_id}")
    expect(row.locator(".match")).to_contain_text("Confirmed")
    expect(row.locator("input[role=combobox]")).to_have_value("Quaker City Lumber")
    with live_app.flask_app.app_context():
        mapping = mappings_for(get_db(), acme, REALM_1, VENDOR)[row_id]
    assert (mapping.qbo_name, mapping.source) == ("Quaker City Lumber", "manual")

    other = page.locator(f"#choice-vendor-{vendor_id(live_app, acme, '84 Lumber')}")
    other.focus()
    other.press_sequentially("zzz-nothing", delay=20)
    expect(page.locator(f"#options-vendor-{vendor_id(live_app, acme, '84 Lumber')}")).to_contain_text(
        "No QuickBooks records match")
    other.press("Escape")
    expect(other).to_have_attribute("aria-expanded", "false")


def test_bulk_create_fills_rows_in_and_links_a_duplicate_name(page: Page, live_app, acme):
    with live_app.flask_app.app_context():
        for n in range(35):  # more than one Batch of 30, so the bar moves and the 6240 lands mid-run
            catalog_writes.insert_vendor(get_db(), acme, f"Bulk Vendor {n:02d}", "supplier")
        catalog_writes.insert_vendor(get_db(), acme, "Wissahickon Landscaping", "subcontractor")
    to_vendors_step(page, live_app.url)
    home_depot = page.locator(f"#map-vendor-{vendor_id(live_app, acme, 'Home Depot Pro')}")
    home_depot.get_by_role("button", name="Clear").click()  # now unmapped, though QuickBooks has the name
    expect(home_depot.locator(".match")).to_contain_text("Not mapped")

    page.get_by_role("link", name="Create all unmapped in QuickBooks").click()
    preview = page.get_by_test_id("bulk-preview")
    expect(preview).to_contain_text("QuickBooks already has “Home Depot Pro”: it will be linked")
    page.locator("#bulk-create button:has-text('in QuickBooks')").click()
    panel = page.locator("#bulk-create")
    expect(panel).to_have_attribute("data-status", "finished", timeout=30_000)
    expect(panel.get_by_test_id("bulk-status")).to_contain_text("1 linked to records QuickBooks already had, 1 failed")
    expect(panel.get_by_test_id("bulk-failures")).to_contain_text("Wissahickon Landscaping")
    progress = panel.locator("progress")
    assert progress.get_attribute("value") == progress.get_attribute("max")
    expect(home_depot.locator(".match")).to_contain_text("Created in QuickBooks")
    expect(home_depot.locator(".match")).to_contain_text("already in QuickBooks, linked")
    expect(page.locator(f"#map-vendor-{vendor_id(live_app, acme, 'Bulk Vendor 00')} .match")).to_contain_text(
        "Created in QuickBooks")
    expect(page.get_by_test_id("mapping-progress")).to_contain_text("1 not mapped")
