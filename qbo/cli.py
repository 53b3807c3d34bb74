"""Command-line set-up for operators and scripts: companies, users, features, demo data, the emulator."""
from __future__ import annotations

import click
from flask import Flask, current_app

from qbo import accounts, demo
from qbo.accounts import COMPANY_ADMIN, STANDARD, AccountError
from qbo.db import get_db


def init_app(app: Flask) -> None:
    for command in (create_company, create_user, set_feature, demo_command, emulator_command, retry_revocations,
                    rotate_token_key):
        app.cli.add_command(command)


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _company_or_fail(name: str):
    company = accounts.find_company_by_name(get_db(), name)
    if company is None:
        _fail(f"No company named {name!r}.")
    return company


@click.command("create-company")
@click.argument("name")
@click.option("--no-accounting-integrations", is_flag=True, help="Create it with the feature flag off.")
def create_company(name: str, no_accounting_integrations: bool) -> None:
    """Create a company (accounting integrations on unless told otherwise)."""
    try:
        company = accounts.create_company(get_db(), name, not no_accounting_integrations)
    except AccountError as exc:
        _fail(str(exc))
    click.echo(f"Created company {company.name!r} (id {company.id}).")


@click.command("create-user")
@click.argument("email")
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--company", "company_name", required=True, help="The company the user belongs to.")
@click.option("--name", default="", help="Display name.")
@click.option("--admin", is_flag=True, help="Make the user a Company Admin (default: Standard).")
def create_user(email: str, password: str, company_name: str, name: str, admin: bool) -> None:
    """Create a user and add them to a company."""
    db = get_db()
    company = _company_or_fail(company_name)
    try:
        user = accounts.find_user_by_email(db, email) or accounts.create_user(db, email, password, name)
    except AccountError as exc:
        _fail(str(exc))
    role = COMPANY_ADMIN if admin else STANDARD
    accounts.set_membership(db, company.id, user.id, role)
    click.echo(f"{user.email} is a {role} of {company.name!r}.")


@click.command("set-feature")
@click.argument("company_name")
@click.argument("state", type=click.Choice(["on", "off"]))
def set_feature(company_name: str, state: str) -> None:
    """Turn the accounting_integrations feature on or off for a company."""
    company = _company_or_fail(company_name)
    accounts.set_feature(get_db(), company.id, state == "on")
    click.echo(f"Accounting integrations {state} for {company.name!r}.")


@click.command("demo")
def demo_command() -> None:
    """Create the demo companies and users (safe to run again)."""
    for line in demo.load_demo_data(get_db()):
        click.echo(line)


@click.command("emulator")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5001, type=int)
@click.option("--database", default=None, help="The emulator's own state file.")
def emulator_command(host: str, port: int, database: str | None) -> None:
    """Run the Intuit emulator (OAuth + QuickBooks Online API) on its own port."""
    from qbo.emulator import run_emulator

    run_emulator(host=host, port=port, database=database, base_url=f"http://{host}:{port}")


@click.command("retry-revocations")
def retry_revocations() -> None:
    """Retry token revocations that Intuit has not confirmed yet."""
    from qbo import intuit
    from qbo.revocations import retry_due_revocations
    from qbo.timeutil import utcnow

    delivered, pending = retry_due_revocations(get_db(), current_app.extensions["token_cipher"], intuit.revoke_token, utcnow())
    click.echo(f"Revocations delivered: {delivered}; still pending: {pending}.")


@click.command("rotate-token-key")
def rotate_token_key() -> None:
    """Re-encrypt every stored token under the first key in TOKEN_ENCRYPTION_KEYS."""
    from qbo.key_rotation import reencrypt_all

    count = reencrypt_all(get_db(), current_app.extensions["token_cipher"])
    click.echo(f"Re-encrypted {count} stored tokens; older keys can now be retired.")
