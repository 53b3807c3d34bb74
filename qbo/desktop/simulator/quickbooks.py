"""QuickBooks answering qbXML for a simulated company file: queries (with iterators), adds, and status codes."""
from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from decimal import Decimal

import defusedxml.ElementTree as defused
from lxml import etree

from qbo.desktop.simulator.company_file import CompanyFile

PARSE_ERROR = ("0x80040400", "QuickBooks found an error when parsing the provided XML text stream.")
OK = (0, "Info", "Status OK")
STATUS = {1: ("Info", "A query request did not find a matching object in QuickBooks"),
          3100: ("Error", "The name \"{}\" of the list element is already in use."),
          500: ("Warn", "The query request has not been fully completed. There was a required element (\"{}\") "
                        "that could not be found in QuickBooks."),
          3120: ("Error", "Object \"{}\" specified in the request cannot be found."),
          3140: ("Error", "There is an invalid reference to QuickBooks {} in the request."),
          3200: ("Error", "The provided edit sequence \"{}\" is out-of-date.")}


def _text(element: ET.Element | None, name: str) -> str:
    found = element.find(name) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _ref(element: ET.Element, name: str) -> tuple[str, str]:
    ref = element.find(name)
    return (_text(ref, "ListID"), _text(ref, "FullName")) if ref is not None else ("", "")


