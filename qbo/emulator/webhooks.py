"""The webhook sender: after a write commits, a background thread posts Intuit-signed events to the app.

Like Intuit it sends ids only, signs the raw body with the app's verifier token (`intuit-signature`), mixes
realms in one delivery, and retries a failed delivery (here on a short schedule: 1 s, then 3 s, then it gives
up). It only ever posts to a loopback address, with a short timeout, and never while holding the database.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

from .clock import now
from .db import Database
from .webhook_config import WebhookConfig, is_loopback_url, load_config
from .webhook_outbox import (
    Change, body_summary, cloudevents_body, delivered_body, due_events, legacy_body, log_delivery, next_attempt_at,
    record_changes, settle, signature,
)

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0  # Intuit wants an answer within 3 seconds
RETRY_DELAYS = (1.0, 3.0)  # after the first and second failed attempt; a third failure drops the events
EVENTS_PER_DELIVERY = 200
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Delivery:
    id: int
    status: int | None
    error: str
    events: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def as_json(self) -> dict:
        return {"id": self.id, "status": self.status, "error": self.error, "events": self.events}


def post(url: str, body: bytes, signed: str) -> tuple[int | None, str]:
    """POST one delivery; (HTTP status, error text). Loopback only, no proxies, a short timeout."""
    if not is_loopback_url(url):
        return None, "refused: the emulator only posts to loopback addresses"
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "intuit-signature": signed, "User-Agent": "Intuit-Emulator-Webhooks"})
    try:
        with _NO_PROXY.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return None, type(error).__name__ if not str(error) else str(error)[:200]


class WebhookSender:
    """One per emulator app: records changes in the outbox and delivers them from a daemon thread."""

    def __init__(self, db: Database, defaults: WebhookConfig, send=post) -> None:
        self.db, self.defaults, self._send = db, defaults, send
        self._wakeup = threading.Event()
        self._draining = threading.Lock()
        self._starting = threading.Lock()
        self._thread: threading.Thread | None = None

    def config(self) -> WebhookConfig:
        with self.db.transaction() as conn:
            return load_config(conn, self.defaults)

    def record(self, conn: sqlite3.Connection, changes: list[Change]) -> int:
        """Queue events inside the write's own transaction (nothing when webhooks are off)."""
        if not changes or not load_config(conn, self.defaults).active:
            return 0
        return record_changes(conn, changes, now())

    def wake(self) -> None:
        """Call after the transaction that recorded events has committed."""
        with self._starting:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="emulator-webhooks", daemon=True)
                self._thread.start()
        self._wakeup.set()

    def _run(self) -> None:
        timeout: float | None = None
        while True:
            self._wakeup.wait(timeout)
            self._wakeup.clear()
            try:
                _, retry_at = self.deliver_due()
            except Exception:  # noqa: BLE001 - the sender thread must outlive any one bad delivery
                log.exception("Webhook delivery failed")
                retry_at = now() + RETRY_DELAYS[-1]
            timeout = None if retry_at is None else max(0.05, retry_at - now())

    def deliver_due(self, force: bool = False) -> tuple[list[Delivery], float | None]:
        """Send what is due (held events too when forced); the deliveries made and when to try again."""
        made: list[Delivery] = []
        with self._draining:
            while True:
                with self.db.transaction() as conn:
                    config = load_config(conn, self.defaults)
                    events = due_events(conn, now(), EVENTS_PER_DELIVERY) if force or not config.hold else []
                    if not config.active or not events:
                        retry_at = next_attempt_at(conn) if config.active and not config.hold else None
                        return made, retry_at
                body = (cloudevents_body if config.format == "cloudevents" else legacy_body)(events)
                status, error = self._send(config.url, body, signature(config.verifier_token, body))
                delivery = self._settle(config, body, events, status, error)
                made.append(delivery)
                if not delivery.ok:
                    with self.db.transaction() as conn:
                        return made, next_attempt_at(conn)

    def _settle(self, config: WebhookConfig, body: bytes, events, status: int | None, error: str) -> Delivery:
        with self.db.transaction() as conn:
            delivery_id = log_delivery(conn, now(), config.url, config.format, body, status, error)
            delivery = Delivery(delivery_id, status, error, len(events))
            attempt = min(event.attempts for event in events)
            retry_at = now() + RETRY_DELAYS[attempt] if attempt < len(RETRY_DELAYS) else None
            settle(conn, events, delivery.ok, retry_at)
        if not delivery.ok:
            log.warning("Webhook delivery to %s failed (%s)%s", config.url, error or status,
                        "" if retry_at else "; events dropped")
        return delivery

    def redeliver(self, delivery_id: int) -> Delivery | None:
        """Send an earlier delivery's exact body again, as Intuit does when it retries (None: no such delivery)."""
        with self.db.transaction() as conn:
            config = load_config(conn, self.defaults)
            found = delivered_body(conn, delivery_id)
        if found is None or not config.active:
            return None
        body, fmt = found
        status, error = self._send(config.url, body, signature(config.verifier_token, body))
        with self.db.transaction() as conn:
            new_id = log_delivery(conn, now(), config.url, fmt, body, status, error, redelivery_of=delivery_id)
        return Delivery(new_id, status, error, body_summary(body, fmt)[0])
