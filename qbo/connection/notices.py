"""Telling a company's admins when its QuickBooks Online connection breaks and when it works again, by e-mail.

Off unless MAIL_SERVER is set; plain SMTP with STARTTLS when MAIL_USE_TLS is on. Addresses come from the
company's admins; messages carry no tokens and no QuickBooks data, only what happened and what to do.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from sqlite_utils import Database

from qbo.accounts import store as accounts
from qbo.connection.incidents import DISCONNECTED_IN_QUICKBOOKS, OPENED, Notice

log = logging.getLogger(__name__)

SUBJECTS = {
    ("expired", OPENED): "QuickBooks Online needs you to reconnect",
    ("error", OPENED): "QuickBooks Online cannot be reached",
    (DISCONNECTED_IN_QUICKBOOKS, OPENED): "QuickBooks Online was disconnected inside QuickBooks",
}
BODIES = {
    ("expired", OPENED): "The QuickBooks Online session of {company} has expired, so bills and invoices stop syncing. "
                         "Open Settings > Accounting Integrations and click Reconnect: your configuration and "
                         "mappings are kept.",
    ("error", OPENED): "inBuild could not reach QuickBooks Online for {company} ({reason}). It keeps trying; you "
                       "can also click Reconnect on Settings > Accounting Integrations.",
    (DISCONNECTED_IN_QUICKBOOKS, OPENED): "QuickBooks no longer accepts inBuild's connection for {company}: the app "
                                          "was disconnected inside QuickBooks, or the user who connected it lost "
                                          "access to the QuickBooks company. Bills and invoices stop syncing. Open "
                                          "Settings > Accounting Integrations and click Reconnect: your "
                                          "configuration and mappings are kept.",
}
RECOVERED = ("QuickBooks Online works again", "The QuickBooks Online connection of {company} works again, and "
             "syncing has resumed.")


def message_for(notice: Notice, company: str) -> tuple[str, str]:
    if notice.change != OPENED:
        return RECOVERED[0], RECOVERED[1].format(company=company)
    key = (notice.kind, OPENED)
    return SUBJECTS[key], BODIES[key].format(company=company, reason=notice.reason or "no answer")


def send_notices(db: Database, notices: list[Notice], config) -> int:
    """E-mail each notice to the company's admins; how many messages went out (0 when mail is off)."""
    if not notices or not config.get("MAIL_SERVER"):
        return 0
    sent = 0
    with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        for notice in notices:
            company = accounts.get_company(db, notice.company_id)
            recipients = accounts.admin_emails(db, notice.company_id)
            if company is None or not recipients:
                continue
            subject, body = message_for(notice, company.name)
            smtp.send_message(_email(config.get("MAIL_FROM", "inbuild@localhost"), recipients, subject, body))
            sent += 1
    log.info("connection notices sent: %d", sent)
    return sent


def _email(sender: str, recipients: list[str], subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, ", ".join(recipients), subject
    message.set_content(body + "\n\n-- inBuild Accounting Integrations\n")
    return message
