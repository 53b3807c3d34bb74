#!/usr/bin/env bash
# Set up and run the whole test suite (unit, HTTP, emulator, multi-process and browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's Chromium for the browser tests..."
  SUDO=""; if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
# The import direction of qbo/ (.importlinter): web on top, storage at the bottom, the emulator apart.
.venv/bin/lint-imports --no-cache
# One pytest-xdist worker per core (PYTEST_XDIST_AUTO_NUM_WORKERS=N, or -n N among the arguments, overrides it;
# -n 0 runs in this process). A test file stays on one worker, so its module fixtures are built once.
.venv/bin/python -m pytest -n auto --dist loadfile "$@"
