"""Command-line upkeep of stored connections: retry revocations, re-encrypt tokens under a new key."""
from __future__ import annotations

import click
from flask import Flask, current_app

from qbo.connection.key_rotation import reencrypt_all
from qbo.connection.revocations import retry_due_revocations
from qbo.intuit import oauth as intuit
from qbo.storage.db import get_db
from qbo.storage.timeutil import utcnow


def init_app(app: Flask) -> None:
    for command in (retry_revocations, rotate_token_key):
        app.cli.add_command(command)


@click.command("retry-revocations")
def retry_revocations() -> None:
    """Retry token revocations that Intuit has not confirmed yet."""
    delivered, pending = retry_due_revocations(get_db(), current_app.extensions["token_cipher"], intuit.revoke_token, utcnow())
    click.echo(f"Revocations delivered: {delivered}; still pending: {pending}.")


@click.command("rotate-token-key")
def rotate_token_key() -> None:
    """Re-encrypt every stored token under the first key in TOKEN_ENCRYPTION_KEYS."""
    count = reencrypt_all(get_db(), current_app.extensions["token_cipher"])
    click.echo(f"Re-encrypted {count} stored tokens; older keys can now be retired.")
