"""QuickBooks' refusals in plain words, with what the admin can do about each."""
from __future__ import annotations

from qbo.intuit.faults import QboFault

WHAT_TO_DO = {
    "610": "A vendor, customer, item or account it uses is inactive or deleted in QuickBooks: make it active "
           "there, or map another one in the Setup Wizard, then Retry.",
    "2500": "A record it points at does not exist in this QuickBooks company: check the mappings in the Setup "
            "Wizard, then Retry.",
    "6140": "QuickBooks already has a document with this number: change the number in inBuild, or remove the "
            "duplicate in QuickBooks, then Retry.",
    "6210": "Its date falls in a closed accounting period in QuickBooks: reopen the period or change the date, "
            "then Retry.",
    "5010": "It was changed in QuickBooks at the same moment: Retry.",
    "6000": "QuickBooks refused it as it stands: correct it in inBuild, then Retry.",
}


def fault_message(fault: QboFault) -> str:
    """One line for the Sync issues list: what QuickBooks said, and what to do."""
    said = fault.detail or fault.message or "no details given"
    advice = WHAT_TO_DO.get(fault.code, "Check it in inBuild and in QuickBooks, then Retry.")
    return f"QuickBooks said: {said} (error {fault.code or 'unknown'}). {advice}"
