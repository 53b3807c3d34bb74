"""Command line: python -m qbo.emulator --port 5001."""
from __future__ import annotations

import argparse

from . import DEFAULT_PORT, run_emulator


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
    args = parser.parse_args(argv)
    run_emulator(args.host, args.port, args.database, args.base_url,
                 throttle=not args.no_throttle, throttle_time_scale=args.throttle_time_scale)


if __name__ == "__main__":
    main()
