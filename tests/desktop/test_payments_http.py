"""Payments back from QuickBooks Desktop on the pages (Flask test client): after a Web Connector session read them,
the bills and invoices lists and a bill's page of a Desktop-connected company say paid, partly paid or open."""
from __future__ import annotations

import re

from tests.desktop.payments_support import make_payment_reads_due, synced, txn_id

ROW = re.compile(r'<tr class="document-row" data-testid="(?:bill|invoice)-row">(.*?)</tr>', re.S)
LINK = re.compile(r'<a href="/records/(?:bills|invoices)/(\d+)">')
CELL = re.compile(r'<td data-testid="payment-cell">(.*?)</td>', re.S)
STATE = re.compile(r'data-payment-state="([a-z_]+)">([^<]*)<')


def payment_cells(html: str) -> dict[int, tuple[str, str] | None]:
    """record id -> (data-payment-state, label) of each row's Payment cell, None when the cell is empty."""
    cells = {}
    for row in ROW.findall(html):
        found = STATE.search(CELL.search(row).group(1))
        cells[int(LINK.search(row).group(1))] = (found.group(1), found.group(2).strip()) if found else None
    return cells


def test_the_lists_and_a_bills_page_show_what_the_web_connector_read(app, admin, desktop):
    records = synced(app, desktop)
    company = desktop.quickbooks.company
    company.pay("Bill", company.find_transaction("Bill", txn_id=txn_id(app, "bill", records.bills[0])),
                txn_date="2026-11-27")
    invoice = company.find_transaction("Invoice", txn_id=txn_id(app, "invoice", records.invoice))
    company.pay("Invoice", invoice, "400.00", "2026-11-28")
    make_payment_reads_due(app)
    assert desktop.update().percents[-1] == 100

    bills = payment_cells(admin.client.get("/records/bills").get_data(as_text=True))
    assert bills[records.bills[0]] == ("paid", "Paid 2026-11-27")
    assert bills[records.bills[1]] == ("open", "Open")
    assert bills[records.draft_bill] is None  # never synced: nothing to say
    invoices = payment_cells(admin.client.get("/records/invoices").get_data(as_text=True))
    assert invoices[records.invoice] == ("partly_paid", "Partly paid: $400.00 of $2,625.00")
    page = admin.client.get(f"/records/bills/{records.bills[0]}").get_data(as_text=True)
    assert 'data-testid="payment-status"' in page and "Paid 2026-11-27" in page
    assert ">Resync</button>" not in page  # the Web Connector sends Desktop edits by itself; Resync is Online's
