"""Per-client rate limits (the ``limits`` library, a moving window in memory): every API request counts
against ``rate_limit``, heavy ones also against ``heavy_rate_limit``. Past a limit: 429 with Retry-After."""

from __future__ import annotations

import math
import time

from fastapi import Depends, Request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from artscope.server.errors import RateLimitedError
from artscope.server.state import ServerState, get_state


class RateLimiter:
    """The service's two limits, per client address."""

    def __init__(self, light: str | None, heavy: str | None) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._limits: dict[str, list[RateLimitItem]] = {"light": parse_many(light) if light else [],
                                                         "heavy": parse_many(heavy) if heavy else []}

    def hit(self, client: str, kind: str) -> None:
        """Count one request of ``kind`` (``light`` or ``heavy``); ``RateLimitedError`` past a limit."""
        for item in self._limits[kind]:
            if not self._limiter.hit(item, kind, client):
                reset = self._limiter.get_window_stats(item, kind, client).reset_time
                retry = max(1, math.ceil(reset - time.time()))
                what = "heavy requests (image search, uploads, describe, score, ask, jobs)" if kind == "heavy" \
                    else "requests"
                raise RateLimitedError(
                    f"Too many {what} from this client: the limit is {item}. Try again in {retry} s (or raise "
                    f"ARTSCOPE_{'HEAVY_' if kind == 'heavy' else ''}RATE_LIMIT where the service runs).",
                    retry_after=retry)


def client_of(request: Request) -> str:
    """The client's address (behind a proxy, what uvicorn's ``--forwarded-allow-ips`` made of it)."""
    return request.client.host if request.client else "unknown"


async def limit_requests(request: Request, state: ServerState = Depends(get_state)) -> None:
    """Every API request counts against the per-client limit."""
    state.rate.hit(client_of(request), "light")


async def limit_heavy(request: Request, state: ServerState = Depends(get_state)) -> None:
    """Heavy requests also count against the heavy limit."""
    state.rate.hit(client_of(request), "heavy")
