"""The qbXML request elements we send, built with lxml in the schema's element order (qbwc-facts.md §4).

Bills and invoices start from the body the sync plans for QuickBooks Online (`qbo.sync.bodies`): its refs carry the
mapped record's id, which for a company file is the ListID, so the same plan, Waiting rules and markers serve both.
"""
from __future__ import annotations

from lxml import etree

from qbo.desktop.qbxml import PAGE_SIZE
from qbo.desktop.soap import xml_text

ITERATED = ("Vendor", "Customer", "Item")  # lists read page by page; the account list is short
BILL_REF_LIMIT, INVOICE_REF_LIMIT, NAME_LIMIT, MEMO_LIMIT = 20, 11, 41, 4095


def _element(tag: str, *children, **attributes) -> etree._Element:
    element = etree.Element(tag, **attributes)
    for item in children:
        if item is not None:
            element.append(item)
    return element


def _text(tag: str, value) -> etree._Element | None:
    if value is None or value == "":
        return None
    element = etree.Element(tag)
    element.text = xml_text(value)
    return element


def _ref(tag: str, ref: dict | None) -> etree._Element | None:
    if not ref or not ref.get("value"):
        return None
    return _element(tag, _text("ListID", ref["value"]))


def _name_ref(tag: str, full_name: str | None) -> etree._Element | None:
    return _element(tag, _text("FullName", full_name[:209])) if full_name else None


