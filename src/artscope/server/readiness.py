"""Warm-up when the service starts: load the models and touch the index the way the first requests
would, so that the first visitor waits no longer than the second. ``/health`` reports when it is done.

Models load lazily (a text model on the first text, the style network on the first image), and the
index's segments are read from disk on first use: 16 s for the first search of a started service,
measured before this warm-up. It runs in the heavy pool after the service starts listening, so
``/health`` answers meanwhile; a request that comes before it ends waits for the model it needs
(models load once, under a lock), not for a second load.
"""

from __future__ import annotations

import logging
import time
from typing import Literal

from PIL import Image

from artscope.collection import Collection
from artscope.server.limits import WorkPool
from artscope.tasks.search import SearchRequest, search

log = logging.getLogger(__name__)

WARM_UP_TEXT = "a landscape painting"


class Readiness:
    """``starting`` until the warm-up ends, then ``ready``; ``failed`` when it raised (requests then load
    what they need themselves, and fail with the same error if it persists)."""

    def __init__(self) -> None:
        self.state: Literal["starting", "ready", "failed"] = "starting"

    @property
    def ready(self) -> bool:
        return self.state == "ready"


def warm_up(collection: Collection) -> None:
    """One text search (text models, the index's text and image spaces, BM25) and one image embedded
    (the image models), as the first visitors would."""
    started = time.perf_counter()
    search(collection, SearchRequest(text=WARM_UP_TEXT, limit=1))
    collection.embedder.embed_images([Image.new("RGB", (64, 64), (128, 96, 64))])
    log.info("warmed up in %.1f s: models loaded, index open", time.perf_counter() - started)


async def warm_up_in(pool: WorkPool, collection: Collection, readiness: Readiness) -> None:
    """Run ``warm_up`` in ``pool`` and record the outcome in ``readiness``."""
    try:
        await pool.run(warm_up, collection)
    except Exception:
        log.exception("the warm-up failed; requests will load their models themselves")
        readiness.state = "failed"
    else:
        readiness.state = "ready"
