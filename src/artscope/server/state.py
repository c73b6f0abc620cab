"""What the running service holds: the open collection (this process owns its index), the config,
the upload store, the ingest job runner and the pool for heavy work."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from artscope.collection import Collection
from artscope.server.config import ServerConfig
from artscope.server.errors import NotWritableError
from artscope.server.jobs import JobRunner
from artscope.server.limits import HeavyWork
from artscope.server.uploads import UploadStore


@dataclass
class ServerState:
    collection: Collection
    config: ServerConfig
    uploads: UploadStore
    jobs: JobRunner
    heavy: HeavyWork


def get_state(request: Request) -> ServerState:
    """The service's state (set up by the app's lifespan)."""
    state = getattr(request.app.state, "artscope", None)
    if state is None:
        raise HTTPException(503, "The service is starting or stopping; try again in a moment.")
    return state


bearer = HTTPBearer(auto_error=False, scheme_name="token",
                    description="The service's write token (ARTSCOPE_TOKEN or ARTSCOPE_TOKEN_FILE).")


def _check_token(credentials: HTTPAuthorizationCredentials | None, token: str) -> None:
    if credentials is None:
        raise HTTPException(401, "This needs the service's token: send 'Authorization: Bearer <token>'.",
                            headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(credentials.credentials.encode(), token.encode()):
        raise HTTPException(401, "The bearer token is wrong; send the token the service was started with.",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def require_write(state: ServerState = Depends(get_state),
                  credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
    """Writes need the token; a service started without one refuses them all."""
    if not state.config.token:
        raise NotWritableError("This service is read-only: it was started without a write token. Restart it "
                               "with ARTSCOPE_TOKEN or --token-file FILE to allow writes.")
    _check_token(credentials, state.config.token)


async def require_read(request: Request, state: ServerState = Depends(get_state)) -> None:
    """Reads are public unless the service was started with ``public_reads=False``. (The bearer scheme
    is not a dependency here, so the schema does not mark public reads as secured; ``create_app``
    marks them when reads are private.)"""
    if state.config.public_reads or not state.config.token:  # a private service always has a token
        return
    _check_token(await bearer(request), state.config.token)
