"""Browser flows of the sync on the QuickBooks Online Settings page: Sync now, progress, issues and Retry, history."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from qbo.mapping.store import MANUAL, VENDOR, clear_mapping, save_mapping
from qbo.storage.db import get_db
from qbo.sync.store import add_to_run, finish_run, release_lease, start_run, take_lease
from tests.browser.conftest import sign_in
from tests.browser.test_qbo_flows import connect
from tests.conftest import REALM_1
from tests.sync.conftest import NOW, acme_id, map_everything
from tests.sync.test_engine import approved_bills

pytestmark = pytest.mark.browser
SETTINGS = "/settings/integrations/qbo/settings"


def connected_and_mapped(page: Page, live_app) -> int:
    """Signed in, connected to Keystone through the browser, demo records mapped in the database."""
    from qbo.records.demo_records import load_demo_records

    sign_in(page, live_app.url)
    page.goto(live_app.url + "/settings/integrations")
    connect(page)
    page.wait_for_url("**/setup/**")
    with live_app.flask_app.app_context():
        company_id = acme_id(get_db())
        load_demo_records(get_db(), company_id)
        map_everything(get_db(), company_id, REALM_1)
    return company_id


def a_run_in_progress(live_app, company_id: int, planned: int, done: int) -> int:
    """Another worker holds the company's lease and has sent `done` of `planned` records: the run's id."""
    with live_app.flask_app.app_context():
        db = get_db()
        assert take_lease(db, company_id, "another-worker", time.time(), 60)
        run_id = start_run(db, company_id, REALM_1, "scheduled", NOW)
        add_to_run(db, run_id, planned=planned, done=done)
    return run_id


def test_sync_now_shows_the_result_the_issues_and_the_history_then_retry(page: Page, live_app):
    company_id = connected_and_mapped(page, live_app)
    with live_app.flask_app.app_context():
        db = get_db()
        bill = approved_bills(db, company_id)[0]
        mapping = db.execute("SELECT qbo_id, qbo_name FROM mappings WHERE company_id = ? AND kind = 'vendor' "
                             "AND inbuild_id = ?", [company_id, bill.vendor_id]).fetchone()
        clear_mapping(db, company_id, REALM_1, VENDOR, bill.vendor_id)
    page.goto(live_app.url + SETTINGS)
    expect(page.locator("#sync-status")).to_contain_text("Last Sync: Never")
    page.click("#sync-status >> button:has-text('Sync now')")
    expect(page.locator("#sync-status .sync-result")).to_contain_text("created")
    issue = page.locator(f"#sync-issue-bill-{bill.id}")
    expect(issue).to_contain_text(f"Waiting: vendor '{bill.vendor_name}' is not mapped")
    expect(issue.get_by_role("link", name="Fix the mapping")).to_have_attribute("href", "/settings/integrations/qbo/setup/vendors")
    expect(page.locator("#sync-history .sync-run")).to_have_count(1)
    with live_app.flask_app.app_context():
        save_mapping(get_db(), company_id, REALM_1, VENDOR, bill.vendor_id, mapping[0], mapping[1], MANUAL, NOW)
    issue.get_by_role("button", name="Retry").click()
    expect(page.locator(f"#sync-issue-bill-{bill.id}")).to_have_count(0)
    expect(page.locator("#sync-history .sync-run")).to_have_count(2)


def test_a_run_in_progress_shows_a_progress_bar_that_ends_by_itself(page: Page, live_app):
    company_id = connected_and_mapped(page, live_app)
    run_id = a_run_in_progress(live_app, company_id, planned=40, done=10)
    page.goto(live_app.url + SETTINGS)
    expect(page.locator("progress.sync-progress")).to_have_attribute("value", "25")
    expect(page.locator("#sync-status")).to_contain_text("Sync in progress: 10 of 40 records sent")
    with live_app.flask_app.app_context():
        add_to_run(get_db(), run_id, done=30, created=40)
        finish_run(get_db(), run_id, "finished", "", NOW)
        release_lease(get_db(), company_id, "another-worker")
    expect(page.locator("#sync-status .sync-result")).to_contain_text("40 created", timeout=5_000)
    expect(page.locator("#sync-history .sync-run")).to_have_count(1)


def test_the_card_says_a_sync_is_in_progress_and_warns_beside_disconnect(page: Page, live_app):
    company_id = connected_and_mapped(page, live_app)
    a_run_in_progress(live_app, company_id, planned=10, done=5)
    page.goto(live_app.url + "/settings/integrations")
    card = page.locator("#qbo-card")
    expect(card.get_by_test_id("card-sync-in-progress")).to_contain_text("Sync in progress: 5 of 10 records sent")
    expect(card.locator("#disconnect-sync-warning")).to_contain_text("Disconnecting now stops it")
    card.get_by_role("button", name="Disconnect").click()
    expect(page.locator("#qbo-card")).to_have_attribute("data-state", "not_connected")
