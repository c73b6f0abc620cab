"""``describe``: the predicted attributes of any image; ``describe_all``: of every artwork, stored.

An image is scored by the head (its stored or freshly embedded vectors) and by the votes of its
nearest labelled neighbours in the collection, fused and calibrated as fitted in training. An image
that is an artwork of the collection (by id, or by identical content) never votes for itself.
Predictions are always marked as such and go to the catalogue's ``predictions`` table, never over
the curated record.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from artscope.errors import HeadNotTrainedError, InvalidInputError
from artscope.heads.attributes import KIND, AttributeHead, HeadData, HeadTask
from artscope.heads.store import HeadEnvelope, StoredPrediction, head_dir, write_predictions
from artscope.index import IMAGES
from artscope.index.base import Hit
from artscope.media.images import content_hash, load_image, read_bytes
from artscope.tasks.attributes.calibration import fuse
from artscope.tasks.attributes.data import (
    StoredImages,
    canonical_field,
    encode_labels,
    field_value,
    images_from_hits,
    load_images,
)
from artscope.tasks.attributes.knn import K, bank_neighbours, bank_votes, vote
from artscope.tasks.attributes.types import (
    DEFAULT_THRESHOLD,
    MODEL_NAME,
    UNKNOWN,
    DescribeAllSummary,
    Description,
    FieldPrediction,
    LabelProbability,
)

if TYPE_CHECKING:
    from artscope.collection import Collection

DECODE_SIZE = 512
"""Images are decoded at about this size (JPEG draft mode), as ingest does."""
WRITE_BATCH = 2000
MIN_STORED_PROBABILITY = 0.01
"""Runners-up less probable than this are not stored by ``describe_all`` (the top label always is)."""
"""Artworks whose predictions are written in one transaction by ``describe_all``."""


def load_attribute_head(collection: Collection) -> tuple[AttributeHead, HeadEnvelope]:
    """The collection's attributes head (``HeadNotTrainedError`` if none, ``EmbedderMismatchError`` if
    it was trained on another embedder's vectors)."""
    return AttributeHead.load(head_dir(collection.heads_dir, KIND), collection.info)


def _chosen(head: AttributeHead, fields: Sequence[str] | None) -> list[int]:
    """Positions of the fields asked for (all by default); an untrained field is an error."""
    names = [t.field for t in head.tasks]
    if not fields:
        return list(range(len(names)))
    wanted = [canonical_field(f) for f in fields]
    unknown = [f for f in wanted if f not in names]
    if unknown:
        raise HeadNotTrainedError(f"The attributes head does not predict {', '.join(unknown)}; it predicts "
                                f"{', '.join(names)}. Retrain with --fields to add fields.")
    return [names.index(f) for f in wanted]


def _query_images(collection: Collection, image: Any,
                  artwork_id: str | None) -> tuple[StoredImages, str | None]:
    """The vectors of what to describe (every view of an artwork), and the artwork it is, if any."""
    if artwork_id is not None:
        record = collection.catalog.get(artwork_id)
        view_ids = [v.id for v in record.views if v.id is not None]
        images = load_images(collection, view_ids)
        if not len(images.view_ids):
            raise InvalidInputError(f"Artwork {artwork_id!r} has no indexed image to describe; "
                                    "index it first.")
        return images, artwork_id
    # Bytes first (a path or URL is read once): their hash tells whether the image is already a view
    # of an artwork here, which must then not vote for itself.
    data = read_bytes(image) if isinstance(image, str | Path) else bytes(image) \
        if isinstance(image, bytes | bytearray) else None
    known = collection.catalog.view_by_hash(content_hash(data)) if data is not None else None
    picture = load_image(data if data is not None else image, draft_size=DECODE_SIZE)
    embeddings = collection.embedder.embed_images([picture])
    vectors = {"image": embeddings.global_vectors[0]}
    if embeddings.tokens is not None:
        vectors["tokens"] = embeddings.tokens[0]
    hit = Hit(id=-1, score=0.0, payload={"artwork_id": known[1] if known else None}, vectors=vectors)
    images = images_from_hits([hit], collection.manifest.token_budget, collection.info.token_dim)
    return images, known[1] if known else None


def _index_votes(collection: Collection, head: AttributeHead, vectors: np.ndarray, exclude: str | None,
                 edges: Sequence[int]) -> list[np.ndarray]:
    """Per field, kNN vote probabilities [n, C] from the collection's index (``exclude``: an artwork
    whose views must not vote)."""
    rows = []
    for vector in vectors:  # the excluded artwork's own views come back too: ask for more
        hits = collection.index.query(IMAGES, "image", vector, 2 * K + len(vectors))
        rows.append([h for h in hits if h.payload.get("artwork_id") != exclude][:K])
    owners = {h.payload.get("artwork_id") for row in rows for h in row}
    records = {r.id: r for r in collection.catalog.get_many([o for o in owners if o])}
    sims = np.full((len(rows), K), -1.0, dtype=np.float32)
    owner_of = np.full((len(rows), K), None, dtype=object)
    for i, row in enumerate(rows):
        for j, hit in enumerate(row):
            sims[i, j], owner_of[i, j] = hit.score, hit.payload.get("artwork_id")
    flat = [records.get(o) for o in owner_of.ravel()]
    labels = encode_labels(flat, [t.field for t in head.tasks], [t.labels for t in head.tasks], edges)
    labels = labels.reshape(len(rows), K, len(head.tasks))
    return [vote(sims, labels[:, :, i], len(t.labels)) for i, t in enumerate(head.tasks)]


