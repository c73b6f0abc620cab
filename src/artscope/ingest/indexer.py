"""Embed what the catalog marks ``pending`` and upsert it into the index.

Used by ingest after every batch, at the start of every ingest (a killed run's leftovers) and by
``artscope embed``. Point ids are catalog rowids; every point carries its artwork's payload. Chunks
start at one item and double (up to ``EMBED_BATCH`` images or ``TEXT_BATCH`` texts): a run that
is killed again and again still marks something indexed each time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from artscope import faults
from artscope.embedders.base import pool_tokens
from artscope.errors import ImageLoadError
from artscope.index import IMAGES, PASSAGES, RECORDS, Point
from artscope.ingest.passage_images import index_passage_images
from artscope.ingest.stages import Ahead, AheadVectors, EmbeddedImage
from artscope.media.images import load_image, thumbnail_jpeg
from artscope.types import ArtworkRecord

if TYPE_CHECKING:
    from artscope.catalog import Catalog
    from artscope.collection import Collection
    from artscope.ingest.sources.base import SourceItem

log = logging.getLogger(__name__)

EMBED_BATCH = 32
TEXT_BATCH = 256


def growing(limit: int, start: int = 1) -> Iterator[int]:
    """``start``, twice that, ... then ``limit`` for ever."""
    size = min(start, limit)
    while True:
        yield size
        size = min(size * 2, limit)


def record_text(record: ArtworkRecord) -> str:
    """What a record's text vector is made of."""
    return record.text() or record.id


def ahead_of(catalog: Catalog, items: Sequence[SourceItem]) -> Ahead:
    """What a batch's items give the index besides their views, for a stage to embed ahead: each record's
    and each passage's text, in order, but for those the catalog already holds unchanged (a source run
    again has none to embed again), and the images their passages show that are not embedded yet."""
    records = [item.record for item in items if item.record and not item.error]
    passages = [passage for item in items for passage in item.passages]
    same_records, same_passages = catalog.unchanged_records(records), catalog.unchanged_passages(passages)
    texts = [record_text(r) for r in records if r.id not in same_records] \
        + [p.text for p in passages if p.id not in same_passages]
    shown = dict.fromkeys((i.file, i.read_from, i.url) for p in passages for i in p.images if i.read_from)
    indexed = catalog.indexed_passage_images([file for file, _, _ in shown])
    return Ahead(texts, [source for source in shown if source[0] not in indexed])


