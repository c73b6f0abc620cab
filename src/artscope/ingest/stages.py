"""Where an ingest's images are read, hashed, decoded and embedded, while this process writes.

The writer (``writer.ItemWriter``) is always this process: it writes the catalog rows and upserts
the vectors in atomic batches, so resume, consistency and the result are the same whichever stage
did the image work. Three stages give it the images of each batch, in order:

* ``ThreadStage`` — reads and decodes here on two threads; the images are embedded after the batch
  is written (only those new to the collection). One process; what tests and small runs use.
* ``ProcessStage`` — worker processes (``workers``) read, decode *and* embed several batches ahead
  of the writer, each with its own copy of the embedder; more than ``DRIVER_KEEPS_UP_WITH`` of them
  also embed the batch's texts (records', passages') and the images its passages show.
* ``ray_stage.RayStage`` — the same work on the workers of a Ray cluster, through Ray Data.

Workers skip embedding an image whose content hash the collection already had when the run began
(a re-run of a source embeds nothing again); an image that turns out new without vectors is read
again and embedded by the writer, so a skipped image is never lost.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

import numpy as np
from PIL import Image

from artscope.config import get_settings, usable_cores
from artscope.embedders.registry import create_embedder, embedders, parse_spec
from artscope.errors import InvalidInputError
from artscope.ingest.passage_images import PictureSource, embedded_pictures
from artscope.ingest.writer import LoadedImage, load_view
from artscope.media.images import thumbnail_jpeg
from artscope.types import ImageView

if TYPE_CHECKING:
    from artscope.catalog import Catalog
    from artscope.collection import Collection
    from artscope.embedders.base import Embedder

log = logging.getLogger(__name__)

PARALLEL_FROM = 200
"""Runs of fewer items stay in one process (starting workers costs seconds) unless asked otherwise."""
PARALLEL_ABOVE_CORES = 2
"""Machines with this many cores or fewer stay in one process unless asked otherwise: one process
already keeps about 1.6 cores busy (the style network and decoding run on threads of their own), and
on 2 cores two workers ingested at the same rate for 20 % more CPU an image (benchmarks/README.md)."""
DRIVER_KEEPS_UP_WITH = 2
"""Worker processes whose images the writer keeps up with while it embeds the batches' texts (and the images
passages show) itself: about 13 ms of CPU an image against a worker's 30 (benchmarks/README.md). With more,
the writer would hold the run back, so the workers embed those too, each loading the text model for it
(about 10 s of CPU once)."""


def default_workers(items: int, cores: int, rebuildable: bool) -> int:
    """Worker processes for ``workers=0``: one per core for runs of ``PARALLEL_FROM`` items or more on
    machines of more than ``PARALLEL_ABOVE_CORES`` cores, when a worker can build the embedder from its
    spec; else 1 (everything in this process)."""
    return cores if items >= PARALLEL_FROM and cores > PARALLEL_ABOVE_CORES and rebuildable else 1


Tag = TypeVar("Tag")
"""What the caller pairs with each batch of views (the batch of source items they come from)."""
T = TypeVar("T")


@dataclass
class EmbeddedImage:
    """An image's vectors and thumbnail, computed where it was read (the image itself stays there)."""

    global_vector: np.ndarray
    tokens: np.ndarray | None
    thumbnail: bytes


@dataclass
class Ahead:
    """What a batch gives a stage to embed ahead of the writer besides its views, where the stage does
    (worker processes, Ray): the texts (records', passages') and the images its passages show."""

    texts: list[str] = field(default_factory=list)
    pictures: list[PictureSource] = field(default_factory=list)


@dataclass
class AheadVectors:
    """What a stage embedded ahead: texts' vectors by text, passage images' vectors by their source (an
    image it could not read is left out: the writer reads it again)."""

    texts: dict[str, np.ndarray] = field(default_factory=dict)
    pictures: dict[PictureSource, np.ndarray] = field(default_factory=dict)


