"""Commands for a presenter: play a Web Connector update against a running inBuild, and a one-step setup."""
from __future__ import annotations

import collections
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from qbo.accounts import store as accounts
from qbo.desktop.quick_setup import SetupNotReady, quick_setup
from qbo.desktop.simulator.company_file import CompanyFile, demo_company_file
from qbo.desktop.simulator.quickbooks import QuickBooks
from qbo.desktop.simulator.web_connector import Faults, WebConnector, read_qwc, request_names
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow


def init_app(app: Flask) -> None:
    for command in (simulate_command, quick_setup_command):
        app.cli.add_command(command)


@click.command("qbwc-simulate")
@click.option("--qwc", "qwc_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The .qwc file downloaded from the QuickBooks Desktop card.")
@click.option("--password", required=True, help="The password the card showed.")
@click.option("--company-file", "company_path", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON of the simulated company file (default: instance/qbd-company-file.json, made on first use).")
@click.option("--connection-error", default="", help="An hresult to report instead of reaching QuickBooks.")
@click.option("--pay", "payments", multiple=True, metavar="KIND:NUMBER[:AMOUNT]",
              help="Before the update, pay a bill or invoice in the company file, in full or AMOUNT of it "
                   "(e.g. bill:B-100, invoice:INV-7:400.00). Repeatable.")
@with_appcontext
def simulate_command(qwc_path: Path, password: str, company_path: Path | None, connection_error: str,
                     payments: tuple[str, ...]) -> None:
    """Run one Web Connector update ("Update Selected") with a simulated QuickBooks company file."""
    qwc = read_qwc(qwc_path.read_bytes())
    company_path = company_path or Path(current_app.instance_path) / "qbd-company-file.json"
    company = CompanyFile.load(company_path) if company_path.exists() else demo_company_file()
    for payment in payments:
        click.echo(pay_in_company_file(company, payment, utcnow().date().isoformat()))
    connector = WebConnector(qwc.app_url, qwc.username, password, QuickBooks(company))
    log = connector.update(Faults(connection_error=connection_error))
    company.save(company_path)
    click.echo(f"authenticate: {log.authenticated[1:2] or ['?']} ({qwc.app_url})")
    for name, count in collections.Counter(request_names(log)).items():
        click.echo(f"  {count} × {name}")
    if log.percents:
        click.echo(f"progress: {', '.join(map(str, log.percents[-5:]))} %")
    for label, text in (("connectionError", log.connection_error), ("last error", log.last_error),
                        ("closeConnection", log.closed)):
        if text:
            click.echo(f"{label}: {text}")
    click.echo(f"company file {company.company_name}: {company.count('Bill')} bills, {company.count('Invoice')} "
               f"invoices, {company.count('Vendor')} vendors, {company.count('Customer')} customers "
               f"(saved to {company_path})")


def pay_in_company_file(company: CompanyFile, spec: str, txn_date: str) -> str:
    """Apply one --pay KIND:NUMBER[:AMOUNT] to the simulated company file; what was paid, in a line."""
    kind, _, rest = spec.partition(":")
    number, _, amount = rest.partition(":")
    entity = {"bill": "Bill", "invoice": "Invoice"}.get(kind.strip().lower())
    txn = company.find_transaction(entity, ref_number=number.strip()) if entity else None
    if txn is None:
        raise click.BadParameter(f"no bill or invoice {spec!r} in the company file (KIND is bill or invoice)",
                                 param_hint="--pay")
    try:
        payment = company.pay(entity, txn, amount.strip() or None, txn_date)
    except ArithmeticError as exc:
        raise click.BadParameter(f"{amount!r} is not an amount", param_hint="--pay") from exc
    return f"paid {entity} {number}: {payment['Amount'].lstrip('-')}, {company.open_amount(txn):.2f} left"


@click.command("desktop-quick-setup")
@click.option("--company", "company_name", required=True, help="The inBuild company connected to QuickBooks Desktop.")
@with_appcontext
def quick_setup_command(company_name: str) -> None:
    """Set up Desktop sync from the company file's lists with the wizard's defaults (a demo shortcut)."""
    company = accounts.find_company_by_name(get_db(), company_name)
    if company is None:
        raise click.ClickException(f"No company named {company_name!r}.")
    try:
        summary = quick_setup(get_db(), company.id, utcnow())
    except SetupNotReady as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Set up {summary.realm_id}: matched {summary.matched}; {summary.to_create} vendors and projects "
               f"queued to be created in QuickBooks; {summary.cost_codes_defaulted} cost codes on the default account.")
