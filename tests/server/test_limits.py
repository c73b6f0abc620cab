"""The limits: the body cap stops reading at the limit, heavy work past the timeout answers 504."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from artscope.server import ServerConfig, create_app
from artscope.server.errors import RequestTimeoutError
from artscope.server.limits import BodyLimitMiddleware, WorkPool

from .conftest import UNLIMITED

CHUNK = 10_000


async def _reading_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Reads the whole body (as a form parser would), then answers 200."""
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def _call(headers: list[tuple[bytes, bytes]], chunks: int) -> tuple[int, int, bytes]:
    """(status, chunks the app pulled from the client, body) for a body of ``chunks`` chunks."""
    pulled = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": pulled < chunks}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    anyio.run(BodyLimitMiddleware(_reading_app, max_bytes=5 * CHUNK), scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], pulled, body


def test_a_chunked_body_is_cut_off_right_after_the_limit() -> None:
    status, pulled, body = _call([], chunks=1000)
    assert status == 413 and pulled == 6
    assert b"UploadTooLargeError" in body


def test_a_declared_oversize_is_refused_without_reading() -> None:
    status, pulled, _ = _call([(b"content-length", str(1000 * CHUNK).encode())], chunks=1000)
    assert (status, pulled) == (413, 0)


def test_a_lying_content_length_does_not_help() -> None:
    status, pulled, _ = _call([(b"content-length", b"10")], chunks=1000)
    assert (status, pulled) == (413, 6)


def test_bodies_within_the_limit_pass() -> None:
    assert _call([], chunks=5)[:2] == (200, 5)


def test_heavy_work_past_the_timeout_is_a_504() -> None:
    async def main() -> None:
        heavy = WorkPool(threads=1, timeout_s=0.05)
        assert await heavy.run(sum, [1, 2]) == 3
        started = time.perf_counter()
        with pytest.raises(RequestTimeoutError, match=r"longer than 0\.05 s"):
            await heavy.run(time.sleep, 1.0)
        assert time.perf_counter() - started < 0.5  # abandoned, not waited for
        assert not heavy.drain(0.01)  # ... but still running, so the collection stays open
        assert heavy.drain(5.0)

    anyio.run(main)
    assert RequestTimeoutError.status_code == 504


def test_a_request_past_the_timeout_answers_504(collection_dir: Path) -> None:
    app = create_app(collection_dir, ServerConfig(request_timeout_s=0.001, **UNLIMITED))
    with TestClient(app) as client:
        response = client.post("/api/search", json={"text": "a landscape painted in red"})
        assert response.status_code == 504
        assert response.json()["error"] == "RequestTimeoutError"
        assert client.get("/health").status_code == 200  # the service itself carries on
