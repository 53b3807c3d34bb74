"""The job queue: huey on SQLite in instance/ (the embedded default), and how its tasks reach the Flask app.

The consumer runs `huey_consumer app.huey`; app.py binds its factory here, so a task builds the app once per
process. A task called inside an app context (huey's immediate mode in tests) uses that app instead.
"""
from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import Flask, has_app_context
from huey import SqliteHuey

INSTANCE = Path(__file__).resolve().parents[2] / "instance"


def _jobs_database() -> str:
    path = os.environ.get("INBUILD_JOBS_DATABASE") or str(INSTANCE / "jobs.sqlite3")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return path


huey = SqliteHuey("inbuild", filename=_jobs_database())
_factory: Callable[[], Flask] | None = None
_app: Flask | None = None
_app_lock = threading.Lock()  # consumer threads start together: build one app, not one each


def bind_app_factory(factory: Callable[[], Flask]) -> None:
    global _factory
    _factory = factory


@contextlib.contextmanager
def app_context() -> Iterator[None]:
    """The current app context, or one of this process's app (built on first use)."""
    global _app
    if has_app_context():
        yield
        return
    with _app_lock:
        if _app is None:
            if _factory is None:
                raise RuntimeError("No app factory bound: start the consumer as `huey_consumer app.huey`.")
            _app = _factory()
    with _app.app_context():
        yield
