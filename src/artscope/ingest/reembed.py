"""Re-embedding a collection with another embedder, so that a kill at any moment loses nothing.

The catalog is the source of truth; the new vectors go to a new index beside the old one
(``index-2/``, ...). The plan is written into the manifest before anything else, the points
already in the new index are skipped when the same command runs again, and the manifest switches
to the new embedder and index in one atomic write when every view, record and passage is there.
Until then the collection keeps answering with the old embedder and index; ingest waits.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel

from artscope import faults
from artscope.embedders.base import Embedder
from artscope.errors import InvalidInputError
from artscope.index import IMAGES, PASSAGE_IMAGES, PASSAGES, RECORDS, space_specs
from artscope.ingest.indexer import (
    EMBED_BATCH,
    TEXT_BATCH,
    growing,
    index_passages,
    index_records,
    index_views,
    record_text,
)
from artscope.ingest.passage_images import PictureRow, index_rows
from artscope.ingest.stages import Ahead, ImageStage, open_stage, prepared
from artscope.manifest import IndexLocation, Reembedding
from artscope.types import ImageView

if TYPE_CHECKING:
    from artscope.collection import Collection

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
ViewRows = list[tuple[int, int, str]]


class ReembedSummary(BaseModel):
    embedder: str
    images: int = 0
    records: int = 0
    passages: int = 0
    resumed: bool = False


def _next_location(collection: Collection) -> IndexLocation:
    current = collection.manifest.index
    number = 2
    while (collection.path / f"index-{number}").exists() or current.directory == f"index-{number}":
        number += 1
    return current.model_copy(update={"directory": f"index-{number}"})


def reembed(collection: Collection, embedder: Embedder, progress: Progress | None = None, workers: int | None = None,
            ray: str | None = None) -> ReembedSummary:
    """Embed every view, record and passage again with ``embedder`` into a new index, then switch the
    manifest to them. The caller reopens the collection's index afterwards. Images are read and
    embedded where an ingest would read them (``workers`` processes, or the Ray cluster ``ray``, which
    embeds the images passages show and the records' and passages' texts too)."""
    from artscope.collection import Collection

    manifest = collection.manifest
    if manifest.index.kind != "edge":
        raise InvalidInputError("Re-embedding a collection whose index is on a Qdrant server is not supported; "
                                "create a new collection with the new embedder and ingest its sources again.")
    plan = manifest.reembedding
    summary = ReembedSummary(embedder=embedder.info.spec, resumed=plan is not None and plan.embedder == embedder.info)
    if plan is None or plan.embedder != embedder.info:
        if plan is not None:  # an unfinished re-embedding with another embedder
            shutil.rmtree(collection.path / plan.index.directory, ignore_errors=True)
        plan = Reembedding(embedder=embedder.info, index=_next_location(collection))
        manifest.reembedding = plan
        manifest.write(collection.path)
        faults.reached("reembed.planned")
    target = Collection(collection.path, manifest.model_copy(
        update={"embedder": plan.embedder, "index": plan.index, "reembedding": None}), embedder=embedder)
    views = collection.catalog.conn.execute("SELECT COUNT(*) FROM views").fetchone()[0]
    stage = open_stage(target, views, workers, ray, skip_known=False)
    try:
        _fill(target, summary, progress, stage)
    finally:
        stage.close()
        target.close()
    old = manifest.index.directory
    manifest.embedder, manifest.index, manifest.reembedding = plan.embedder, plan.index, None
    manifest.write(collection.path)  # the switch: one atomic write
    faults.reached("reembed.switched")
    shutil.rmtree(collection.path / old, ignore_errors=True)
    return summary


Chunk = tuple[list[int], list[int]]
"""The rowids of a chunk of ``artworks`` or ``passages``, and those of them not in the target's index yet."""
CatalogRow = TypeVar("CatalogRow")


