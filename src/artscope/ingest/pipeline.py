"""Ingest: sources -> catalog rows -> vectors in the index, in atomic, resumable batches.

Each batch is written to the catalog in one transaction with its rows marked ``pending``; the
vectors are then upserted (one all-or-nothing call per space) and the rows marked ``indexed``.
A process killed anywhere leaves rows ``pending``, which the next ingest (or ``artscope index
--resume``) embeds first: no artwork is ever half-indexed without the catalog saying so.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image
from pydantic import BaseModel, Field

from artscope.catalog import UpsertStatus
from artscope.config import get_settings
from artscope.errors import ArtscopeError, ImageLoadError
from artscope.ingest.indexer import index_pending
from artscope.ingest.sources.base import CollectionAware, SourceItem, SourceOptions, open_source
from artscope.media.fetch import is_url
from artscope.media.images import content_hash, decode_with_size, dhash, read_bytes
from artscope.types import ImageView

if TYPE_CHECKING:
    from artscope.collection import Collection

log = logging.getLogger(__name__)

DECODE_SIZE = 512
"""Images are decoded at about this size (JPEG draft mode): enough for every embedder's input."""

Progress = Callable[[int, int | None], None]


class ItemError(BaseModel):
    key: str
    error: str


class IngestSummary(BaseModel):
    job_id: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: int = 0
    passages: int = 0
    images_indexed: int = 0
    seconds: float = 0.0
    errors: list[ItemError] = Field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return self.model_dump(include={"added", "updated", "unchanged", "duplicates", "failed", "passages",
                                        "images_indexed"})


@dataclass
class _LoadedImage:
    view: ImageView
    image: Image.Image | None
    error: str | None = None


def _outside(uri: str, root: Path | None) -> bool:
    """True for a local file that is not inside ``root`` (links and ``..`` resolved first)."""
    if root is None or is_url(uri):
        return False
    path = Path(uri.removeprefix("file://")).resolve()
    return not path.is_relative_to(root.resolve())


def _load_view(view: ImageView, root: Path | None = None) -> _LoadedImage:
    """Read, hash and decode one image (runs in a worker thread: decoding releases the GIL)."""
    if _outside(view.uri, root):
        return _LoadedImage(view, None, f"{view.uri} is outside the ingest root {root}; it was not read.")
    try:
        data = read_bytes(view.uri)
        image, (width, height) = decode_with_size(data, draft_size=DECODE_SIZE, name=view.uri)
    except ImageLoadError as exc:
        return _LoadedImage(view, None, str(exc))
    except Exception as exc:  # PIL raises many types for broken headers
        return _LoadedImage(view, None, f"{view.uri} is not a readable image: {exc}")
    loaded = view.model_copy(update={"content_hash": content_hash(data), "dhash": dhash(image), "width": width,
                                     "height": height})
    return _LoadedImage(loaded, image)


