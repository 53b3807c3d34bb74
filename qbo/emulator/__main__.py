"""Command line: python -m qbo.emulator --port 5001."""
from __future__ import annotations

import argparse

from . import DEFAULT_PORT, DEMO_VERIFIER_TOKEN, DEMO_WEBHOOK_URL, run_emulator
from .webhook_config import FORMATS


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run the emulator."""
    parser = argparse.ArgumentParser(prog="python -m qbo.emulator",
                                     description="Run the local Intuit emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--database", help="SQLite state file (default instance/emulator.sqlite3)")
    parser.add_argument("--base-url", help="public base URL to advertise (default: request host)")
    parser.add_argument("--no-throttle", action="store_true",
                        help="switch off Intuit's per-realm rate limits")
    parser.add_argument("--throttle-time-scale", type=float, default=1.0,
                        help="run the one-minute rate window this many times faster")
    parser.add_argument("--webhook-url", default=DEMO_WEBHOOK_URL,
                        help=f"where signed webhooks go, loopback only (default {DEMO_WEBHOOK_URL})")
    parser.add_argument("--webhook-verifier-token", default=DEMO_VERIFIER_TOKEN,
                        help="the app's webhook verifier token (default: inBuild's demo value)")
    parser.add_argument("--webhook-format", choices=FORMATS, default="cloudevents")
    parser.add_argument("--no-webhooks", action="store_true", help="send no webhooks")
    parser.add_argument("--extra-companies", type=int, default=0,
                        help="benchmark companies (realms 91303500001xxxxx) for bench.user@example.com")
    args = parser.parse_args(argv)
    run_emulator(args.host, args.port, args.database, args.base_url,
                 throttle=not args.no_throttle, throttle_time_scale=args.throttle_time_scale,
                 webhook_url=None if args.no_webhooks else args.webhook_url,
                 webhook_verifier_token=args.webhook_verifier_token, webhook_format=args.webhook_format,
                 extra_companies=args.extra_companies)


if __name__ == "__main__":
    main()
