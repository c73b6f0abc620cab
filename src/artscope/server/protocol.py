"""HTTP details the framework leaves open: ``HEAD`` wherever ``GET`` is served, an ``Allow`` header on
405 answers that lists every method of the path, and the security headers of every answer (a looser
style policy for the API documentation page, which Swagger UI styles inline)."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (b"default-src 'self'; img-src 'self' data: blob:; object-src 'none'; frame-ancestors 'none'; "
               b"base-uri 'none'; form-action 'self'")
DOCS_POLICY = (b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
               b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
"""With the content security policy: the page loads nothing from elsewhere, even if a record carries markup."""


def swagger_assets() -> Path:
    """Swagger UI's files, as the ``fastapi-offline`` package ships them (no CDN)."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def allowed_methods(app: ASGIApp, scope: Scope) -> list[str]:
    """Every method some route serves at the request's path (``HEAD`` wherever ``GET`` is): each method is
    tried against the routes as the router would (included routers answer for their own routes)."""
    routes = getattr(app, "routes", [])
    methods = [method for method in METHODS
               if any(route.matches({**scope, "method": method})[0] == Match.FULL for route in routes)]
    if "GET" in methods and "HEAD" not in methods:
        methods.insert(methods.index("GET") + 1, "HEAD")
    return methods


class HeadAsGetMiddleware:
    """Answers ``HEAD`` like ``GET``, with the same headers and no body (FastAPI routes take only the
    methods they name)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body"):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class SecurityHeadersMiddleware:
    """Adds the security headers and the content security policy to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"] == "/docs" else PAGE_POLICY

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS,
                                      (b"content-security-policy", policy)]
            await send(message)

        await self.app(scope, receive, with_headers)
