"""Command-line set-up for operators and scripts: companies, users and the feature flag."""
from __future__ import annotations

import click
from flask import Flask

from qbo.accounts import store as accounts
from qbo.accounts.store import COMPANY_ADMIN, STANDARD, AccountError
from qbo.storage.db import get_db


def init_app(app: Flask) -> None:
    for command in (create_company, create_user, set_feature):
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