def _batched(items: Iterable[SourceItem], size: int) -> Iterator[list[SourceItem]]:
    batch: list[SourceItem] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Ingester:
    def __init__(self, collection: Collection, job_id: str, progress: Progress | None,
                 cancel: threading.Event | None) -> None:
        self.collection = collection
        self.cancel = cancel
        self.catalog = collection.catalog
        self.job_id = job_id
        self.progress = progress
        self.summary = IngestSummary(job_id=job_id)
        self.images: dict[int, Image.Image] = {}  # view id -> decoded image, until embedded
        self.pool = ThreadPoolExecutor(max_workers=2)

    def fail(self, key: str, error: str) -> None:
        self.summary.failed += 1
        self.summary.errors.append(ItemError(key=key, error=error))
        self.catalog.record_item(self.job_id, key, "failed", error=error)

    def run_source(self, location: str, options: SourceOptions, kind: str | None) -> None:
        source = open_source(location, options, kind)
        if isinstance(source, CollectionAware):
            source.attach(self.collection)
        done = self.catalog.done_items(self.job_id)
        total = len(source)
        seen = 0
        for batch in _batched(source, get_settings().ingest_batch):
            if self.cancel is not None and self.cancel.is_set():
                return
            todo = [item for item in batch if f"{source.name}#{item.key}" not in done]
            self.write_batch(source.name, todo, options.root)
            self.summary.images_indexed += index_pending(self.collection, self.images)
            self.images.clear()
            seen += len(batch)
            self.catalog.update_job_progress(self.job_id, self.summary.counts(), total)
            if self.progress:
                self.progress(seen, total)

    def write_batch(self, source_name: str, items: Sequence[SourceItem], root: Path | None) -> None:
        views = [v for item in items if item.record for v in item.record.views]
        loaded = dict(zip((id(v) for v in views), self.pool.map(lambda v: _load_view(v, root), views), strict=True))
        with self.catalog.transaction():
            for item in items:
                key = f"{source_name}#{item.key}"
                try:
                    self.write_item(source_name, key, item, [loaded[id(v)] for v in
                                                            (item.record.views if item.record else [])])
                except ArtscopeError as exc:
                    self.fail(key, str(exc))

    def write_item(self, source_name: str, key: str, item: SourceItem, images: list[_LoadedImage]) -> None:
        if item.error:
            self.fail(key, item.error)
            return
        for passage in item.passages:
            _, status = self.catalog.upsert_passage(passage)
            self.summary.passages += status != UpsertStatus.UNCHANGED
        if item.record is None:
            self.catalog.record_item(self.job_id, key, "passages")
            return
        good = [x for x in images if x.image is not None]
        errors = [x.error for x in images if x.error]
        if images and not good:
            self.fail(key, "; ".join(e for e in errors if e))
            return
        known = [self.catalog.view_by_hash(x.view.content_hash) for x in good]
        owners = {k[1] for k in known if k}
        if good and all(known) and item.record.id not in owners:
            # every image is already in the collection under another artwork: a second source of it
            owner = self.catalog.rowid_of(sorted(owners)[0])
            self.catalog.add_source(owner, source_name, item.key, good[0].view.uri)
            self.summary.duplicates += 1
            self.catalog.record_item(self.job_id, key, "duplicate", artwork_id=sorted(owners)[0])
            return
        rowid, status = self.catalog.upsert_artwork(item.record)
        self.catalog.add_source(rowid, source_name, item.key, item.record.views[0].uri if item.record.views
                                else None)
        for loaded in good:
            view_id, new = self.catalog.add_view(rowid, loaded.view)
            if new:
                self.images[view_id] = loaded.image
        setattr(self.summary, status.value, getattr(self.summary, status.value) + 1)
        self.catalog.record_item(self.job_id, key, status.value, artwork_id=item.record.id,
                                 error="; ".join(e for e in errors if e) or None)


def ingest(collection: Collection, locations: Sequence[str], options: SourceOptions | None = None,
           kind: str | None = None, job_id: str | None = None, progress: Progress | None = None,
           cancel: threading.Event | None = None) -> IngestSummary:
    """Add sources to a collection. Giving the ``job_id`` of an interrupted run resumes it; setting
    ``cancel`` stops it between batches (what was written stays, and the job can be resumed)."""
    options = options or SourceOptions()
    job_id = job_id or uuid.uuid4().hex[:12]
    start = time.perf_counter()
    catalog = collection.catalog
    catalog.start_job(job_id, "ingest", {"locations": list(locations), "kind": kind,
                                         "options": options.model_dump(mode="json")})
    ingester = _Ingester(collection, job_id, progress, cancel)
    try:
        ingester.summary.images_indexed += index_pending(collection, {})  # leftovers of a killed run
        for location in locations:
            ingester.run_source(location, options, kind)
    except BaseException as exc:
        state = "cancelled" if isinstance(exc, KeyboardInterrupt) else "failed"
        catalog.finish_job(job_id, state, ingester.summary.counts(), message=str(exc) or type(exc).__name__)
        raise
    finally:
        ingester.pool.shutdown()
    ingester.summary.seconds = round(time.perf_counter() - start, 3)
    cancelled = cancel is not None and cancel.is_set()
    catalog.finish_job(job_id, "cancelled" if cancelled else "done", ingester.summary.counts())
    return ingester.summary
