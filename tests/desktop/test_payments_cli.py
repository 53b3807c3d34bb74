"""`flask qbwc-simulate --pay`: the presenter pays a bill or invoice in the simulated company file, in full or in
part, and the update reads it back."""
from __future__ import annotations

from datetime import date

from tests.desktop.payments_support import make_payment_reads_due, stored, synced


def test_pay_in_the_company_file_then_the_update_reads_it_back(app, live, admin, desktop, tmp_path):
    records = synced(app, desktop)
    company_file = tmp_path / "company.json"
    desktop.quickbooks.company.save(company_file)
    app.config["DESKTOP_SERVICE_URL"] = f"{live.url}/qbwc/"
    qwc = tmp_path / "inbuild.qwc"
    qwc.write_bytes(admin.client.get("/settings/integrations/qbd/inbuild.qwc").data)
    make_payment_reads_due(app)
    runner = app.test_cli_runner()
    base = ["qbwc-simulate", "--qwc", str(qwc), "--password", desktop.password, "--company-file", str(company_file)]

    result = runner.invoke(args=[*base, "--pay", "bill:B-100", "--pay", "invoice:INV-7:400"])
    assert result.exit_code == 0, result.output
    assert "paid Bill B-100: 1125.01, 0.00 left" in result.output
    assert "paid Invoice INV-7: 400.00, 2225.00 left" in result.output
    assert "1 × BillQueryRq" in result.output and "closeConnection: OK" in result.output
    bill = stored(app, "bill")[records.bills[0]]
    assert bill[0] == "paid" and isinstance(bill[3], date)
    assert stored(app, "invoice")[records.invoice][:3] == ("partly_paid", 262_500, 222_500)

    for wrong in ("bill:B-999", "cheque:B-100", "bill:B-101:lots"):
        refused = runner.invoke(args=[*base, "--pay", wrong])
        assert refused.exit_code == 2 and "--pay" in refused.output, refused.output
