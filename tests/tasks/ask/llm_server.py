"""A scripted OpenAI-compatible chat server on 127.0.0.1, for tests: real HTTP, replies from a script.

Each request to ``/v1/chat/completions`` takes the next scripted reply: text, tool calls, a delay, an
HTTP status or a body that is not JSON. Requests are recorded, so a test can check what the client
sent (the tool results, the error messages for malformed calls). ``stream: true`` gets server-sent
events, the text in pieces and tool-call arguments in fragments, as real servers send them.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted turn of the model."""

    content: str = ""
    tool_calls: list[tuple[str, str | dict[str, Any]]] = field(default_factory=list)
    """(function name, arguments as a JSON string, or as an object the way Ollama's native API sends them)."""
    delay_s: float = 0.0
    status: int = 200
    raw: bytes | None = None
    """A body sent as is (for bodies that are not chat completions)."""


def _message(reply: Reply) -> dict[str, Any]:
    calls = [{"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": args}}
             for i, (name, args) in enumerate(reply.tool_calls)]
    message: dict[str, Any] = {"role": "assistant", "content": reply.content or None}
    if calls:
        message["tool_calls"] = calls
    return message


def _chunks(reply: Reply) -> list[dict[str, Any]]:
    """The reply as streaming chunks: text word by word, each tool call's arguments in two halves."""
    deltas: list[dict[str, Any]] = [{"content": word} for word in reply.content.split(" ") if word]
    deltas = [{"content": d["content"] + (" " if i < len(deltas) - 1 else "")} for i, d in enumerate(deltas)]
    for index, (name, args) in enumerate(reply.tool_calls):
        text = args if isinstance(args, str) else json.dumps(args)
        half = len(text) // 2
        deltas.append({"tool_calls": [{"index": index, "id": f"call_{index}", "type": "function",
                                       "function": {"name": name, "arguments": text[:half]}}]})
        deltas.append({"tool_calls": [{"index": index, "function": {"arguments": text[half:]}}]})
    finishes = [None] * len(deltas) + ["tool_calls" if reply.tool_calls else "stop"]
    return [{"model": "scripted", "choices": [{"index": 0, "delta": d, "finish_reason": f}]}
            for d, f in zip([*deltas, {}], finishes, strict=True)]


class ScriptedLLM:
    """The server; use as a context manager. ``url`` is the API base to give a ``ChatClient``."""

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> ScriptedLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            if not self.replies:
                return Reply(status=500, raw=b'{"error": "the script has no more replies"}')
            return self.replies.pop(0)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                reply = server._next(body, dict(self.headers))
                time.sleep(reply.delay_s)
                try:
                    if reply.raw is not None or reply.status != 200:
                        self._send(reply.status, reply.raw or b"{}")
                    elif body.get("stream"):
                        events = [f"data: {json.dumps(chunk)}\n\n" for chunk in _chunks(reply)]
                        self._send(200, "".join([*events, "data: [DONE]\n\n"]).encode(), "text/event-stream")
                    else:
                        finish = "tool_calls" if reply.tool_calls else "stop"
                        data = {"model": "scripted", "choices": [{"index": 0, "message": _message(reply),
                                                                  "finish_reason": finish}]}
                        self._send(200, json.dumps(data).encode())
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting: expected
                    pass

        return Handler
