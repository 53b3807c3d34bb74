"""Command-line import of inBuild records from CSV, demo records for one company, the demo companies."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from qbo.accounts import store as accounts
from qbo.records import csv_import, demo, demo_records
from qbo.storage.db import get_db

MAX_ERRORS_SHOWN = 200


def init_app(app: Flask) -> None:
    for command in (import_csv_command, demo_records_command, demo_command):
        app.cli.add_command(command)


def _company_or_fail(name: str) -> accounts.Company:
    company = accounts.find_company_by_name(get_db(), name)
    if company is None:
        raise click.ClickException(f"No company named {name!r}.")
    return company


def _counts(created: dict[str, int]) -> str:
    return ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in created.items())


@click.command("import-csv")
@click.argument("kind", type=click.Choice(csv_import.KINDS), metavar="KIND")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--company", "company_name", required=True, help="The company the records belong to.")
@with_appcontext
def import_csv_command(kind: str, path: Path, company_name: str) -> None:
    """Import KIND records from the CSV file at PATH, all or nothing.

    KIND is one of projects, vendors, cost-codes, cost-types, bills, invoices. Bills and invoices have one row
    per line and refer to vendors by name, projects by number, cost codes and cost types by code.
    """
    company = _company_or_fail(company_name)
    result = csv_import.import_csv(get_db(), company.id, kind, path.read_bytes())
    if not result.ok:
        for message in result.errors[:MAX_ERRORS_SHOWN]:
            click.echo(message, err=True)
        if len(result.errors) > MAX_ERRORS_SHOWN:
            click.echo(f"… and {len(result.errors) - MAX_ERRORS_SHOWN} more.", err=True)
        click.echo(f"Nothing was imported: {len(result.errors)} error(s) in {path.name}.", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"Imported {_counts(result.created)} into {company.name!r}.")


@click.command("demo-records")
@click.option("--company", "company_name", required=True, help="The company to fill with demo records.")
@with_appcontext
def demo_records_command(company_name: str) -> None:
    """Create demo projects, vendors, cost codes, bills and invoices for a company that has none (safe to rerun)."""
    company = _company_or_fail(company_name)
    created = demo_records.load_demo_records(get_db(), company.id)
    if not any(created.values()):
        click.echo(f"{company.name!r} already has records; nothing was added.")
        return
    click.echo(f"Created {_counts(created)} for {company.name!r}.")


@click.command("demo")
def demo_command() -> None:
    """Create the demo companies and users (safe to run again)."""
    for line in demo.load_demo_data(get_db()):
        click.echo(line)
