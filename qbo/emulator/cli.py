"""The `flask emulator` command: run the Intuit emulator on its own port."""
from __future__ import annotations

import click
from flask import Flask

from . import DEMO_VERIFIER_TOKEN, DEMO_WEBHOOK_URL, run_emulator
from .webhook_config import FORMATS


def init_app(app: Flask) -> None:
    app.cli.add_command(emulator_command)


@click.command("emulator")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5001, type=int)
@click.option("--database", default=None, help="The emulator's own state file.")
@click.option("--no-throttle", is_flag=True, help="Switch off Intuit's per-realm rate limits.")
@click.option("--throttle-time-scale", default=1.0, type=float,
              help="Run the one-minute rate window this many times faster.")
@click.option("--webhook-url", default=DEMO_WEBHOOK_URL, show_default=True,
              help="Where signed webhooks go (loopback only).")
@click.option("--webhook-verifier-token", default=DEMO_VERIFIER_TOKEN, help="The app's webhook verifier token.")
@click.option("--webhook-format", type=click.Choice(FORMATS), default="cloudevents", show_default=True)
@click.option("--no-webhooks", is_flag=True, help="Send no webhooks.")
def emulator_command(host: str, port: int, database: str | None, no_throttle: bool, throttle_time_scale: float,
                     webhook_url: str, webhook_verifier_token: str, webhook_format: str, no_webhooks: bool) -> None:
    """Run the Intuit emulator (OAuth + QuickBooks Online API) on its own port."""
    run_emulator(host=host, port=port, database=database, base_url=f"http://{host}:{port}",
                 throttle=not no_throttle, throttle_time_scale=throttle_time_scale,
                 webhook_url=None if no_webhooks else webhook_url, webhook_verifier_token=webhook_verifier_token,
                 webhook_format=webhook_format)
