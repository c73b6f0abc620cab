"""The FastAPI service: one process owns one collection (its embedded index admits one process), serves
the JSON API under ``/api`` (``/health``, ``/meta`` and ArtiMuse's ``/infer`` at the root), the API's
documentation at ``/docs`` (Swagger UI from the ``fastapi-offline`` package: nothing from a CDN) and
the web page at ``/`` with its assets under ``/static``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

import artscope
from artscope import __version__
from artscope.collection import Collection
from artscope.errors import InvalidInputError
from artscope.manifest import Manifest
from artscope.server.config import ServerConfig
from artscope.server.errors import install_error_handlers
from artscope.server.jobs import JobRunner
from artscope.server.limits import BodyLimitMiddleware, WorkPool
from artscope.server.openapi import install_openapi
from artscope.server.protocol import HeadAsGetMiddleware, SecurityHeadersMiddleware, swagger_assets
from artscope.server.ratelimit import RateLimiter
from artscope.server.readiness import Readiness, warm_up_in
from artscope.server.routes import artworks, curator, iiif, jobs, meta, search, tasks
from artscope.server.state import ServerState
from artscope.server.uploads import UploadStore

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).parent / "web"
SHUTDOWN_WAIT_S = 60.0
"""How long a stopping service waits for requests' work (timed-out work included) before closing."""
DESCRIPTION = """Search, describe, score and ask about the artworks of one collection.

Reads are public unless the service was started private; writes (jobs, curators' edits) need
`Authorization: Bearer <token>`. Query images are uploaded once (`POST /api/uploads`) and used by
their `id`. Errors have the body `{"detail": ..., "error": <type>}`. Every client is rate-limited
(429 with `Retry-After`); heavy requests have a limit of their own.
"""


def create_app(collection_path: str | Path, config: ServerConfig | None = None) -> FastAPI:
    """The service for the collection at ``collection_path``. Its index is opened when the app starts
    (lifespan) and closed when it stops; ``config`` defaults to the ``ARTSCOPE_*`` settings."""
    config = config or ServerConfig.from_settings()
    if not config.public_reads and not config.writable:
        raise InvalidInputError("A service with private reads needs a token; set ARTSCOPE_TOKEN or "
                                "--token-file.")
    path = Path(collection_path)
    Manifest.read(path)  # not a collection: say so now, not at the first request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        collection = await run_in_threadpool(_open, path)
        heavy = WorkPool(config.workers, config.request_timeout_s)
        light = WorkPool(config.workers, config.request_timeout_s)
        state = ServerState(collection=collection, config=config, uploads=UploadStore(),
                            jobs=JobRunner(collection, config.ingest_root), heavy=heavy, light=light,
                            rate=RateLimiter(config.rate_limit, config.heavy_rate_limit), readiness=Readiness())
        app.state.artscope = state
        log.info("serving %s (%s artworks)", path, collection.catalog.count())
        warming = asyncio.create_task(warm_up_in(heavy, collection, state.readiness))
        try:
            yield
        finally:
            app.state.artscope = None
            warming.cancel()
            await run_in_threadpool(state.jobs.shutdown)
            for pool in (heavy, light):
                if not await run_in_threadpool(pool.drain, SHUTDOWN_WAIT_S):
                    log.warning("work still running after %s s; closing the collection anyway", SHUTDOWN_WAIT_S)
            await run_in_threadpool(collection.close)

    app = FastAPI(title="artscope", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # FastAPI's own pages load from a CDN; /docs is ours
    app.state.artscope = None
    install_error_handlers(app)
    for router in (meta.router, search.router, artworks.router, curator.router, tasks.router, jobs.router):
        app.include_router(router)
    app.include_router(iiif.router)
    app.mount("/static/swagger", StaticFiles(directory=swagger_assets()), name="swagger")
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    @app.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(WEB_DIR / "docs.html", headers={"Cache-Control": "no-cache"})

    install_openapi(app, config)
    app.add_middleware(BodyLimitMiddleware, max_bytes=config.max_upload_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(HeadAsGetMiddleware)
    if config.cors_origins:  # outermost, so that refusals (413, 429) carry the CORS headers too
        app.add_middleware(CORSMiddleware, allow_origins=config.cors_origins, allow_credentials=False,
                           allow_methods=["GET", "POST", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"], max_age=600)
    return app


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
