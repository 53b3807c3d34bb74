"""qbXML without a server: version choice, the envelope, request element order, reading responses and lists."""
from __future__ import annotations

import re

import pytest
from lxml import etree

from qbo.desktop import credentials
from qbo.desktop import qbxml_requests as rq
from qbo.desktop.lists import record_from_ret
from qbo.desktop.qbxml import envelope, negotiate_version, parse_host_report, parse_responses
from qbo.desktop.safe_xml import UnreadableXml, parse_untrusted

BILL_BODY = {
    "VendorRef": {"value": "80000001-1", "name": "ABC"}, "APAccountRef": {"value": "80000002-1", "name": "AP"},
    "TxnDate": "2026-10-01", "DueDate": "2026-10-31", "DocNumber": "INV-0123456789-ABCDEFGH",
    "PrivateNote": "[inBuild bill 1-2] inBuild bill B & <1>",
    "Line": [{"Amount": 1000.5, "Description": "Footings & <slab>", "DetailType": "AccountBasedExpenseLineDetail",
              "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "80000003-1"}, "BillableStatus": "Billable",
                                                "CustomerRef": {"value": "80000004-1"}}}]}


def children(xml: str, path: str = ".") -> list[str]:
    return [child.tag for child in etree.fromstring(xml).find(path)]


@pytest.mark.parametrize("major, minor, supported, expected", [
    (16, 0, ["13.0", "14.0", "16.0"], "13.0"), (12, 0, ["11.0", "12.0"], "12.0"), (0, 0, [], "13.0"),
    (13, 0, ["nonsense", ""], "13.0"),
])
def test_the_qbxml_version_is_ours_or_the_newest_the_host_offers_below_it(major, minor, supported, expected):
    assert negotiate_version(major, minor, supported) == expected


def test_envelope_carries_the_version_and_the_request_id():
    text = envelope(rq.list_query("Account"), "13.0", "7-3")
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?><QBXML>')
    assert '<QBXMLMsgsRq onError="stopOnError"><AccountQueryRq requestID="7-3">' in text


def test_bill_add_follows_the_schema_order_and_escapes_text():
    xml = rq.bill_add(BILL_BODY)
    assert children(xml, "BillAdd") == ["VendorRef", "APAccountRef", "TxnDate", "DueDate", "RefNumber", "Memo",
                                        "ExpenseLineAdd"]
    assert children(xml, "BillAdd/ExpenseLineAdd") == ["AccountRef", "Amount", "Memo", "CustomerRef",
                                                       "BillableStatus"]
    parsed = etree.fromstring(xml)
    assert parsed.findtext("BillAdd/RefNumber") == "INV-0123456789-ABCDE"  # 20 characters
    assert parsed.findtext("BillAdd/ExpenseLineAdd/Amount") == "1000.50"
    assert "Footings &amp; &lt;slab&gt;" in xml


def test_item_lines_and_invoices():
    body = {**BILL_BODY, "Line": [{"Amount": 10, "Description": "d", "ItemBasedExpenseLineDetail": {
        "ItemRef": {"value": "I-1"}, "Qty": 1, "UnitPrice": 10, "CustomerRef": {"value": "C-1"}}}]}
    assert children(rq.bill_add(body), "BillAdd/ItemLineAdd") == ["ItemRef", "Desc", "Quantity", "Cost", "Amount",
                                                                 "CustomerRef", "BillableStatus"]
    invoice = rq.invoice_add({"CustomerRef": {"value": "C-1"}, "TxnDate": "2026-10-05", "DocNumber": "INV-2026-000017",
                              "PrivateNote": "m", "Line": [{"Amount": 5, "Description": "x", "SalesItemLineDetail": {
                                  "ItemRef": {"value": "I-2"}, "Qty": 1, "UnitPrice": 5}}]})
    assert children(invoice, "InvoiceAdd") == ["CustomerRef", "TxnDate", "RefNumber", "Memo", "InvoiceLineAdd"]
    assert etree.fromstring(invoice).findtext("InvoiceAdd/RefNumber") == "INV-2026-00"  # 11 characters