def _probabilities(head: AttributeHead, data: HeadData, votes: list[np.ndarray]) -> list[np.ndarray]:
    """Per field, fused and calibrated probabilities [n, C]."""
    logits = head.task_logits(data)
    return [fuse(logits[i], votes[i], t.fusion_weight, t.temperature) for i, t in enumerate(head.tasks)]


def _prediction(task: HeadTask, probs: np.ndarray, top_k: int, threshold: float,
                curated: str | None) -> FieldPrediction:
    order = np.argsort(-probs, kind="stable")[:top_k]
    ranked = [LabelProbability(label=task.labels[c], probability=round(float(probs[c]), 6)) for c in order]
    unknown = ranked[0].probability < threshold
    return FieldPrediction(field=task.field, label=UNKNOWN if unknown else ranked[0].label,
                           probability=ranked[0].probability, unknown=unknown, top_k=ranked, curated=curated)


def _check_options(top_k: int, threshold: float | None) -> float:
    if top_k < 1:
        raise InvalidInputError(f"top_k must be at least 1, got {top_k}.")
    threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not 0.0 <= threshold <= 1.0:
        raise InvalidInputError(f"threshold is a probability between 0 and 1, got {threshold}.")
    return threshold


def describe(collection: Collection, image: Any = None, artwork_id: str | None = None, top_k: int = 5,
             threshold: float | None = None, fields: Sequence[str] | None = None) -> Description:
    """The attributes task's entry: top-k labels with calibrated probabilities for each field of an
    image (path, URL, bytes or PIL image, in the collection or not) or of an artwork by id."""
    start = time.perf_counter()
    if (image is None) == (artwork_id is None):
        raise InvalidInputError("Give either an image or an artwork id to describe.")
    threshold = _check_options(top_k, threshold)
    head, envelope = load_attribute_head(collection)
    chosen = _chosen(head, fields)
    images, own_id = _query_images(collection, image, artwork_id)
    edges = envelope.meta["period_edges"]
    votes = _index_votes(collection, head, images.data.global_vectors, own_id, edges)
    probs = [p.mean(axis=0) for p in _probabilities(head, images.data, votes)]  # over an artwork's views
    record = collection.catalog.get(own_id) if own_id else None
    predictions = [_prediction(head.tasks[i], probs[i], top_k, threshold,
                               field_value(record, head.tasks[i].field, edges) if record else None)
                   for i in chosen]
    return Description(artwork_id=own_id, fields=predictions, version=envelope.version,
                       embedder=envelope.embedder.spec, threshold=threshold,
                       took_ms=round((time.perf_counter() - start) * 1000, 2))


def _all_probabilities(collection: Collection, head: AttributeHead,
                       edges: Sequence[int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """(artwork ids, per field [artworks, C] probabilities averaged over each artwork's views), with
    every labelled image of the collection but the artwork's own as the kNN bank."""
    images = load_images(collection)
    artworks, groups = np.unique(images.artwork_ids.astype(str), return_inverse=True)
    records = {r.id: r for r in collection.catalog.get_many(list(artworks))}
    labels = encode_labels([records.get(a) for a in images.artwork_ids], [t.field for t in head.tasks],
                           [t.labels for t in head.tasks], edges)
    bank = (labels >= 0).any(axis=1)
    vectors = images.data.global_vectors
    sims, positions = bank_neighbours(vectors, groups, vectors[bank], groups[bank])
    votes = bank_votes(sims, positions, labels[bank], [len(t.labels) for t in head.tasks])
    probs = _probabilities(head, images.data, votes)
    return artworks, [_mean_by_group(p, groups, len(artworks)) for p in probs]


def describe_all(collection: Collection, top_k: int = 3,
                 progress: Callable[[int, int], None] | None = None) -> DescribeAllSummary:
    """Predict every field of every indexed artwork and store the top-k labels with their calibrated
    probabilities as predictions (model, version) in the catalogue; curated fields stay untouched."""
    start = time.perf_counter()
    _check_options(top_k, None)
    head, envelope = load_attribute_head(collection)
    artworks, probs = _all_probabilities(collection, head, envelope.meta["period_edges"])
    written = 0
    for begin in range(0, len(artworks), WRITE_BATCH):
        chunk = range(begin, min(begin + WRITE_BATCH, len(artworks)))
        rows = [StoredPrediction(artwork_id=artworks[a], task=KIND, field=task.field, value=p.label,
                                 probability=p.probability, model=MODEL_NAME, version=envelope.version)
                for i, task in enumerate(head.tasks) for a in chunk
                for rank, p in enumerate(_prediction(task, probs[i][a], top_k, 0.0, None).top_k)
                if rank == 0 or p.probability >= MIN_STORED_PROBABILITY]
        written += write_predictions(collection.catalog, rows)
        if progress:
            progress(chunk[-1] + 1, len(artworks))
    return DescribeAllSummary(artworks=len(artworks), predictions=written,
                              fields=[t.field for t in head.tasks], version=envelope.version,
                              seconds=round(time.perf_counter() - start, 2))


def _mean_by_group(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Row means of ``values`` per group (an artwork's views averaged)."""
    sums = np.zeros((n_groups, values.shape[1]))
    np.add.at(sums, groups, values)
    return sums / np.bincount(groups, minlength=n_groups)[:, None]


__all__ = ["describe", "describe_all", "load_attribute_head"]
