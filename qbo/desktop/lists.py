"""The company file's lists as the wizard's reference records: Vendor, Customer (with jobs), Item and Account."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import asdict

from qbo.desktop.qbxml import ref_list_id
from qbo.desktop.safe_xml import child_text, local_name
from qbo.mapping.reference_records import QboRecord

LIST_ENTITIES = ("Account", "Vendor", "Customer", "Item")
# qbXML spells account types in CamelCase; the wizard filters on QuickBooks Online's spelling.
ACCOUNT_TYPES = {"AccountsPayable": "Accounts Payable", "AccountsReceivable": "Accounts Receivable",
                 "CostOfGoodsSold": "Cost of Goods Sold", "OtherExpense": "Other Expense",
                 "OtherIncome": "Other Income", "OtherCurrentAsset": "Other Current Asset",
                 "OtherCurrentLiability": "Other Current Liability", "LongTermLiability": "Long Term Liability",
                 "FixedAsset": "Fixed Asset", "OtherAsset": "Other Asset", "CreditCard": "Credit Card"}
ITEM_TYPES = {"ItemServiceRet": "Service", "ItemNonInventoryRet": "NonInventory", "ItemInventoryRet": "Inventory",
              "ItemOtherChargeRet": "OtherCharge", "ItemGroupRet": "Group", "ItemInventoryAssemblyRet": "Inventory",
              "ItemDiscountRet": "Discount", "ItemSubtotalRet": "Subtotal", "ItemPaymentRet": "Payment",
              "ItemSalesTaxRet": "SalesTax", "ItemSalesTaxGroupRet": "SalesTaxGroup", "ItemFixedAssetRet": "FixedAsset"}


def record_from_ret(entity: str, ret: ET.Element) -> QboRecord | None:
    """The fields the wizard keeps, from a VendorRet, CustomerRet, Item*Ret or AccountRet (None without ListID)."""
    list_id = child_text(ret, "ListID")[:100]
    if not list_id:
        return None
    active = child_text(ret, "IsActive").lower() != "false"
    if entity == "Vendor":
        return QboRecord("Vendor", list_id, child_text(ret, "Name")[:200], child_text(ret, "AccountNumber")[:100],
                         child_text(ret, "Email")[:200], child_text(ret, "VendorTaxIdent")[:50], active=active)
    if entity == "Customer":
        parent = ref_list_id(ret, "ParentRef") or None
        return QboRecord("Customer", list_id, child_text(ret, "Name")[:200], email=child_text(ret, "Email")[:200],
                         parent_id=parent, is_job=parent is not None, active=active)
    if entity == "Item":
        return QboRecord("Item", list_id, child_text(ret, "FullName")[:200],
                         subtype=ITEM_TYPES.get(local_name(ret), "Other"), active=active)
    return QboRecord("Account", list_id, child_text(ret, "FullName")[:200], child_text(ret, "AccountNumber")[:100],
                     subtype=account_type(child_text(ret, "AccountType")), active=active)


def account_type(qbxml_type: str) -> str:
    return ACCOUNT_TYPES.get(qbxml_type) or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", qbxml_type)[:50]


def as_row(record: QboRecord) -> dict:
    return asdict(record)


def from_row(row: dict) -> QboRecord:
    return QboRecord(**row)