def embedded_texts(collection: Collection, texts: list[str], ready: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    """The texts' vectors: those a stage embedded ahead (``ready``, by text), the others embedded here."""
    missing = [text for text in texts if text not in ready]
    made = iter(collection.embedder.embed_texts(missing)) if missing else iter(())
    return [ready[text] if text in ready else np.asarray(next(made)) for text in texts]


def index_pending(collection: Collection, decoded: Mapping[int, Image.Image | EmbeddedImage],
                  start_small: bool = False, ahead: AheadVectors | None = None) -> int:
    """Embed and upsert every pending view, record, passage and passage image. Returns the views indexed.
    ``start_small``: the first chunks hold one item, then two, ... (for what a killed run left);
    ``ahead``: vectors of texts and passage images a stage embedded ahead."""
    ahead = ahead or AheadVectors()
    catalog = collection.catalog
    fresh: set[int] = set()
    start = 1 if start_small else 1 << 30
    sizes = growing(EMBED_BATCH, start)
    while rows := catalog.pending_views(next(sizes)):
        fresh.update(index_views(collection, rows, decoded))
    sizes = growing(TEXT_BATCH, start)
    while rowids := catalog.pending_artworks(next(sizes)):
        index_records(collection, rowids, fresh, ahead.texts)
    sizes = growing(TEXT_BATCH, start)
    while rowids := catalog.pending_passages(next(sizes)):
        index_passages(collection, rowids, ahead.texts)
    index_passage_images(collection, ahead.pictures)
    return len(fresh)


def index_views(collection: Collection, rows: list[tuple[int, int, str]],
                decoded: Mapping[int, Image.Image | EmbeddedImage]) -> list[int]:
    """Embed and upsert a batch of views (those ``decoded`` gives vectors for are not embedded again);
    returns the ids indexed."""
    catalog = collection.catalog
    ready: dict[int, EmbeddedImage] = {}
    ids, images = [], []
    for view_id, _, uri in rows:
        image = decoded.get(view_id)
        if isinstance(image, EmbeddedImage):
            ready[view_id] = image
            continue
        if image is None:
            image = _read_again(collection, view_id, uri)
            if isinstance(image, str):
                catalog.mark_view_failed(view_id, image)
                continue
        ids.append(view_id)
        images.append(image)
    if images:
        embeddings = collection.embedder.embed_images(images)
        for i, view_id in enumerate(ids):
            ready[view_id] = EmbeddedImage(embeddings.global_vectors[i],
                                           None if embeddings.tokens is None else embeddings.tokens[i],
                                           thumbnail_jpeg(images[i]))
    if not ready:
        return []
    budget = collection.manifest.token_budget
    artwork_ids = catalog.ids_for_rowids([r[1] for r in rows])
    payloads = {r.id: r.payload() for r in catalog.get_many(list(artwork_ids.values()))}
    owner = {view_id: artwork_ids[artwork_rowid] for view_id, artwork_rowid, _ in rows}
    points = []
    for view_id, embedded in ready.items():
        vectors = {"image": embedded.global_vector}
        if embedded.tokens is not None:
            tokens = embedded.tokens[:budget]
            vectors["tokens"] = tokens
            vectors["pooled"] = pool_tokens(tokens, collection.manifest.pooled_tokens)
        points.append(Point(id=view_id, vectors=vectors, payload=payloads[owner[view_id]] | {"view_id": view_id}))
        collection.save_thumbnail(view_id, embedded.thumbnail)
    faults.reached("index.thumbnails.saved")
    collection.index.upsert(IMAGES, points)
    faults.reached("index.views.upserted")
    catalog.mark_indexed("views", list(ready))
    faults.reached("index.views.marked")
    return list(ready)


def _read_again(collection: Collection, view_id: int, uri: str) -> Image.Image | str:
    """A view's image read again from its address; its stored thumbnail when the address no longer
    gives it (a server gone, a file moved: re-embedding must not lose an indexed image); else the error."""
    try:
        return load_image(uri, draft_size=512)
    except ImageLoadError as exc:
        thumbnail = collection.thumbnail_path(view_id)
        if thumbnail.is_file():
            log.warning("%s cannot be read (%s); its stored thumbnail is embedded instead", uri, exc)
            return load_image(str(thumbnail))
        return str(exc)


def index_records(collection: Collection, rowids: list[int], fresh_views: set[int] | None = None,
                  texts: Mapping[str, np.ndarray] | None = None) -> None:
    """Embed the records' text (unless in ``texts``) and upsert it; rewrite the payload of their image
    points (except the ``fresh_views`` just upserted with it), so metadata edits reach them without
    re-embedding images."""
    fresh_views = fresh_views or set()
    catalog = collection.catalog
    records = catalog.get_by_rowids(rowids)
    rowid_of = {v: k for k, v in catalog.ids_for_rowids(rowids).items()}
    vectors = embedded_texts(collection, [record_text(r) for r in records], texts or {})
    collection.index.upsert(RECORDS, [
        Point(id=rowid_of[r.id], vectors={"text": np.asarray(v)}, payload=r.payload())
        for r, v in zip(records, vectors, strict=True)])
    faults.reached("index.records.upserted")
    for record in records:  # metadata edits reach older image points without re-embedding them
        for view in record.views:
            if view.id is not None and view.id not in fresh_views:
                collection.index.set_payload(IMAGES, [view.id], record.payload() | {"view_id": view.id})
    faults.reached("index.records.payloads")
    catalog.mark_indexed("artworks", rowids)
    faults.reached("index.records.marked")


def index_passages(collection: Collection, rowids: list[int], texts: Mapping[str, np.ndarray] | None = None
                   ) -> None:
    """Embed the passages' text (unless in ``texts``) and upsert it."""
    catalog = collection.catalog
    passages = catalog.passages_by_rowids(rowids)
    order = list(passages)
    vectors = embedded_texts(collection, [passages[r].text for r in order], texts or {})
    collection.index.upsert(PASSAGES, [
        Point(id=r, vectors={"text": np.asarray(v)},
              payload={"passage_id": passages[r].id, "artwork_id": passages[r].artwork_id,
                       "source": passages[r].source})
        for r, v in zip(order, vectors, strict=True)])
    faults.reached("index.passages.upserted")
    catalog.mark_indexed("passages", rowids)
    faults.reached("index.passages.marked")