class ImageStage(Protocol):
    embeds_ahead: bool
    """Whether the stage embeds what it is given ahead (else that is the writer's to embed)."""

    def stream(self, tagged: Iterable[tuple[Tag, list[ImageView], Ahead]], root: Path | None
               ) -> Iterator[tuple[Tag, list[LoadedImage], AheadVectors]]:
        """Each batch of views loaded (in the same order), paired with its tag, batch by batch; with the
        vectors of what the batch gave to embed ahead where the stage embeds it (the texts are the larger
        part of a corpus of passages), else none (the writer embeds it)."""
        ...

    def close(self) -> None: ...


def known_hashes(catalog: Catalog) -> np.ndarray:
    """The first 64 bits of every image's content hash in the collection, sorted (8 bytes an image
    to ship to every worker; a prefix shared by chance only costs the writer a second read)."""
    prefixes = [int(row[0][:16], 16) for row in catalog.conn.execute(
        "SELECT content_hash FROM views WHERE content_hash IS NOT NULL")]
    return np.sort(np.array(prefixes, dtype=np.uint64))


class ImageWorker:
    """Reads, hashes, decodes and embeds views: one in every worker process or Ray actor."""

    def __init__(self, embedder: Embedder, known: np.ndarray | None = None) -> None:
        self.embedder = embedder
        self.known = known if known is not None else np.zeros(0, np.uint64)

    def _known(self, content_hash: str | None) -> bool:
        if not content_hash or not self.known.size:
            return False
        prefix = np.uint64(int(content_hash[:16], 16))
        at = int(np.searchsorted(self.known, prefix))
        return at < self.known.size and self.known[at] == prefix

    def __call__(self, views: list[ImageView], root: Path | None) -> list[LoadedImage]:
        loaded = [load_view(view, root) for view in views]
        todo = [x for x in loaded if x.image is not None and not self._known(x.view.content_hash)]
        if todo:
            embeddings = self.embedder.embed_images([x.image for x in todo])
            for i, x in enumerate(todo):
                tokens = None if embeddings.tokens is None else np.asarray(embeddings.tokens[i])
                x.embedded = EmbeddedImage(np.asarray(embeddings.global_vectors[i]), tokens, thumbnail_jpeg(x.image))
        for x in loaded:
            x.image = None  # decoded pixels stay in the worker
        return loaded

    def ahead(self, ahead: Ahead) -> AheadVectors:
        """The vectors of what a batch gives to embed ahead (a picture that cannot be read is left out:
        the writer reads it again)."""
        texts = self.embedder.embed_texts(ahead.texts) if ahead.texts else []
        pictures = embedded_pictures(self.embedder, ahead.pictures) if ahead.pictures else []
        return AheadVectors({text: np.asarray(v) for text, v in zip(ahead.texts, texts, strict=True)},
                            {source: v for source, v in zip(ahead.pictures, pictures, strict=True)
                             if not isinstance(v, str)})


class ThreadStage:
    """Reading and decoding on two threads of this process; embedding is left to the writer."""

    embeds_ahead = False

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=2)

    def stream(self, tagged: Iterable[tuple[Tag, list[ImageView], Ahead]], root: Path | None
               ) -> Iterator[tuple[Tag, list[LoadedImage], AheadVectors]]:
        for tag, views, _ in tagged:
            yield tag, list(self.pool.map(lambda v: load_view(v, root), views)), AheadVectors()

    def close(self) -> None:
        self.pool.shutdown()


_process_worker: ImageWorker | None = None


def _start_process(spec: str, device: str | None, known: np.ndarray, threads: int) -> None:
    global _process_worker
    _process_worker = ImageWorker(create_embedder(spec, device=device), known)
    if "torch" in sys.modules:  # a neural embedder: its share of the cores
        sys.modules["torch"].set_num_threads(threads)
    else:  # the builtin one imports torch for its first texts, and takes this share then (not every core)
        os.environ["OMP_NUM_THREADS"] = str(threads)


def _work_in_process(views: list[ImageView], ahead: Ahead, root: Path | None
                     ) -> tuple[list[LoadedImage], AheadVectors]:
    assert _process_worker is not None, "the worker process was not started"
    return _process_worker(views, root), _process_worker.ahead(ahead)


