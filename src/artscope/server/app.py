"""The FastAPI service: one process owns one collection (its embedded index admits one process), serves
the JSON API under ``/api`` (``/health``, ``/meta`` and ArtiMuse's ``/infer`` at the root) and the web
page at ``/`` with its assets under ``/static``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import artscope
from artscope import __version__
from artscope.collection import Collection
from artscope.errors import InvalidInputError
from artscope.manifest import Manifest
from artscope.server.config import ServerConfig
from artscope.server.errors import install_error_handlers
from artscope.server.jobs import JobRunner
from artscope.server.limits import BodyLimitMiddleware, HeavyWork
from artscope.server.routes import artworks, iiif, jobs, meta, search, tasks
from artscope.server.state import ServerState
from artscope.server.uploads import UploadStore

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).parent / "web"
SHUTDOWN_WAIT_S = 60.0
"""How long a stopping service waits for requests' work (timed-out work included) before closing."""
DESCRIPTION = """Search, describe, score and ask about the artworks of one collection.

Reads are public unless the service was started private; writes (jobs) need
`Authorization: Bearer <token>`. Query images are uploaded once (`POST /api/uploads`) and used by
their `id`. Errors have the body `{"detail": ..., "error": <type>}`.
"""
# The page loads nothing from elsewhere; this keeps it so even if a record carries markup.
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data: blob:; object-src 'none'; "
                                 b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
]


def create_app(collection_path: str | Path, config: ServerConfig | None = None) -> FastAPI:
    """The service for the collection at ``collection_path``. Its index is opened when the app starts
    (lifespan) and closed when it stops; ``config`` defaults to the ``ARTSCOPE_*`` settings."""
    config = config or ServerConfig.from_settings()
    if not config.public_reads and not config.token:
        raise InvalidInputError("A service with private reads needs a token; set ARTSCOPE_TOKEN or "
                                "--token-file.")
    path = Path(collection_path)
    Manifest.read(path)  # not a collection: say so now, not at the first request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        collection = await run_in_threadpool(_open, path)
        heavy = HeavyWork(config.workers, config.request_timeout_s)
        state = ServerState(collection=collection, config=config, uploads=UploadStore(),
                            jobs=JobRunner(collection, config.ingest_root), heavy=heavy)
        app.state.artscope = state
        log.info("serving %s (%s artworks)", path, collection.catalog.count())
        try:
            yield
        finally:
            app.state.artscope = None
            await run_in_threadpool(state.jobs.shutdown)
            if not await run_in_threadpool(heavy.drain, SHUTDOWN_WAIT_S):
                log.warning("work still running after %s s; closing the collection anyway", SHUTDOWN_WAIT_S)
            await run_in_threadpool(collection.close)

    app = FastAPI(title="artscope", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # their pages load scripts from a CDN: the schema is enough
    app.state.artscope = None
    install_error_handlers(app)
    for router in (meta.router, search.router, artworks.router, tasks.router, jobs.router):
        app.include_router(router)
    app.include_router(iiif.router)
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    app.add_middleware(BodyLimitMiddleware, max_bytes=config.max_upload_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    if not config.public_reads:
        _document_private_reads(app)
    return app


def _document_private_reads(app: FastAPI) -> None:
    """Mark every operation but ``/health`` as needing the token in the OpenAPI schema."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        for path, operations in schema["paths"].items():
            for operation in operations.values() if path != "/health" else ():
                operation.setdefault("security", [{"token": []}])
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _open(path: Path) -> Collection:
    """Open the collection, its index (from now on this process owns it) and its embedder (a missing
    model fails the start, not the first request)."""
    collection = artscope.open(path)
    try:
        collection.index  # noqa: B018
        collection.embedder  # noqa: B018
    except BaseException:
        collection.close()
        raise
    return collection


class SecurityHeadersMiddleware:
    """Adds ``SECURITY_HEADERS`` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
