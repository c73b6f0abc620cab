"""The service's limits: the request-body cap counted on the stream, and work off the event loop with a
timeout and a bound on how many requests compute at once."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from artscope.server.errors import RequestTimeoutError, error_response

T = TypeVar("T")


class UploadTooLargeError(HTTPException):
    """A request body past the limit (raised while reading the stream)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the {limit:,}-byte limit. Send a smaller "
                              "image (or raise ARTSCOPE_MAX_UPLOAD_BYTES where the service runs).")


class BodyLimitMiddleware:
    """Refuses request bodies over ``max_bytes``: at once when Content-Length says so, and otherwise
    while the body streams in (chunked uploads, lying headers), without reading past the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise UploadTooLargeError(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except UploadTooLargeError:
            if started:  # too late for a status; the connection just ends
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = UploadTooLargeError(self.max_bytes)
        response = error_response(413, error.detail, "UploadTooLargeError", headers={"Connection": "close"})
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class WorkPool:
    """Runs blocking calls (embedding, scoring, searching) in worker threads, at most ``threads`` at a
    time, each abandoned with a 504 after ``timeout_s`` (the event loop keeps serving meanwhile). The
    service has two: heavy work waits in its own pool, so it never delays a light request."""

    def __init__(self, threads: int, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        # created inside the running event loop (the service's lifespan), which it belongs to
        self._limiter = anyio.CapacityLimiter(threads)
        self._running = 0  # calls executing now, abandoned ones included
        self._idle = threading.Condition()

    async def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with anyio.move_on_after(self.timeout_s):
            return await anyio.to_thread.run_sync(functools.partial(self._counted, func, *args, **kwargs),
                                                  abandon_on_cancel=True, limiter=self._limiter)
        raise RequestTimeoutError(
            f"The request took longer than {self.timeout_s:g} s and was abandoned. Ask for less (fewer "
            "results, a smaller image), or raise ARTSCOPE_REQUEST_TIMEOUT_S where the service runs.")

    def _counted(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self._idle:
            self._running += 1
        try:
            return func(*args, **kwargs)
        finally:
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def drain(self, timeout_s: float) -> bool:
        """Wait until no call runs (abandoned ones finish in their threads): the collection must not be
        closed under them. True if all finished in time."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout_s)
