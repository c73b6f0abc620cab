"""Originality as (a)typicality against the collection's own distribution.

An image's *neighbour similarity* is the mean cosine similarity of its global vector to its ``k``
nearest images in the collection. The collection's reference distribution is the same quantity for
a fixed sample of its own images (cached under ``heads/cache/aesthetics/typicality.json`` and rebuilt when
the number of indexed images changes by more than 10 %). The typicality percentile places the image
in that distribution: high means typical of the collection, low means unusual.
"""

from __future__ import annotations

import json
import logging
import os
from typing import TYPE_CHECKING

import numpy as np

from artscope.tasks.aesthetics.measures import m
from artscope.tasks.aesthetics.result import Measurement
from artscope.tasks.aesthetics.scoring import CACHE_SUBDIR

if TYPE_CHECKING:
    from artscope.collection import Collection

log = logging.getLogger(__name__)

IMAGES = "images"
NEIGHBOURS = 10
REFERENCE_SAMPLE = 400
SAME_IMAGE = 0.9999
"""Cosine similarity at which a neighbour is the image itself (already in the collection)."""
CACHE_NAME = "typicality.json"


def neighbour_hits(collection: Collection, vector: np.ndarray, k: int, exclude: int | None = None) -> list:
    """The ``k`` nearest images, leaving out ``exclude`` (a view id) and exact copies of the image."""
    hits = collection.index.query(IMAGES, "image", vector, k + 2)
    return [h for h in hits if h.id != exclude and h.score < SAME_IMAGE][:k]


def _sample_view_ids(collection: Collection, n: int) -> list[int]:
    """A fixed pseudo-random sample of indexed views (a multiplicative hash orders the rowids)."""
    rows = collection.catalog.conn.execute(
        "SELECT rowid FROM views WHERE state = 'indexed' ORDER BY (rowid * 2654435761) % 4294967296 LIMIT ?",
        (n,),
    )
    return [int(r[0]) for r in rows]


def reference_distribution(collection: Collection, k: int = NEIGHBOURS) -> np.ndarray:
    """Sorted neighbour similarities of a sample of the collection's own images (cached)."""
    path = collection.heads_dir / CACHE_SUBDIR / CACHE_NAME
    count = collection.index.count(IMAGES)
    if path.exists():
        cached = json.loads(path.read_text())
        if cached.get("k") == k and abs(cached.get("images", 0) - count) <= 0.1 * count:
            return np.asarray(cached["values"], dtype=np.float64)
    ids = _sample_view_ids(collection, REFERENCE_SAMPLE)
    values = []
    for hit in collection.index.retrieve(IMAGES, ids, vectors=["image"]):
        neighbours = neighbour_hits(collection, np.asarray(hit.vectors["image"], dtype=np.float32), k, hit.id)
        if neighbours:
            values.append(float(np.mean([h.score for h in neighbours])))
    values.sort()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"k": k, "images": count, "values": values}))
    os.replace(tmp, path)
    log.info("built the typicality reference of %s from %d images", collection.path, len(values))
    return np.asarray(values, dtype=np.float64)


def originality_measures(
    collection: Collection, vector: np.ndarray, view_id: int | None = None, k: int = NEIGHBOURS
) -> tuple[dict[str, Measurement], str | None]:
    """Typicality measurements of one global vector, or ({}, why not) when they cannot be measured."""
    reference = reference_distribution(collection, k)
    if len(reference) < 2:
        return {}, "the collection has fewer than 3 indexed images to compare with"
    hits = neighbour_hits(collection, vector, k, view_id)
    if not hits:
        return {}, "no other image of the collection to compare with"
    similarity = float(np.mean([h.score for h in hits]))
    percentile = 100.0 * float(np.searchsorted(reference, similarity, side="left")) / len(reference)
    nearest = hits[:3]
    rows = collection.catalog.view_rows([h.id for h in nearest])
    named = [(rows[h.id]["artwork_id"], h.score) for h in nearest if h.id in rows]
    return {
        "originality.neighbour_similarity": m(
            similarity,
            "mean cosine similarity",
            f"Mean similarity of the global vector to its {len(hits)} nearest images in the collection.",
        ),
        "originality.typicality_percentile": m(
            percentile,
            "percentile (0..100)",
            f"Share of {len(reference)} sampled collection images whose own "
            "neighbour similarity is lower: high = typical, low = unusual.",
        ),
        "originality.nearest": m(
            [a for a, _ in named], "artwork ids", "The most similar artworks in the collection."
        ),
        "originality.nearest_similarity": m(
            [float(s) for _, s in named], "cosine similarity", "Similarity of each of the nearest artworks."
        ),
    }, None