class QuickBooks:
    """One running QuickBooks with one company file open; iterators live as long as this object."""

    def __init__(self, company: CompanyFile):
        self.company = company
        self.iterators: dict[str, list[dict]] = {}

    def host_report(self) -> str:
        """What the Web Connector sends as strHCPResponse on a session's first sendRequestXML."""
        root = etree.Element("QBXML")
        messages = etree.SubElement(root, "QBXMLMsgsRs")
        host = etree.SubElement(self._rs(messages, "HostQueryRs", "", OK), "HostRet")
        for name, value in (("ProductName", self.company.product_name), ("MajorVersion", "34"),
                            ("MinorVersion", "0"), ("Country", self.company.country)):
            etree.SubElement(host, name).text = value
        for version in self.company.supported_versions:
            etree.SubElement(host, "SupportedQBXMLVersion").text = version
        company = etree.SubElement(self._rs(messages, "CompanyQueryRs", "", OK), "CompanyRet")
        etree.SubElement(company, "CompanyName").text = self.company.company_name
        return '<?xml version="1.0" ?>' + etree.tostring(root, encoding="unicode")

    def answer(self, request_text: str) -> tuple[str, str, str]:
        """(response, hresult, message): a qbXML response, or an hresult when the request cannot be parsed."""
        try:
            root = defused.fromstring(request_text.encode(), forbid_dtd=True)
        except (ET.ParseError, ValueError):
            return "", *PARSE_ERROR
        requests = root.find("QBXMLMsgsRq")
        if root.tag != "QBXML" or requests is None or len(requests) == 0:
            return "", *PARSE_ERROR
        out = etree.Element("QBXML")
        messages = etree.SubElement(out, "QBXMLMsgsRs")
        for request in requests:
            handler = getattr(self, "_" + request.tag.removesuffix("Rq"), None)
            if handler is None:
                return "", *PARSE_ERROR
            handler(messages, request)
        return '<?xml version="1.0" ?>' + etree.tostring(out, encoding="unicode"), "", ""

    def _rs(self, messages, name: str, request_id: str, status: tuple, *args, **attributes) -> etree._Element:
        code, severity, message = status if len(status) == 3 else (status[0], *STATUS[status[0]])
        rs = etree.SubElement(messages, name, statusCode=str(code), statusSeverity=severity,
                              statusMessage=message.format(*args), **attributes)
        if request_id:
            rs.set("requestID", request_id)
        return rs

    def _ret(self, parent, kind: str, record: dict, linked: bool = False) -> None:
        tag = record.get("ItemType", "ItemServiceRet") if kind == "Item" else f"{kind}Ret"
        ret = etree.SubElement(parent, tag)
        for name in ("ListID", "TxnID", "EditSequence", "Name", "FullName", "IsActive", "CompanyName",
                     "Sublevel", "AccountType", "AccountNumber", "RefNumber", "TxnDate", "Memo"):
            if record.get(name):
                etree.SubElement(ret, name).text = record[name]
        if record.get("ParentListID"):
            etree.SubElement(etree.SubElement(ret, "ParentRef"), "ListID").text = record["ParentListID"]
        if kind in self.company.transactions:
            self._payment_fields(ret, kind, record, linked)

    def _payment_fields(self, ret, kind: str, txn: dict, linked: bool) -> None:
        """What is paid: AmountDue/OpenAmount (a bill), Subtotal/BalanceRemaining (an invoice), IsPaid, and with
        IncludeLinkedTxns the payments applied to it."""
        total, left = Decimal(txn.get("Amount") or "0"), self.company.open_amount(txn)
        amounts = ((("AmountDue", total), ("OpenAmount", left)) if kind == "Bill" else
                   (("Subtotal", total), ("SalesTaxTotal", Decimal(0)), ("AppliedAmount", left - total),
                    ("BalanceRemaining", left)))
        for name, value in amounts:
            etree.SubElement(ret, name).text = f"{value:.2f}"
        etree.SubElement(ret, "IsPaid").text = "true" if left <= 0 else "false"
        for link in txn.get("LinkedTxn", []) if linked else []:
            element = etree.SubElement(ret, "LinkedTxn")
            for name in ("TxnID", "TxnType", "TxnDate", "RefNumber", "LinkType", "Amount"):
                etree.SubElement(element, name).text = link[name]

    # --- lists ----------------------------------------------------------------------------------------------------

    def _list_query(self, messages, request, kind: str) -> None:
        rid, name = request.get("requestID", ""), f"{kind}QueryRs"
        if request.get("iterator") == "Continue":
            records = self.iterators.pop(request.get("iteratorID", ""), None)
            if records is None:
                self._rs(messages, name, rid, (3170, "Error", "There is no iterator with that iteratorID."))
                return
        elif _text(request, "FullName"):
            found = self.company.find_list_record(kind, full_name=_text(request, "FullName"))
            records = [found] if found else []
        else:
            records = list(self.company.lists[kind])
        size = int(_text(request, "MaxReturned") or 0) or len(records) or 1
        page, rest = records[:size], records[size:]
        attributes = {}
        if request.get("iterator") in ("Start", "Continue"):
            iterator_id = request.get("iteratorID") or "{" + str(uuid.uuid4()) + "}"
            attributes = {"iteratorID": iterator_id, "iteratorRemainingCount": str(len(rest))}
            if rest:
                self.iterators[iterator_id] = rest
        rs = self._rs(messages, name, rid, OK if page else (1,), **attributes)
        for record in page:
            self._ret(rs, kind, record)

    def _VendorQuery(self, messages, request):
        self._list_query(messages, request, "Vendor")

    def _CustomerQuery(self, messages, request):
        self._list_query(messages, request, "Customer")

    def _ItemQuery(self, messages, request):
        self._list_query(messages, request, "Item")

    def _AccountQuery(self, messages, request):
        self._list_query(messages, request, "Account")

    def _CompanyQuery(self, messages, request):
        rs = self._rs(messages, "CompanyQueryRs", request.get("requestID", ""), OK)
        etree.SubElement(etree.SubElement(rs, "CompanyRet"), "CompanyName").text = self.company.company_name

    def _list_add(self, messages, request, kind: str) -> None:
        rid, body = request.get("requestID", ""), request.find(f"{kind}Add")
        name = _text(body, "Name")
        parent_id, parent_name = _ref(body, "ParentRef") if body is not None else ("", "")
        parent = self.company.find_list_record(kind, parent_id, parent_name) if (parent_id or parent_name) else None
        if (parent_id or parent_name) and parent is None:
            self._rs(messages, f"{kind}AddRs", rid, (3140,), "Customer")
            return
        full_name = f"{parent['FullName']}:{name}" if parent else name
        if not name or self.company.find_list_record(kind, full_name=full_name):
            self._rs(messages, f"{kind}AddRs", rid, (3100,), name)
            return
        record = self.company.add_list_record(kind, name, parent, CompanyName=_text(body, "CompanyName"))
        self._ret(self._rs(messages, f"{kind}AddRs", rid, OK), kind, record)

    def _VendorAdd(self, messages, request):
        self._list_add(messages, request, "Vendor")

    def _CustomerAdd(self, messages, request):
        self._list_add(messages, request, "Customer")

    # --- transactions ---------------------------------------------------------------------------------------------

    def _bad_reference(self, body, party: str, party_kind: str, line_refs: dict) -> str:
        """The kind of the first list record the transaction refers to that the company file lacks ('' if none)."""
        checks = [(party_kind, _ref(body, party)[0])]
        for line_tag, (ref_tag, ref_kind) in line_refs.items():
            checks += [(ref_kind, _ref(line, ref_tag)[0]) for line in body.findall(line_tag)]
            checks += [("Customer", _ref(line, "CustomerRef")[0]) for line in body.findall(line_tag)
                       if line.find("CustomerRef") is not None]
        return next((k for k, list_id in checks if not self.company.find_list_record(k, list_id=list_id)), "")

    def _txn_values(self, body, party: str, line_refs: dict) -> dict:
        amount = sum(float(_text(line, "Amount") or 0) for tag in line_refs for line in body.findall(tag))
        return {"RefNumber": _text(body, "RefNumber"), "TxnDate": _text(body, "TxnDate"), "Memo": _text(body, "Memo"),
                "PartyListID": _ref(body, party)[0], "Amount": f"{amount:.2f}"}

    def _txn_add(self, messages, request, kind: str, party: str, party_kind: str, line_refs: dict) -> None:
        rid, body = request.get("requestID", ""), request.find(f"{kind}Add")
        name = f"{kind}AddRs"
        missing = self._bad_reference(body, party, party_kind, line_refs)
        if missing:
            self._rs(messages, name, rid, (3140,), missing)
            return
        txn = self.company.add_transaction(kind, self._txn_values(body, party, line_refs))
        self._ret(self._rs(messages, name, rid, OK), kind, txn)

    def _txn_mod(self, messages, request, kind: str, party: str, party_kind: str, line_refs: dict) -> None:
        """A Mod applies only over the current EditSequence (3200 otherwise) and gives the record a new one."""
        rid, body = request.get("requestID", ""), request.find(f"{kind}Mod")
        name, txn_id = f"{kind}ModRs", _text(body, "TxnID")
        txn = next((t for t in self.company.transactions[kind] if t["TxnID"] == txn_id), None)
        if txn is None:
            self._rs(messages, name, rid, (3120,), txn_id)
            return
        if _text(body, "EditSequence") != txn["EditSequence"]:
            self._rs(messages, name, rid, (3200,), _text(body, "EditSequence"))
            return
        missing = self._bad_reference(body, party, party_kind, line_refs)
        if missing:
            self._rs(messages, name, rid, (3140,), missing)
            return
        self.company.counter += 1
        txn.update(self._txn_values(body, party, line_refs), EditSequence=str(1700000000 + self.company.counter),
                   Mods=str(int(txn.get("Mods", "0")) + 1))
        self._ret(self._rs(messages, name, rid, OK), kind, txn)

    def _BillAdd(self, messages, request):
        self._txn_add(messages, request, "Bill", "VendorRef", "Vendor",
                      {"ExpenseLineAdd": ("AccountRef", "Account"), "ItemLineAdd": ("ItemRef", "Item")})

    def _InvoiceAdd(self, messages, request):
        self._txn_add(messages, request, "Invoice", "CustomerRef", "Customer",
                      {"InvoiceLineAdd": ("ItemRef", "Item")})

    def _BillMod(self, messages, request):
        self._txn_mod(messages, request, "Bill", "VendorRef", "Vendor",
                      {"ExpenseLineMod": ("AccountRef", "Account"), "ItemLineMod": ("ItemRef", "Item")})

    def _InvoiceMod(self, messages, request):
        self._txn_mod(messages, request, "Invoice", "CustomerRef", "Customer", {"InvoiceLineMod": ("ItemRef", "Item")})

    def _txn_query(self, messages, request, kind: str) -> None:
        """By RefNumber or TxnID; a TxnID the file lacks answers 500 (and, here, nothing else: the worst case)."""
        numbers = {(n.text or "").strip() for n in request.findall("RefNumber")}
        txn_ids = {(n.text or "").strip() for n in request.findall("TxnID")}
        found = [t for t in self.company.transactions[kind] if (not numbers or t["RefNumber"] in numbers)
                 and (not txn_ids or t["TxnID"] in txn_ids)]
        rid = request.get("requestID", "")
        missing = sorted(txn_ids - {t["TxnID"] for t in found})
        if missing:
            self._rs(messages, f"{kind}QueryRs", rid, (500,), missing[0])
            return
        rs = self._rs(messages, f"{kind}QueryRs", rid, OK if found else (1,))
        linked = _text(request, "IncludeLinkedTxns") == "true"
        for txn in found:
            self._ret(rs, kind, txn, linked)

    def _BillQuery(self, messages, request):
        self._txn_query(messages, request, "Bill")

    def _InvoiceQuery(self, messages, request):
        self._txn_query(messages, request, "Invoice")