def test_list_queries_page_with_iterators_except_accounts():
    assert 'iterator="Start"' in rq.list_query("Vendor") and "<MaxReturned>100</MaxReturned>" in rq.list_query("Item")
    assert 'iteratorID="{abc}"' in rq.list_query("Customer", "{abc}")
    assert rq.list_query("Account") == "<AccountQueryRq><ActiveStatus>All</ActiveStatus></AccountQueryRq>"
    assert children(rq.customer_add("Clinic", "Riverside Health"), "CustomerAdd") == ["Name", "ParentRef"]


def test_responses_in_windows_1252_with_iterators_and_odd_attributes():
    text = ('<?xml version="1.0" encoding="windows-1252"?><QBXML><QBXMLMsgsRs>'
            '<VendorQueryRs requestID="1-1" statusCode="0" statusSeverity="Info" statusMessage="Status OK" '
            'iteratorRemainingCount="3" iteratorID="{it}"><VendorRet><ListID>80-1</ListID><Name>Caf\u00e9 Co'
            '</Name><IsActive>false</IsActive></VendorRet></VendorQueryRs>'
            '<BillAddRs requestID="1-2" statusCode="nope"/></QBXMLMsgsRs></QBXML>')
    vendors, bill = parse_responses(text)
    assert (vendors.ok, vendors.iterator_id, vendors.remaining, len(vendors.rets)) == (True, "{it}", 3, 1)
    record = record_from_ret("Vendor", vendors.rets[0])
    assert (record.qbo_id, record.name, record.active) == ("80-1", "Caf\u00e9 Co", False)
    assert bill.status_code == -1 and not bill.ok


def test_lists_speak_the_wizards_language():
    account = parse_untrusted("<AccountRet><ListID>A</ListID><FullName>Job Expenses:Subs</FullName>"
                              "<AccountType>CostOfGoodsSold</AccountType></AccountRet>")
    job = parse_untrusted("<CustomerRet><ListID>J</ListID><Name>Clinic</Name><ParentRef><ListID>P</ListID>"
                          "</ParentRef></CustomerRet>")
    item = parse_untrusted("<ItemNonInventoryRet><ListID>I</ListID><FullName>Lumber</FullName></ItemNonInventoryRet>")
    assert record_from_ret("Account", account).subtype == "Cost of Goods Sold"
    assert (record_from_ret("Customer", job).is_job, record_from_ret("Customer", job).parent_id) == (True, "P")
    assert record_from_ret("Item", item).subtype == "NonInventory"
    assert record_from_ret("Vendor", parse_untrusted("<VendorRet><Name>x</Name></VendorRet>")) is None


def test_host_report_and_hostile_qbxml():
    report = parse_host_report('<QBXML><QBXMLMsgsRs><HostQueryRs statusCode="0"><HostRet><ProductName>QB Pro'
                               '</ProductName><Country>US</Country><SupportedQBXMLVersion>13.0'
                               '</SupportedQBXMLVersion></HostRet></HostQueryRs><CompanyQueryRs statusCode="0">'
                               '<CompanyRet><CompanyName>Keystone</CompanyName></CompanyRet></CompanyQueryRs>'
                               '</QBXMLMsgsRs></QBXML>')
    assert (report.product_name, report.country, report.supported_versions, report.company_name) == (
        "QB Pro", "US", ["13.0"], "Keystone")
    assert parse_host_report("").company_name == ""
    with pytest.raises(UnreadableXml):
        parse_responses('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><QBXML>&e;</QBXML>')


def test_credentials():
    password = credentials.new_password()
    assert re.fullmatch(r"([A-HJ-NP-Z2-9]{4}-){4}[A-HJ-NP-Z2-9]{4}", password)
    assert credentials.normalized_password(password.lower().replace("-", " ")) == password.replace("-", "")
    assert credentials.secret_matches("a", credentials.secret_hash("a")) and not credentials.secret_matches("a", None)
    assert re.fullmatch(r"\{[0-9A-F-]{36}\}", credentials.new_braced_guid())
