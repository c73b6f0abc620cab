"""The embedding work of an ingest or a re-embedding on a Ray cluster (``artscope index|embed --ray``),
through Ray Data.

The driver (the ``artscope index`` or ``artscope embed`` process) reads the sources' catalogues and
writes the collection, as in a local run. The views, the texts (records', passages') and the images
passages show, of a window of batches (``window_limits``), become one Ray Dataset; an autoscaling pool
of actors, each holding the embedder (on a GPU with ``ray_gpus``), embeds them ``ray_batch`` rows at
a time (reading, hashing and decoding the images) and sends back the vectors, with each view's hash
and thumbnail. The results come back in order, and each batch is written as soon as its rows are in,
while the actors go on with the next ones. A text the driver finds changed when it writes (a record
merged with one already there), and an image a passage shows that an actor could not read, are
embedded by the driver.

A worker that dies (a killed process, a lost node) is restarted by Ray and its tasks retried; a
driver that dies leaves what it wrote, which ``--resume`` continues like any other ingest. Images
are read where the workers run: local paths must be the same on every node (a shared file system),
or the sources must give URLs.
"""

from __future__ import annotations

import json
import logging
import pickle
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from artscope.config import get_settings
from artscope.embedders.registry import create_embedder
from artscope.errors import ArtscopeError
from artscope.ingest.passage_images import PictureSource
from artscope.ingest.stages import Ahead, AheadVectors, ImageWorker, Tag
from artscope.ingest.writer import LoadedImage
from artscope.types import ImageView

log = logging.getLogger(__name__)

WINDOW_ROWS_PER_ACTOR = 2048
"""Rows (images and texts) a window holds for each actor: a window is one Ray Dataset, whose actors start
afresh (a process, the embedder loaded: about 12 s on a 2-core machine, ``benchmarks/ray_window.py``),
so a window grows with the actors for their start to stay a small share of its work."""
WINDOW_BATCHES_PER_ACTOR = 32
"""Batches a window holds at most for each actor (a catalogue without images is written as it is read)."""


def window_limits(actors: int) -> tuple[int, int]:
    """The rows and the batches a window holds at most, for a pool of at most ``actors`` actors."""
    return WINDOW_ROWS_PER_ACTOR * actors, WINDOW_BATCHES_PER_ACTOR * actors


class RayUnavailableError(ArtscopeError):
    """Ray is not installed, or its cluster cannot be reached."""


VIEW, TEXT, PICTURE = "view", "text", "picture"
"""The kinds of a Dataset row: an image view (as JSON) to load and embed, a text to embed, or an image a
passage shows (its source as JSON) to read and embed."""


class RayWorker:
    """A Ray Data actor: one embedder, reused for every batch of rows it is given."""

    def __init__(self, spec: str, device: str | None, known: np.ndarray, root: str | None) -> None:
        self.worker = ImageWorker(create_embedder(spec, device=device), known)
        self.root = Path(root) if root else None

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list[bytes]]:
        kinds, values = [str(k) for k in batch["kind"]], [str(v) for v in batch["value"]]
        of_kind = {kind: [v for k, v in zip(kinds, values, strict=True) if k == kind] for kind in (VIEW, TEXT, PICTURE)}
        loaded = iter(self.worker([ImageView.model_validate_json(v) for v in of_kind[VIEW]], self.root))
        pictures = [_picture(v) for v in of_kind[PICTURE]]
        made, sources = self.worker.ahead(Ahead(of_kind[TEXT], pictures)), iter(pictures)
        results = [next(loaded) if kind == VIEW else made.texts[value] if kind == TEXT
                   else made.pictures.get(next(sources))  # None: unread, the writer reads it again
                   for kind, value in zip(kinds, values, strict=True)]
        return {"result": [pickle.dumps(result) for result in results]}


