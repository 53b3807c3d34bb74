"""Browser-test fixtures: Debian's Chromium through playwright, the app and the emulator as live servers."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from app import create_app
from qbo.accounts import store as accounts
from qbo.records.demo_records import load_demo_records
from qbo.storage.db import get_db
from tests.conftest import PASSWORD, app_config, seed_accounts
from tests.support.live_server import reserve_server, start_server

CHROMIUM = "/usr/bin/chromium"
CALLBACK_PATH = "/settings/integrations/qbo/callback"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
    }


@pytest.fixture
def live_app(tmp_path, intuit):
    """inBuild served on a free port, its redirect URI registered with the emulator; secure cookies as in production.

    No browser test makes Intuit time out, so the 2 s limit (there for the fault tests) is lifted: with Chromium, the
    app and the emulator sharing a worker's core, a token exchange could miss it and turn a flow into an error."""
    server = reserve_server()
    url = f"http://127.0.0.1:{server.server_port}"
    intuit.register_client(url + CALLBACK_PATH)
    app = create_app(app_config(tmp_path, intuit.url, redirect_uri=url + CALLBACK_PATH, SESSION_COOKIE_SECURE=True,
                                INTUIT_HTTP_TIMEOUT=10))
    with app.app_context():
        seed_accounts(get_db())
    live = start_server(server, app)
    live.flask_app = app
    yield live
    live.stop()


@pytest.fixture
def acme(live_app) -> int:
    """Acme's demo records loaded in the live app (not connected yet): its company id."""
    with live_app.flask_app.app_context():
        db = get_db()
        company_id = accounts.find_company_by_name(db, "Acme Construction").id
        load_demo_records(db, company_id)
    return company_id


@pytest.fixture
def page(page: Page) -> Page:
    page.set_default_timeout(10_000)
    return page


def sign_in(page: Page, base_url: str, email: str = "admin@acme.test") -> None:
    page.goto(base_url + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base_url + "/settings/")


def intuit_sign_in(page: Page, email: str, realm_id: str, action: str = "authorize") -> None:
    """Fill in the emulator's Intuit sign-in page and press Authorize (or Cancel)."""
    page.wait_for_selector("select[name=realm_id]")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "intuit-demo")
    page.select_option("select[name=realm_id]", realm_id)
    page.click(f"button[name=action][value={action}]")


def settle(page: Page) -> None:
    """Wait until the page has loaded and htmx has no request in flight and no swap pending."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def assert_accessible(page: Page, what: str) -> None:
    """Run axe-core (bundled with axe-playwright-python, no network) on the settled page; fail listing every violation."""
    settle(page)
    violations = Axe().run(page).response["violations"]
    lines = [f"{v['id']} ({v['impact']}) {' '.join(node['target'])}: {_last_line(node.get('failureSummary'))}"
             for v in violations for node in v["nodes"]]
    assert not lines, f"axe-core found {len(lines)} violation(s) on {what} ({page.url}):\n" + "\n".join(lines)


def _last_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[-1].strip() if lines else ""
