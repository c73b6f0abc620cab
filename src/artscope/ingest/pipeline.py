"""Ingest: sources -> catalog rows -> vectors in the index, in atomic, resumable batches.

Every source is opened (and its format checked) before anything is written, so that a typing
error in a path changes nothing. Items are then written to the catalog in batches, one transaction
each, with their rows marked ``pending`` (see ``writer``); the vectors are upserted (one
all-or-nothing call per space) and the rows marked ``indexed``. A process killed anywhere leaves
rows ``pending``, which the next ingest (or ``artscope index --resume``) embeds first: no artwork is
ever half-indexed without the catalog saying so.

Batches start small and double (1, 2, 4, ... images, or 32, 64, ... records without images), so
that a run that is killed again and again still keeps something each time. Records without images
go at catalogue speed; their text vectors are computed in batches after each catalogue batch, or
later (``embed=False``, then ``artscope embed``).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from artscope.config import get_settings
from artscope.errors import CollectionError
from artscope.ingest.indexer import ahead_of, index_pending
from artscope.ingest.sources.base import CollectionAware, Source, SourceItem, SourceOptions, open_source
from artscope.ingest.sources.records import ID, target_of
from artscope.ingest.stages import Ahead, AheadVectors, ImageStage, open_stage
from artscope.ingest.writer import ItemError, ItemWriter, SourcePass, source_pass, views_of
from artscope.types import ImageView

if TYPE_CHECKING:
    from artscope.collection import Collection

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
RECORDS_PER_IMAGE = 32
"""A batch holds as many records without images as it would hold images, times this."""
MAX_BATCH_ITEMS = 1024

__all__ = ["IngestSummary", "ItemError", "Progress", "ingest"]


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
    warnings: list[ItemError] = Field(default_factory=list)
    """Items stored with a problem: images not read yet, an id scoped by its source, years turned round."""

    def counts(self) -> dict[str, int]:
        counts = self.model_dump(include={"added", "updated", "unchanged", "duplicates", "failed", "passages",
                                          "images_indexed"})
        return counts | {"warnings": len(self.warnings)}


def batches(items: Iterable[SourceItem], image_limit: int) -> Iterator[list[SourceItem]]:
    """Consecutive items, in batches whose size doubles from one image (or 32 records without images)
    up to ``image_limit`` images (or ``MAX_BATCH_ITEMS`` items)."""
    size, batch, images = 1, [], 0
    for item in items:
        batch.append(item)
        images += len(item.record.views) if item.record and not item.error else 0
        if images >= size or len(batch) >= min(size * RECORDS_PER_IMAGE, MAX_BATCH_ITEMS):
            yield batch
            size, batch, images = min(size * 2, max(image_limit, 1)), [], 0
    if batch:
        yield batch


def _ids_mapped(options: SourceOptions) -> bool:
    return any(target == ID or target_of(target) == ID for target in options.mapping.values())


class _Run:
    def __init__(self, collection: Collection, job_id: str, options: SourceOptions, embed: bool,
                 progress: Progress | None, cancel: threading.Event | None) -> None:
        self.collection = collection
        self.catalog = collection.catalog
        self.job_id = job_id
        self.options = options
        self.embed = embed
        self.progress = progress
        self.cancel = cancel
        self.summary = IngestSummary(job_id=job_id)
        self.writer = ItemWriter(collection, job_id, self.summary, _ids_mapped(options))

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def index(self, start_small: bool = False, ahead: AheadVectors | None = None) -> None:
        if self.embed:
            self.summary.images_indexed += index_pending(self.collection, self.writer.images, start_small, ahead)
        self.writer.images.clear()

    def run_source(self, location: str, source: Source, total: int, stage: ImageStage) -> None:
        done = self.catalog.done_items(self.job_id)
        seen = source_pass(source.name, location, bool(getattr(source, "global_ids", False)))

        def todo() -> Iterator[tuple[tuple[int, list[SourceItem]], list[ImageView], Ahead]]:
            for batch in batches(source, get_settings().ingest_batch):
                if self.cancelled():
                    return
                items = [item for item in map(lambda i: _checked_once(i, seen), batch)
                         if f"{source.name}#{item.key}" not in done]
                ahead = ahead_of(self.catalog, items) if stage.embeds_ahead else Ahead()
                yield (len(batch), items), views_of(items), ahead

        count = 0
        for (size, items), images, ahead in stage.stream(todo(), self.options.root):
            self.writer.write_batch(seen, items, images)
            self.index(ahead=ahead)
            count += size
            self.catalog.update_job_progress(self.job_id, self.summary.counts(), total)
            if self.progress:
                self.progress(count, total)


def _checked_once(item: SourceItem, seen: SourcePass) -> SourceItem:
    """The item, or its error when an earlier item of the same source gave its key or its id (the
    first one is kept, so every run keeps the same one)."""
    record_id = item.record.id if item.record and not item.error else None
    if item.key in seen.keys or (record_id is not None and record_id in seen.ids):
        first = seen.ids.get(record_id or "", item.key)
        seen.repeats[item.key] += 1
        return SourceItem(key=f"{item.key} (repeat {seen.repeats[item.key]})", error=(
            f"{seen.name}: {item.key}: id {record_id or item.key!r} was already given by item {first!r} of this "
            "source; the first one is kept"))
    seen.keys.add(item.key)
    if record_id is not None:
        seen.ids[record_id] = item.key
    return item


def _open_all(collection: Collection, locations: Sequence[str], options: SourceOptions, kind: str | None
              ) -> tuple[list[tuple[str, Source]], list[int]]:
    """Open every source and count its items before anything is written: a wrong format stops here."""
    opened = [(location, open_source(location, options, kind)) for location in locations]
    for _, source in opened:
        if isinstance(source, CollectionAware):
            source.attach(collection)
    return opened, [len(source) for _, source in opened]


def ingest(collection: Collection, locations: Sequence[str], options: SourceOptions | None = None,
           kind: str | None = None, job_id: str | None = None, progress: Progress | None = None,
           cancel: threading.Event | None = None, embed: bool = True, workers: int | None = None,
           ray: str | None = None) -> IngestSummary:
    """Add sources to a collection. Giving the ``job_id`` of an interrupted run resumes it; setting
    ``cancel`` stops it between batches (what was written stays, and the job can be resumed);
    ``embed=False`` leaves the new rows pending (``artscope embed`` computes their vectors later).
    ``workers`` processes read, decode and embed the images (default: ``ingest_workers``); ``ray``
    names a Ray cluster (an address, ``auto`` or ``local``) whose workers do it instead."""
    options = options or SourceOptions()
    if collection.manifest.reembedding is not None:
        raise CollectionError(
            f"{collection.path} is being re-embedded with {collection.manifest.reembedding.embedder.spec!r}; "
            f"finish that first: artscope embed -c {collection.path} --embedder "
            f"{collection.manifest.reembedding.embedder.spec}")
    try:
        opened, totals = _open_all(collection, locations, options, kind)
    except Exception as exc:  # nothing was written; a job row made by the caller (the server) says why
        if job_id is not None:
            collection.catalog.finish_job(job_id, "failed", {}, message=str(exc))
        raise
    job_id = job_id or uuid.uuid4().hex[:12]
    start = time.perf_counter()
    catalog = collection.catalog
    catalog.start_job(job_id, "ingest", {"locations": list(locations), "kind": kind,
                                         "options": options.model_dump(mode="json")})
    run = _Run(collection, job_id, options, embed, progress, cancel)
    stage = open_stage(collection, sum(totals), workers, ray, embed)
    try:
        run.index(start_small=True)  # leftovers of a killed run
        for (location, source), total in zip(opened, totals, strict=True):
            run.run_source(location, source, total, stage)
    except BaseException as exc:
        state = "cancelled" if isinstance(exc, KeyboardInterrupt) else "failed"
        catalog.finish_job(job_id, state, run.summary.counts(), message=str(exc) or type(exc).__name__)
        raise
    finally:
        stage.close()
    run.summary.seconds = round(time.perf_counter() - start, 3)
    catalog.finish_job(job_id, "cancelled" if run.cancelled() else "done", run.summary.counts())
    return run.summary