def _xml(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode")


def _amount(value) -> str:
    return f"{float(value):.2f}"


def list_query(entity: str, iterator_id: str = "") -> str:
    """A whole list, inactive records too (for the stale check): page by page where qbXML has iterators."""
    tag = f"{entity}QueryRq"
    if entity not in ITERATED:
        return _xml(_element(tag, _text("ActiveStatus", "All")))
    if iterator_id:
        return _xml(_element(tag, _text("MaxReturned", PAGE_SIZE), iterator="Continue", iteratorID=iterator_id))
    return _xml(_element(tag, _text("MaxReturned", PAGE_SIZE), _text("ActiveStatus", "All"), iterator="Start"))


def query_by_name(entity: str, full_name: str) -> str:
    return _xml(_element(f"{entity}QueryRq", _text("FullName", full_name)))


def query_by_txn_id(entity: str, txn_id: str) -> str:
    """One bill or invoice by its TxnID, without lines: for its current EditSequence."""
    return _xml(_element(f"{entity}QueryRq", _text("TxnID", txn_id), _text("IncludeLineItems", "false")))


def query_by_ref_number(entity: str, ref_number: str) -> str:
    """Bills or invoices with this number, without lines: the marker in Memo says which one is ours."""
    return _xml(_element(f"{entity}QueryRq", _text("RefNumber", ref_number), _text("IncludeLineItems", "false")))


def vendor_add(name: str, email: str = "", phone: str = "", tax_id: str = "") -> str:
    body = _element("VendorAdd", _text("Name", name[:NAME_LIMIT]), _text("CompanyName", name[:NAME_LIMIT]),
                    _text("Phone", phone[:21]), _text("Email", email[:1023]), _text("VendorTaxIdent", tax_id[:15]))
    return _xml(_element("VendorAddRq", body))


def customer_add(name: str, parent_full_name: str = "", email: str = "") -> str:
    """A customer, or a job under `parent_full_name` (a job's FullName is 'Parent:Job')."""
    body = _element("CustomerAdd", _text("Name", name[:NAME_LIMIT]), _name_ref("ParentRef", parent_full_name),
                    None if parent_full_name else _text("CompanyName", name[:NAME_LIMIT]),
                    _text("Email", email[:1023]))
    return _xml(_element("CustomerAddRq", body))


def bill_add(body: dict) -> str:
    return _xml(_element("BillAddRq", _bill("BillAdd", body)))


def bill_mod(body: dict, txn_id: str, edit_sequence: str) -> str:
    """The whole bill again over the one QuickBooks has (TxnID and its EditSequence): every line is sent as a new
    line (TxnLineID -1), which replaces the lines of that kind; a kind of line no longer used is cleared."""
    return _xml(_element("BillModRq", _bill("BillMod", body, (txn_id, edit_sequence))))


def _bill(tag: str, body: dict, mod: tuple[str, str] | None = None) -> etree._Element:
    lines = body.get("Line", [])
    expense = [line for line in lines if "AccountBasedExpenseLineDetail" in line]
    item = [line for line in lines if "ItemBasedExpenseLineDetail" in line]
    return _element(
        tag, *_mod_ids(mod), _ref("VendorRef", body.get("VendorRef")), _ref("APAccountRef", body.get("APAccountRef")),
        _text("TxnDate", body.get("TxnDate")), _text("DueDate", body.get("DueDate")),
        _text("RefNumber", (body.get("DocNumber") or "")[:BILL_REF_LIMIT]),
        _text("Memo", (body.get("PrivateNote") or "")[:MEMO_LIMIT]),
        _text("ClearExpenseLines", "true") if mod and not expense else None,
        *[_expense_line(line, mod is not None) for line in expense],
        _text("ClearItemLines", "true") if mod and not item else None,
        *[_item_line(line, mod is not None) for line in item])


def _mod_ids(mod: tuple[str, str] | None) -> list:
    return [_text("TxnID", mod[0]), _text("EditSequence", mod[1])] if mod else []


def _new_line(mod: bool) -> etree._Element | None:
    return _text("TxnLineID", "-1") if mod else None


def _expense_line(line: dict, mod: bool = False) -> etree._Element:
    detail = line["AccountBasedExpenseLineDetail"]
    return _element("ExpenseLineMod" if mod else "ExpenseLineAdd", _new_line(mod),
                    _ref("AccountRef", detail.get("AccountRef")),
                    _text("Amount", _amount(line["Amount"])),
                    _text("Memo", (line.get("Description") or "")[:MEMO_LIMIT]),
                    _ref("CustomerRef", detail.get("CustomerRef")), _ref("ClassRef", detail.get("ClassRef")),
                    _text("BillableStatus", "Billable" if detail.get("CustomerRef") else None))


def _item_line(line: dict, mod: bool = False) -> etree._Element:
    detail = line["ItemBasedExpenseLineDetail"]
    return _element("ItemLineMod" if mod else "ItemLineAdd", _new_line(mod), _ref("ItemRef", detail.get("ItemRef")),
                    _text("Desc", (line.get("Description") or "")[:MEMO_LIMIT]),
                    _text("Quantity", detail.get("Qty", 1)), _text("Cost", _amount(detail.get("UnitPrice", 0))),
                    _text("Amount", _amount(line["Amount"])), _ref("CustomerRef", detail.get("CustomerRef")),
                    _ref("ClassRef", detail.get("ClassRef")),
                    _text("BillableStatus", "Billable" if detail.get("CustomerRef") else None))


def invoice_add(body: dict) -> str:
    return _xml(_element("InvoiceAddRq", _invoice("InvoiceAdd", body)))


def invoice_mod(body: dict, txn_id: str, edit_sequence: str) -> str:
    """The whole invoice again over QuickBooks' one; its lines replace the lines it had (see `bill_mod`)."""
    return _xml(_element("InvoiceModRq", _invoice("InvoiceMod", body, (txn_id, edit_sequence))))


def _invoice(tag: str, body: dict, mod: tuple[str, str] | None = None) -> etree._Element:
    return _element(
        tag, *_mod_ids(mod), _ref("CustomerRef", body.get("CustomerRef")), _text("TxnDate", body.get("TxnDate")),
        _text("RefNumber", (body.get("DocNumber") or "")[:INVOICE_REF_LIMIT]), _text("DueDate", body.get("DueDate")),
        _text("Memo", (body.get("PrivateNote") or "")[:MEMO_LIMIT]),
        *[_sales_line(line, mod is not None) for line in body.get("Line", []) if "SalesItemLineDetail" in line])


def _sales_line(line: dict, mod: bool = False) -> etree._Element:
    detail = line["SalesItemLineDetail"]
    return _element("InvoiceLineMod" if mod else "InvoiceLineAdd", _new_line(mod),
                    _ref("ItemRef", detail.get("ItemRef")),
                    _text("Desc", (line.get("Description") or "")[:MEMO_LIMIT]),
                    _text("Quantity", detail.get("Qty", 1)), _text("Rate", _amount(detail.get("UnitPrice", 0))),
                    _ref("ClassRef", detail.get("ClassRef")), _text("Amount", _amount(line["Amount"])))


def ref_number_for(entity: str, doc_number: str) -> str:
    return doc_number[:BILL_REF_LIMIT if entity == "Bill" else INVOICE_REF_LIMIT]


def payment_query(entity: str, txn_ids: list[str]) -> str:
    """Bills or invoices by TxnID, without lines but with the payments linked to them (their paid state).

    qbXML order (BillQueryRq/InvoiceQueryRq): the TxnID filter, then IncludeLineItems, then IncludeLinkedTxns."""
    return _xml(_element(f"{entity}QueryRq", *[_text("TxnID", txn_id) for txn_id in txn_ids],
                         _text("IncludeLineItems", "false"), _text("IncludeLinkedTxns", "true")))
