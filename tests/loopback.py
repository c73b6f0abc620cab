"""Real HTTP servers on loopback addresses for the tests that fetch: each records how many requests it got."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Recorder(BaseHTTPRequestHandler):
    """Answers ``body``, or redirects to ``location``; counts the requests it got."""

    def __init__(self, *args: Any, site: dict[str, Any], **kwargs: Any) -> None:
        self.site = site
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        self.site["requests"] += 1
        if self.site.get("location"):
            self.send_response(302)
            self.send_header("Location", self.site["location"])
            self.end_headers()
            return
        body = self.site["body"]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(host: str, port: int = 0, body: bytes = b"ok", location: str | None = None) -> Iterator[dict]:
    """A real HTTP server on ``host``; yields its record (``port``, ``requests``, ``url``)."""
    site: dict[str, Any] = {"requests": 0, "body": body, "location": location}
    server = ThreadingHTTPServer((host, port), partial(Recorder, site=site))
    site["port"] = server.server_address[1]
    site["url"] = f"http://{host}:{site['port']}/"
    thread = threading.Thread(target=partial(server.serve_forever, poll_interval=0.05), daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