class ProcessStage:
    """Worker processes that read, decode and embed batches ahead of the writer: their views, and past
    ``DRIVER_KEEPS_UP_WITH`` workers their texts and passages' pictures too."""

    def __init__(self, spec: str, device: str | None, workers: int, known: np.ndarray) -> None:
        self.workers = workers
        self.embeds_ahead = workers > DRIVER_KEEPS_UP_WITH
        self.pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_process,
            initargs=(spec, device, known, max(1, usable_cores() // workers)))

    def stream(self, tagged: Iterable[tuple[Tag, list[ImageView], Ahead]], root: Path | None
               ) -> Iterator[tuple[Tag, list[LoadedImage], AheadVectors]]:
        queued: deque[tuple[Tag, list[Future[tuple[list[LoadedImage], AheadVectors]]]]] = deque()
        for tag, views, ahead in tagged:
            queued.append((tag, [self.pool.submit(_work_in_process, *share, root)
                                 for share in _shares(views, ahead, self.workers)]))
            if len(queued) > 2 * self.workers:
                yield _collected(queued.popleft())
        while queued:
            yield _collected(queued.popleft())

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def _shares(views: list[ImageView], ahead: Ahead, workers: int) -> Iterator[tuple[list[ImageView], Ahead]]:
    """A batch split among the workers: a contiguous share of its views, texts and pictures each."""
    def share(items: list[T], i: int) -> list[T]:
        size = -(-len(items) // workers)
        return items[i * size:(i + 1) * size]

    for i in range(workers):
        part = share(views, i), Ahead(share(ahead.texts, i), share(ahead.pictures, i))
        if part[0] or part[1].texts or part[1].pictures:
            yield part


def _collected(entry: tuple[Tag, list[Future[tuple[list[LoadedImage], AheadVectors]]]]
               ) -> tuple[Tag, list[LoadedImage], AheadVectors]:
    tag, futures = entry
    loaded, ahead = [], AheadVectors()
    for future in futures:
        views, vectors = future.result()
        loaded += views
        ahead.texts |= vectors.texts
        ahead.pictures |= vectors.pictures
    return tag, loaded, ahead


def open_stage(collection: Collection, items: int, workers: int | None, ray: str | None, embed: bool = True,
               skip_known: bool = True) -> ImageStage:
    """The stage for a run of ``items`` items embedded with ``collection``'s embedder: Ray when ``ray``
    names a cluster, else ``workers`` processes (``ingest_workers`` when None; 0: ``default_workers``).
    ``skip_known``: the workers leave images the collection has alone."""
    spec = collection.info.spec

    def known() -> np.ndarray:
        return known_hashes(collection.catalog) if skip_known else np.zeros(0, np.uint64)

    if ray is not None:
        if not embed:
            raise InvalidInputError("--ray spreads the embedding; without embedding there is nothing to spread. "
                                    "Leave out --ray, or let the run embed.")
        from artscope.ingest.ray_stage import RayStage

        return RayStage(ray, spec, known())
    count = workers if workers is not None else get_settings().ingest_workers
    if count < 0:
        raise InvalidInputError(f"workers must be 0 (chosen from the cores and the run's length) or more, "
                                f"not {count}.")
    if count == 0:
        rebuildable = parse_spec(spec)[0] in embedders.names()  # a worker builds its embedder from the spec
        count = default_workers(items, usable_cores(), rebuildable)
    if count < 2 or not embed:
        return ThreadStage()
    return ProcessStage(spec, get_settings().device, count, known())


def prepared(rows: list[tuple[int, int, str]], loaded: list[LoadedImage]) -> dict[int, Image.Image | EmbeddedImage]:
    """View id -> what a stage made of its image (vectors, or the decoded image), for ``index_views``;
    views it could not read are left out (the indexer tries them again, then their thumbnail)."""
    out: dict[int, Image.Image | EmbeddedImage] = {}
    for (view_id, _, _), x in zip(rows, loaded, strict=True):
        if x.ready is not None:
            out[view_id] = x.ready
    return out
