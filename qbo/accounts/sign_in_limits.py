"""Sign-in throttling counters in the app's SQLite database: a storage backend for the `limits` library.

Flask-Limiter keeps its counters through `limits`; its built-in stores are memory (one per process, useless
under several gunicorn workers) or servers such as Redis. This one lets every worker share the counters with
nothing more than the database, under the URI scheme `inbuild-sqlite:///path/to/db.sqlite3`.
"""
from __future__ import annotations

import sqlite3
import threading
import time

from limits.storage import Storage

SCHEME = "inbuild-sqlite"


class SqliteLimitStorage(Storage):
    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions, **options)
        self.path = uri.split("://", 1)[1]
        self._local = threading.local()

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        if getattr(self._local, "conn", None) is None:
            self._local.conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        return self._local.conn

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add to the key's counter in its window, starting a new window when the old one expired."""
        db, now = self._db(), time.time()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("INSERT INTO rate_limit_counters (key, count, expires_at) VALUES (?, ?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET "
                       "count = CASE WHEN expires_at <= ? THEN excluded.count ELSE count + excluded.count END, "
                       "expires_at = CASE WHEN expires_at <= ? THEN excluded.expires_at ELSE expires_at END",
                       [key, amount, now + expiry, now, now])
            count = db.execute("SELECT count FROM rate_limit_counters WHERE key = ?", [key]).fetchone()[0]
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return count

    def get(self, key: str) -> int:
        row = self._db().execute("SELECT count FROM rate_limit_counters WHERE key = ? AND expires_at > ?",
                                 [key, time.time()]).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._db().execute("SELECT expires_at FROM rate_limit_counters WHERE key = ?", [key]).fetchone()
        return row[0] if row else time.time()

    def check(self) -> bool:
        try:
            self._db().execute("SELECT 1 FROM rate_limit_counters LIMIT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._db().execute("DELETE FROM rate_limit_counters").rowcount

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM rate_limit_counters WHERE key = ?", [key])
