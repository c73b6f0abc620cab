"""What the running service holds (the open collection, which this process owns, the config, the upload
store, the job runner, the worker pools and the rate limiter), and who may do what."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from artscope.collection import Collection
from artscope.server.config import ServerConfig
from artscope.server.errors import NotWritableError
from artscope.server.limits import WorkPool
from artscope.server.uploads import UploadStore

if TYPE_CHECKING:
    from artscope.server.jobs import JobRunner
    from artscope.server.ratelimit import RateLimiter
    from artscope.server.readiness import Readiness


@dataclass
class ServerState:
    collection: Collection
    config: ServerConfig
    uploads: UploadStore
    jobs: JobRunner
    heavy: WorkPool
    """Embedding images, scoring, answering: a few at a time."""
    light: WorkPool
    """Text search and other quick reads: threads of their own, so heavy work never queues them."""
    rate: RateLimiter
    readiness: Readiness
    """Whether the start-up warm-up (models loaded, index touched) is done."""


async def get_state(request: Request) -> ServerState:
    """The service's state (set up by the app's lifespan). A coroutine, as every dependency here: FastAPI
    runs a plain function dependency on a thread of its pool, one hop more for each request."""
    state = getattr(request.app.state, "artscope", None)
    if state is None:
        raise HTTPException(503, "The service is starting or stopping; try again in a moment.")
    return state


bearer = HTTPBearer(auto_error=False, scheme_name="token",
                    description="A write token of the service (ARTSCOPE_TOKEN, or a line of ARTSCOPE_TOKEN_FILE).")


def token_name(credentials: HTTPAuthorizationCredentials | None, config: ServerConfig) -> str:
    """The name of the token sent (what the audit log records); 401 when none or a wrong one is sent."""
    if credentials is None:
        raise HTTPException(401, "This needs the service's token: send 'Authorization: Bearer <token>'.",
                            headers={"WWW-Authenticate": "Bearer"})
    sent = credentials.credentials.encode()
    found = None
    for token, name in config.names_by_token().items():  # compare with every token: the time tells nothing
        if hmac.compare_digest(sent, token.encode()):
            found = name
    if found is None:
        raise HTTPException(401, "The bearer token is wrong; send a token the service was started with.",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return found


async def require_write(state: ServerState = Depends(get_state),
                        credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
    """Writes need a token; returns its name. A service started without one refuses them all."""
    if not state.config.writable:
        raise NotWritableError("This service is read-only: it was started without a write token. Restart it "
                               "with ARTSCOPE_TOKEN or --token-file FILE to allow writes.")
    return token_name(credentials, state.config)


async def require_read(request: Request, state: ServerState = Depends(get_state)) -> None:
    """Reads are public unless the service was started with ``public_reads=False``. (The bearer scheme
    is not a dependency here, so the schema does not mark public reads as secured; ``create_app``
    marks them when reads are private.)"""
    if state.config.public_reads or not state.config.writable:  # a private service always has a token
        return
    token_name(await bearer(request), state.config)


async def is_curator(request: Request, state: ServerState = Depends(get_state)) -> bool:
    """Whether the request carries a right token (it then sees jobs in full). A wrong token is a 401,
    as is no token where reads are private."""
    credentials = await bearer(request)
    if credentials is None and state.config.public_reads:
        return False
    token_name(credentials, state.config)
    return True
