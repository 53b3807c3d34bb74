#!/usr/bin/env bash
# Set up and run the demo: the Intuit emulator on :5001, inBuild on :5000, demo companies and users.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
export FLASK_APP=app
.venv/bin/flask --app app init-db
.venv/bin/flask --app app demo

.venv/bin/python -m qbo.emulator --port 5001 --database instance/emulator.sqlite3 &
EMULATOR_PID=$!
.venv/bin/gunicorn --bind 127.0.0.1:5000 --workers 2 --threads 4 --access-logfile - "app:create_app()" &
APP_PID=$!
# The job consumer: sync runs (Sync now, Retry) and the scheduled run every SYNC_INTERVAL_MINUTES.
.venv/bin/huey_consumer app.huey --workers 2 --worker-type thread &
JOBS_PID=$!
trap 'kill $EMULATOR_PID $APP_PID $JOBS_PID 2>/dev/null || true' EXIT INT TERM

cat <<'TEXT'

inBuild is running at http://127.0.0.1:5000  (Intuit emulator at http://127.0.0.1:5001, control page /_emulator/;
the job consumer syncs bills and invoices every 15 minutes and on Sync now)
Intuit sign-in (emulator), password intuit-demo for all:
  alex.morgan@example.com  Keystone Builders LLC, Harbor Point Construction
  sam.lee@example.com      Harbor Point Construction, Summit Ridge Contractors
  pat.kim@example.com      Summit Ridge Contractors
Press Ctrl+C to stop.
TEXT
wait
