"""Embed what the catalog marks ``pending`` and upsert it into the index.

Used by ingest after every batch, at the start of every ingest (a killed run's leftovers), and
by re-embedding. Point ids are catalog rowids; every point carries its artwork's payload.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from artscope.embedders.base import pool_tokens
from artscope.errors import ImageLoadError
from artscope.index import IMAGES, PASSAGES, RECORDS, Point
from artscope.ingest.passage_images import index_passage_images
from artscope.media.images import load_image

if TYPE_CHECKING:
    from artscope.collection import Collection

log = logging.getLogger(__name__)

EMBED_BATCH = 32


def index_pending(collection: Collection, decoded: Mapping[int, Image.Image]) -> int:
    """Embed and upsert every pending view, record and passage. Returns the images indexed."""
    fresh: set[int] = set()
    while rows := collection.catalog.pending_views(EMBED_BATCH):
        fresh.update(_index_views(collection, rows, decoded))
    while rowids := collection.catalog.pending_artworks(256):
        index_records(collection, rowids, fresh)
    while rowids := collection.catalog.pending_passages(256):
        _index_passages(collection, rowids)
    index_passage_images(collection)
    return len(fresh)


def _index_views(collection: Collection, rows: list[tuple[int, int, str]],
                 decoded: Mapping[int, Image.Image]) -> list[int]:
    """Embed and upsert a batch of views; returns the ids indexed."""
    catalog = collection.catalog
    ids, images = [], []
    for view_id, _, uri in rows:
        image = decoded.get(view_id)
        if image is None:
            try:
                image = load_image(uri, draft_size=512)
            except ImageLoadError as exc:
                catalog.mark_view_failed(view_id, str(exc))
                continue
        ids.append(view_id)
        images.append(image)
    if not ids:
        return []
    embeddings = collection.embedder.embed_images(images)
    budget = collection.manifest.token_budget
    artwork_ids = catalog.ids_for_rowids([r[1] for r in rows])
    payloads = {r.id: r.payload() for r in catalog.get_many(list(artwork_ids.values()))}
    owner = {view_id: artwork_ids[artwork_rowid] for view_id, artwork_rowid, _ in rows}
    points = []
    for i, view_id in enumerate(ids):
        vectors = {"image": embeddings.global_vectors[i]}
        if embeddings.tokens is not None:
            tokens = embeddings.tokens[i][:budget]
            vectors["tokens"] = tokens
            vectors["pooled"] = pool_tokens(tokens, collection.manifest.pooled_tokens)
        points.append(Point(id=view_id, vectors=vectors, payload=payloads[owner[view_id]] | {"view_id": view_id}))
        collection.save_thumbnail(view_id, images[i])
    collection.index.upsert(IMAGES, points)
    catalog.mark_indexed("views", ids)
    return ids


def index_records(collection: Collection, rowids: list[int], fresh_views: set[int] | None = None) -> None:
    """Embed the records' text and upsert it; rewrite the payload of their image points (except the
    ``fresh_views`` just upserted with it), so metadata edits reach them without re-embedding images."""
    fresh_views = fresh_views or set()
    catalog = collection.catalog
    records = catalog.get_by_rowids(rowids)
    rowid_of = {v: k for k, v in catalog.ids_for_rowids(rowids).items()}
    vectors = collection.embedder.embed_texts([r.text() or r.id for r in records])
    collection.index.upsert(RECORDS, [
        Point(id=rowid_of[r.id], vectors={"text": np.asarray(v)}, payload=r.payload())
        for r, v in zip(records, vectors, strict=True)])
    for record in records:  # metadata edits reach older image points without re-embedding them
        for view in record.views:
            if view.id is not None and view.id not in fresh_views:
                collection.index.set_payload(IMAGES, [view.id], record.payload() | {"view_id": view.id})
    catalog.mark_indexed("artworks", rowids)


def _index_passages(collection: Collection, rowids: list[int]) -> None:
    catalog = collection.catalog
    passages = catalog.passages_by_rowids(rowids)
    order = list(passages)
    vectors = collection.embedder.embed_texts([passages[r].text for r in order])
    collection.index.upsert(PASSAGES, [
        Point(id=r, vectors={"text": np.asarray(v)},
              payload={"passage_id": passages[r].id, "artwork_id": passages[r].artwork_id,
                       "source": passages[r].source})
        for r, v in zip(order, vectors, strict=True)])
    catalog.mark_indexed("passages", rowids)
