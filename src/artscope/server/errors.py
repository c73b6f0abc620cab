"""How errors become HTTP answers: every artscope error type has a status, and bad input is never a 500.

Every error body has the same shape (``ErrorBody``): ``detail`` says what went wrong and what to
do, ``error`` names the type so a program can branch on it.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from artscope.errors import (
    ArtscopeError,
    CollectionLockedError,
    EmbedderMismatchError,
    HeadNotTrainedError,
    InvalidInputError,
    ModelNotFoundError,
    NotFoundError,
    UnknownNameError,
)
from artscope.server.protocol import allowed_methods
from artscope.server.redaction import redact

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """The body of every error answer."""

    detail: str | list[dict[str, Any]]
    """What went wrong and what to do (a list of field errors for malformed requests)."""
    error: str
    """The error type, e.g. ``NotFoundError``, ``HeadNotTrainedError``, ``ValidationError``."""


class ServiceError(ArtscopeError):
    """An error raised by the service itself, with its HTTP status."""

    status_code = 400


class RequestTimeoutError(ServiceError):
    """Heavy work that ran past the request timeout."""

    status_code = 504


class NotWritableError(ServiceError):
    """A write to a service started without a token."""

    status_code = 403


class RateLimitedError(ServiceError):
    """A client past its rate limit; ``Retry-After`` says when to try again."""

    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


# Most specific first: the first matching type sets the status.
_STATUS: tuple[tuple[type[ArtscopeError], int], ...] = (
    (NotFoundError, 404),
    (InvalidInputError, 422),
    (UnknownNameError, 422),
    (HeadNotTrainedError, 409),
    (EmbedderMismatchError, 409),
    (CollectionLockedError, 503),
    (ModelNotFoundError, 503),
)
_DESCRIPTIONS = {
    400: "A body that cannot be parsed (not UTF-8, a broken multipart form)",
    401: "Missing or wrong bearer token",
    403: "The service is read-only (no token configured)",
    404: "No such artwork, image, job, session or upload",
    409: "Not possible in the collection's current state (e.g. a head is not trained yet)",
    405: "The path exists but not with this method (``Allow`` lists the methods it has)",
    413: "The request body is larger than the upload limit",
    422: "Invalid input: a malformed request, an unreadable image, an unknown filter field",
    429: "Too many requests from this client (``Retry-After`` says in how many seconds to try again)",
    503: "The service cannot do this now (a model is missing, the index is owned by another process)",
    504: "The work took longer than the request timeout",
}


def status_of(exc: ArtscopeError) -> int:
    if isinstance(exc, ServiceError):
        return exc.status_code
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 400


_HEADERS = {
    401: {"WWW-Authenticate": {"description": "The scheme to authenticate with (`Bearer`)", "required": True,
                               "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds until the client may try again", "required": True,
                          "schema": {"type": "integer", "minimum": 1}}},
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of a route (for ``responses=`` in the OpenAPI schema)."""
    return {code: {"model": ErrorBody, "description": _DESCRIPTIONS[code]}
            | ({"headers": _HEADERS[code]} if code in _HEADERS else {}) for code in codes}


def error_response(status: int, detail: Any, error: str,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorBody(detail=detail, error=error).model_dump()
    return JSONResponse(body, status_code=status, headers=headers)


def shown_message(exc: ArtscopeError, request: Request) -> str:
    """An error's message as the API may show it: without server paths."""
    state = getattr(request.app.state, "artscope", None)
    return redact(str(exc), state.config.ingest_root if state is not None else None)


async def _artscope_error(request: Request, exc: ArtscopeError) -> JSONResponse:
    return error_response(status_of(exc), shown_message(exc, request), type(exc).__name__,
                          headers=getattr(exc, "headers", None))


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    names = {401: "AuthenticationError", 404: "NotFoundError", 405: "MethodNotAllowed",
             413: "UploadTooLargeError"}
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # the framework names only the first route's methods
        headers["Allow"] = ", ".join(allowed_methods(request.app, request.scope))
        detail = f"{request.method} is not served at {request.url.path}; it answers {headers['Allow']}."
    else:
        detail = str(exc.detail)
    return error_response(exc.status_code, detail, names.get(exc.status_code, "HTTPError"), headers=headers)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # the input echoed back may be bytes or huge; the location and message are what a caller needs
    details = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
               for e in exc.errors()]
    if any(d["type"] == "json_invalid" for d in details):  # not a request at all: it cannot be parsed
        return error_response(400, "The body is not valid JSON; send a JSON object (Content-Type: "
                                   "application/json).", "HTTPError")
    return error_response(422, details, "ValidationError")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error in %s %s", request.method, request.url.path)
    return error_response(500, "Internal error; the service log has the details.", "InternalError")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ArtscopeError, _artscope_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