class RayStage:
    """Reading, decoding and embedding on the actors of a Ray cluster."""

    embeds_ahead = True

    def __init__(self, address: str, spec: str, known: np.ndarray) -> None:
        try:
            import ray
            import ray.data
        except ImportError as exc:
            raise RayUnavailableError("Ray is not installed: pip install 'artscope[ray]' (here and on every node "
                                      "of the cluster).") from exc
        self.ray = ray
        self.started = not ray.is_initialized()
        if self.started:
            try:
                ray.init(address=None if address == "local" else address, log_to_driver=False,
                         logging_level=logging.WARNING)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise RayUnavailableError(f"Cannot reach a Ray cluster at {address!r}: {exc}. Start one (`ray start "
                                          "--head`), or give its address (host:6379, ray://host:10001), 'auto' "
                                          "for the one this machine belongs to, or 'local'.") from exc
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True
        context.enable_progress_bars = False
        self.spec = spec
        self.known = known
        settings = get_settings()
        self.cpus, self.gpus, self.batch = settings.ray_cpus, settings.ray_gpus, settings.ray_batch
        self.workers = settings.ray_workers or self._fitting_workers()

    def _fitting_workers(self) -> int:
        resources = self.ray.cluster_resources()
        if self.gpus:
            return max(1, int(resources.get("GPU", 0) // self.gpus))
        return max(1, int(resources.get("CPU", 1) // self.cpus))

    def stream(self, tagged: Iterable[tuple[Tag, list[ImageView], Ahead]], root: Path | None
               ) -> Iterator[tuple[Tag, list[LoadedImage], AheadVectors]]:
        for window in _windows(tagged, *window_limits(self.workers)):
            rows = [row for _, views, ahead in window for row in _rows(views, ahead)]
            results = self._run(rows, root) if rows else iter(())
            for tag, views, ahead in window:
                loaded = [next(results) for _ in views]
                texts = {text: next(results) for text in ahead.texts}
                pictures = {source: made for source in ahead.pictures
                            if (made := next(results)) is not None}  # else the writer reads it again
                yield tag, loaded, AheadVectors(texts, pictures)

    def _run(self, rows: list[dict[str, str]], root: Path | None) -> Iterator[Any]:
        from ray.data import ActorPoolStrategy

        dataset = self.ray.data.from_items(rows)
        embedded = dataset.map_batches(
            RayWorker, batch_size=self.batch, batch_format="numpy",
            compute=ActorPoolStrategy(min_size=1, max_size=self.workers), num_cpus=self.cpus, num_gpus=self.gpus,
            fn_constructor_kwargs=self._worker_args(root))
        for row in embedded.iter_rows():
            yield pickle.loads(row["result"])

    def _worker_args(self, root: Path | None) -> dict[str, Any]:
        device = "cuda" if self.gpus else "cpu"
        return {"spec": self.spec, "device": device, "known": self.known, "root": str(root) if root else None}

    def close(self) -> None:
        if self.started:
            self.ray.shutdown()


def _picture(value: str) -> PictureSource:
    file, read_from, url = json.loads(value)
    return file, read_from, url


def _rows(views: list[ImageView], ahead: Ahead) -> list[dict[str, str]]:
    return [{"kind": VIEW, "value": view.model_dump_json()} for view in views] \
        + [{"kind": TEXT, "value": text} for text in ahead.texts] \
        + [{"kind": PICTURE, "value": json.dumps(source)} for source in ahead.pictures]


def _windows(tagged: Iterable[tuple[Tag, list[ImageView], Ahead]], most_rows: int, most_batches: int
             ) -> Iterator[list[tuple[Tag, list[ImageView], Ahead]]]:
    window: list[tuple[Tag, list[ImageView], Ahead]] = []
    rows = 0
    for tag, views, ahead in tagged:
        window.append((tag, views, ahead))
        rows += len(views) + len(ahead.texts) + len(ahead.pictures)
        if rows >= most_rows or len(window) >= most_batches:
            yield window
            window, rows = [], 0
    if window:
        yield window
