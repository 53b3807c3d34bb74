"""The `flask emulator` command: run the Intuit emulator on its own port."""
from __future__ import annotations

import click
from flask import Flask

from . import run_emulator


def init_app(app: Flask) -> None:
    app.cli.add_command(emulator_command)


@click.command("emulator")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5001, type=int)
@click.option("--database", default=None, help="The emulator's own state file.")
@click.option("--no-throttle", is_flag=True, help="Switch off Intuit's per-realm rate limits.")
@click.option("--throttle-time-scale", default=1.0, type=float,
              help="Run the one-minute rate window this many times faster.")
def emulator_command(host: str, port: int, database: str | None, no_throttle: bool,
                     throttle_time_scale: float) -> None:
    """Run the Intuit emulator (OAuth + QuickBooks Online API) on its own port."""
    run_emulator(host=host, port=port, database=database, base_url=f"http://{host}:{port}",
                 throttle=not no_throttle, throttle_time_scale=throttle_time_scale)
