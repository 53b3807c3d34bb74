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
    args = parser.parse_args(argv)
    run_emulator(args.host, args.port, args.database, args.base_url)


if __name__ == "__main__":
    main()
