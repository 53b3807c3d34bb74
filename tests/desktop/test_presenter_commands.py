"""The presenter's commands: a Web Connector update from the downloaded .qwc, and the one-step setup."""
from __future__ import annotations

import json
import re

from tests.desktop.conftest import seed_records

PASSWORD = re.compile(r'data-testid="qbd-password">([A-Z0-9-]+)<')


def test_simulate_updates_then_quick_setup_then_bills_arrive(app, live, admin, tmp_path):
    seed_records(app)
    app.config["DESKTOP_SERVICE_URL"] = f"{live.url}/qbwc/"  # behind a proxy the public URL is configured
    page = admin.post("/settings/integrations/qbd/connect", {"run_every_minutes": "15"}, htmx=True)
    password = PASSWORD.search(page.get_data(as_text=True)).group(1)
    qwc = tmp_path / "inbuild.qwc"
    qwc.write_bytes(admin.client.get("/settings/integrations/qbd/inbuild.qwc").data)
    company_file = tmp_path / "company.json"
    runner = app.test_cli_runner()

    def simulate():
        result = runner.invoke(args=["qbwc-simulate", "--qwc", str(qwc), "--password", password,
                                     "--company-file", str(company_file)])
        assert result.exit_code == 0, result.output
        return result.output

    first = simulate()
    assert "1 × VendorQueryRq" in first and "closeConnection: OK" in first
    setup = runner.invoke(args=["desktop-quick-setup", "--company", "Acme Construction"])
    assert setup.exit_code == 0 and "queued to be created in QuickBooks" in setup.output, setup.output
    creates = simulate()  # "Nobody Supply Co" and the project did not match: created through the Web Connector
    assert "1 × VendorAddRq" in creates and "1 × CustomerAddRq" in creates
    assert "2 × BillAddRq" in simulate()
    saved = json.loads(company_file.read_text())
    assert {b["RefNumber"] for b in saved["transactions"]["Bill"]} == {"B-100", "B-101"}
    assert "authenticate: ['nvu']" in runner.invoke(args=["qbwc-simulate", "--qwc", str(qwc), "--password", "nope",
                                                          "--company-file", str(company_file)]).output