def _chunks_to_fill(target: Collection, space: str, after: Callable[[int, int], list[CatalogRow]],
                    limit: int, rowid: Callable[[CatalogRow], int]
                    ) -> Iterator[tuple[list[CatalogRow], list[CatalogRow]]]:
    """The catalog's rows (``after(last rowid, how many)``) in chunks growing from one up to ``limit``,
    each with those of them whose point is not in the target's ``space`` yet."""
    last, sizes = 0, growing(limit, 1)
    while rows := after(last, next(sizes)):
        last = rowid(rows[-1])
        present = {hit.id for hit in target.index.retrieve(space, [rowid(r) for r in rows])}
        yield rows, [r for r in rows if rowid(r) not in present]


def _view_chunks(target: Collection) -> Iterator[tuple[tuple[ViewRows, ViewRows], list[ImageView], Ahead]]:
    """The catalog's views in growing chunks, with the images of those not in the target's index yet."""
    for rows, todo in _chunks_to_fill(target, IMAGES, target.catalog.views_after, EMBED_BATCH, itemgetter(0)):
        yield (rows, todo), [ImageView(uri=uri) for _, _, uri in todo], Ahead()


def _picture_chunks(target: Collection, ahead: bool) -> Iterator[tuple[list[PictureRow], list[ImageView], Ahead]]:
    """The images passages show (but those missing) in growing chunks: the rows not in the target's index
    yet, with their sources for a stage that embeds ahead (workers, Ray)."""
    chunks = _chunks_to_fill(target, PASSAGE_IMAGES, target.catalog.passage_images_after, EMBED_BATCH, itemgetter(0))
    for _, todo in chunks:
        yield todo, [], Ahead(pictures=[(file, read_from, url) for _, file, read_from, url in todo] if ahead else [])


def _text_chunks(target: Collection, table: str, space: str, ahead: bool
                 ) -> Iterator[tuple[Chunk, list[ImageView], Ahead]]:
    """The rowids of ``artworks`` or ``passages`` in growing chunks, with those not in the target's index
    yet and, for a stage that embeds ahead (workers, Ray), their texts."""
    catalog = target.catalog
    for rowids, todo in _chunks_to_fill(target, space, partial(catalog.rowids_after, table), TEXT_BATCH, int):
        texts: list[str] = []
        if ahead and todo:
            texts = [record_text(r) for r in catalog.get_by_rowids(todo)] if table == "artworks" \
                else [p.text for p in catalog.passages_by_rowids(todo).values()]
        yield (rowids, todo), [], Ahead(texts=texts)


def _fill(target: Collection, summary: ReembedSummary, progress: Progress | None, stage: ImageStage) -> None:
    """Every view, passage image, record and passage of the catalog into the target's index (those there
    skipped). The stage embeds the views, and the rest where it embeds ahead (workers, Ray)."""
    index = target.index
    for spec in space_specs(target.info):
        index.ensure_space(spec)
    done = 0
    for (rows, todo), loaded, _ in stage.stream(_view_chunks(target), None):
        summary.images += len(index_views(target, todo, prepared(todo, loaded)))
        done += len(rows)
        faults.reached("reembed.views")
        if progress:
            progress(done, None)
    for pictures, _, ahead in stage.stream(_picture_chunks(target, stage.embeds_ahead), None):
        summary.images += index_rows(target, pictures, ahead.pictures)
        faults.reached("reembed.passage_images")
    for table, space, counter in (("artworks", RECORDS, "records"), ("passages", PASSAGES, "passages")):
        for (rowids, todo), _, ahead in stage.stream(_text_chunks(target, table, space, stage.embeds_ahead), None):
            if todo:
                index_records(target, todo, set(), ahead.texts) if table == "artworks" \
                    else index_passages(target, todo, ahead.texts)
            setattr(summary, counter, getattr(summary, counter) + len(todo))
            done += len(rowids)
            faults.reached(f"reembed.{table}")
            if progress:
                progress(done, None)
