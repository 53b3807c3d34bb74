"""Run a WSGI app on a free loopback port in a background thread, for tests."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, make_server


@dataclass
class LiveServer:
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def reserve_server() -> BaseWSGIServer:
    """Bind a threaded server to a free port before its app exists (so the app can know its URL)."""
    return make_server("127.0.0.1", 0, _not_ready, threaded=True)


def start_server(server: BaseWSGIServer, app) -> LiveServer:
    server.app = app
    # shutdown() waits for the loop's next poll: every stop() cost up to socketserver's default 0.5 s.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return LiveServer(server, thread)


def serve(app) -> LiveServer:
    return start_server(reserve_server(), app)


def _not_ready(environ, start_response):
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"not ready"]
