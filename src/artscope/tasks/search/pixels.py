"""Text meets pixels: the words of a query that image measurements decide (the builtin embedder's
measured-words vocabulary: night, snow, colours, black and white, vertical...), or, for cross-modal
embedders (CLIP, SigLIP, ColQwen2), the text vector against the image vectors.

Both give, per stored image, a number in 0..1 that says how far the picture meets the words; search
ranks by it (signal ``pixels``) and composed search multiplies it into the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from artscope.embedders.base import FoundWord, measured_words
from artscope.index import IMAGES
from artscope.tasks.search.fusion import Ranking
from artscope.types import Filters

if TYPE_CHECKING:
    from artscope.collection import Collection


def find_measured(collection: Collection, text: str) -> list[FoundWord]:
    """The words of ``text`` the collection's embedder decides from its image measurements (none for
    embedders without such a vocabulary)."""
    vocabulary = measured_words(collection.embedder)
    return vocabulary.find(text) if vocabulary is not None and text else []


def stored_vectors(collection: Collection, view_ids: Sequence[int]) -> tuple[list[int], np.ndarray]:
    """The stored image vectors of views (those the index holds), with their ids."""
    points = [p for p in collection.index.retrieve(IMAGES, list(view_ids), vectors=["image"]) if p.vectors]
    if not points:
        return [], np.zeros((0, collection.info.image_dim), np.float32)
    return [p.id for p in points], np.asarray([p.vectors["image"] for p in points], dtype=np.float32)


def measured_scores(collection: Collection, found: list[FoundWord], view_ids: Sequence[int]
                    ) -> tuple[list[int], np.ndarray]:
    """The stored images among ``view_ids`` and how far each meets each found word, [N, len(found)] in 0..1."""
    vocabulary = measured_words(collection.embedder)
    if vocabulary is None or not found or not view_ids:
        return [], np.zeros((0, len(found)))
    ids, vectors = stored_vectors(collection, view_ids)
    return ids, vocabulary.scores(found, vectors) if ids else np.zeros((0, len(found)))


def meets(collection: Collection, found: list[FoundWord], view_ids: Sequence[int]) -> dict[int, np.ndarray]:
    """Per stored image (view id): how far it meets each found word, [len(found)] in 0..1."""
    ids, scores = measured_scores(collection, found, view_ids)
    return {view: scores[i] for i, view in enumerate(ids)}


def together_each(scores: np.ndarray) -> np.ndarray:
    """Several words met together, per row [N, words] -> [N]: their geometric mean (0 where one word is
    not met at all)."""
    scores = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    if not scores.shape[1]:
        return np.zeros(len(scores))
    with np.errstate(divide="ignore"):  # log 0 = -inf: the mean is -inf, its exp 0
        return np.exp(np.log(np.maximum(scores, 0.0)).mean(axis=1))


def together(scores: np.ndarray) -> float:
    """Several words met together: their geometric mean (one word not met at all gives 0)."""
    return float(together_each(scores)[0])


def measured_ranking(collection: Collection, found: list[FoundWord], filters: Filters, depth: int
                     ) -> tuple[Ranking, dict[str, str]]:
    """Artworks by how far their images meet the found words, best first (images that do not meet them
    at all are left out), and per artwork what was measured. Candidates come from the vector index
    (the words' probe vector), scores from each image's stored measurements."""
    vocabulary = measured_words(collection.embedder)
    if vocabulary is None or not found:
        return [], {}
    hits = collection.index.query(IMAGES, "image", vocabulary.probe(found), depth, filters=filters)
    owner = {h.id: h.payload["artwork_id"] for h in hits}
    ids, scores = measured_scores(collection, found, list(owner))
    best: dict[str, float] = {}
    for view, score in zip(ids, together_each(scores).tolist(), strict=True):
        if score > 0 and score > best.get(owner[view], 0.0):
            best[owner[view]] = score
    ranking = sorted(best.items(), key=lambda item: -item[1])
    words = ", ".join(f.label for f in found)
    return ranking, {artwork: f"measured: {words}" for artwork, _ in ranking}


def cross_modal_scores(collection: Collection, text: str, view_ids: Sequence[int]) -> dict[int, float]:
    """Cross-modal embedders: the cosine of the text vector with each image vector, by view id."""
    ids, vectors = stored_vectors(collection, view_ids)
    if not ids:
        return {}
    query = np.asarray(collection.embedder.embed_texts([text])[0], dtype=np.float32)
    return dict(zip(ids, (vectors @ query).tolist(), strict=True))
