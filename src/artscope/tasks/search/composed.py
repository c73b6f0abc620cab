"""Composed search without a language model: a reference image plus a change in words ("this, but at
night"). Each candidate gets one number, and the results are ordered by it:

    composed match = √(look × change)

* **look**: how much the candidate looks like the reference, from the image cosine rescaled so that 1
  is the reference itself and 0 is as unlike it as the ``POOL``-th most similar work. The cosine is
  taken over what the change leaves alone: for "at night" the builtin embedder's layout and
  composition, not the light and colour that the change is about (``MeasuredWords.unchanged``);
* **change**: how far the candidate meets the change words: words that image measurements decide
  (builtin embedder: night, snow, colours, black and white, vertical...; ``pixels``), or for
  cross-modal embedders the text vector against the image (rescaled over the candidates), and the
  other words matched against its record and passages (``words``, the best calibrated text
  similarity), combined by geometric mean. Filler ("the same, but ...") counts for nothing.

Every hit carries the parts as signals (``look``, ``pixels``, ``words``), so the number on a card can
be explained.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from artscope.embedders.base import FoundWord, l2_normalize, measured_words
from artscope.index import IMAGES
from artscope.tasks.search.fusion import Ranking
from artscope.tasks.search.pixels import cross_modal_scores, meets, stored_vectors, together
from artscope.tasks.search.types import Signal
from artscope.types import Filters

if TYPE_CHECKING:
    from artscope.collection import Collection

POOL = 50
"""Look is 0 from the POOL-th most similar work on (every candidate of the image signal is still
ranked: by composed match, then look)."""
SCORE_LABEL = "composed match"
_FILLER_TEXT = """a an the of in on at to for from by with and or but is are was were be it its this that
these those same similar like one version image picture photo photograph painting artwork work scene view
instead again please show me find give make look looks looking more less rather now then as so just only
also"""
_FILLER = frozenset(_FILLER_TEXT.split())
"""Words of a change that ask for nothing ("the same, but ...")."""
_NEGATORS = frozenset({"not", "no", "without", "non", "never"})
_WORD = re.compile(r"[^\W_]+")


def change_words(text: str, found: list[FoundWord]) -> str:
    """The words of the change that neither image measurements decide nor are filler."""
    measured = {w for f in found for w in f.written.split()}
    kept = [w for w in _WORD.findall(text.lower().replace("&", " "))
            if w not in _FILLER and w not in measured and w not in _NEGATORS and len(w) > 1]
    return " ".join(kept)


@dataclass
class Change:
    """The change of a composed query, read three ways (any of them may be absent)."""

    text: str
    found: list[FoundWord] = field(default_factory=list)
    """Words the embedder's image measurements decide (builtin embedder)."""
    words: str = ""
    """The other words, matched against records and passages."""
    word_rankings: dict[str, Ranking] = field(default_factory=dict)
    """Text signals for ``words`` (bm25, text), from the search engine."""
    cross_modal: bool = False
    """The embedder reads the whole change text as pixels (CLIP, SigLIP...)."""

    def describe(self) -> str:
        parts = [f"{f.label} ({f.meaning})" for f in self.found]
        if self.cross_modal:
            parts.append(f"the text {self.text!r} against the pictures (cross-modal embedder)")
        if self.words:
            parts.append(f"the words {self.words!r} against records and passages")
        return "; ".join(parts) or "nothing: the change words are all filler"


def unchanged_ranking(collection: Collection, change: Change, query: np.ndarray, filters: Filters, depth: int,
                      exclude: set[str]) -> tuple[Ranking, dict[str, int]] | None:
    """The image signal over the parts of the vector the change leaves alone: (artwork, cosine) best
    first and each artwork's best view; None when the change alters nothing measured."""
    vocabulary = measured_words(collection.embedder)
    if vocabulary is None or not change.found:
        return None
    mask = vocabulary.unchanged(change.found)
    probe = l2_normalize(np.asarray(query, dtype=np.float32) * mask)
    hits = collection.index.query(IMAGES, "image", probe, depth + len(exclude), filters=filters)
    owner = {h.id: h.payload["artwork_id"] for h in hits if h.payload["artwork_id"] not in exclude}
    ids, vectors = stored_vectors(collection, list(owner))
    kept = vectors * mask
    cosines = kept @ probe / np.maximum(np.linalg.norm(kept, axis=1), 1e-12)
    ranking: Ranking = []
    views: dict[str, int] = {}
    for i in np.argsort(-cosines, kind="stable"):
        artwork = owner[ids[i]]
        if artwork not in views:
            views[artwork] = ids[i]
            ranking.append((artwork, float(cosines[i])))
    return ranking, views


def _look(image: Ranking) -> dict[str, float]:
    """Every candidate's look: its cosine rescaled between the POOL-th most similar work (0) and 1."""
    cosines: dict[str, float] = {}
    for artwork, cosine in image:  # an artwork's first entry is its best view
        cosines.setdefault(artwork, cosine)
    ranked = sorted(cosines.values(), reverse=True)
    floor = ranked[min(POOL, len(ranked)) - 1] if ranked else 0.0
    span = max(1.0 - floor, 1e-6)
    return {artwork: float(np.clip((cosine - floor) / span, 0.0, 1.0)) for artwork, cosine in cosines.items()}


def _words(change: Change, similarity: Callable[[Signal], float]) -> dict[str, float]:
    best: dict[str, float] = {}
    for name, ranking in change.word_rankings.items():
        for rank, (artwork, score) in enumerate(ranking, start=1):
            value = similarity(Signal(name=name, rank=rank, score=score))
            best[artwork] = max(best.get(artwork, 0.0), value)
    return best


def _pixels(collection: Collection, change: Change, views: dict[str, int]) -> dict[str, float]:
    by_view = {view: artwork for artwork, view in views.items()}
    if change.cross_modal:
        cosines = cross_modal_scores(collection, change.text, list(by_view))
        if not cosines:
            return {}
        low, high = min(cosines.values()), max(cosines.values())
        return {by_view[v]: (c - low) / max(high - low, 1e-6) for v, c in cosines.items()}
    return {by_view[view]: together(scores) for view, scores in meets(collection, change.found, list(by_view)).items()}


def compose(collection: Collection, change: Change, image: Ranking, views: dict[str, int],
            similarity: Callable[[Signal], float]) -> list[tuple[str, float, list[Signal]]]:
    """(artwork, composed match, its parts as signals), best first, over the works that look most like
    the reference. ``image``: the image signal (artwork, cosine), best first; ``views``: the
    best-matching view of each artwork; ``similarity``: the engine's calibration of a text signal."""
    look = _look(image)
    pool = sorted(look, key=lambda artwork: -look[artwork])
    components: dict[str, dict[str, float]] = {}
    if change.found or change.cross_modal:
        components["pixels"] = _pixels(collection, change, {a: views[a] for a in pool if a in views})
    if change.words:
        components["words"] = _words(change, similarity)
    rows = []
    for artwork in pool:
        parts = [values.get(artwork, 0.0) for values in components.values()]
        met = together(np.array(parts)) if parts else 1.0
        rows.append((artwork, float(np.sqrt(look[artwork] * met)), met))
    rows.sort(key=lambda row: (-row[1], -look[row[0]], row[0]))
    ranks = {name: _ranks(values) for name, values in {"look": look, **components}.items()}
    evidence = {"pixels": ", ".join(f.label for f in change.found) or None, "words": change.words or None}
    out = []
    for artwork, score, _ in rows:
        signals = [Signal(name=name, rank=ranks[name].get(artwork, len(pool)), score=round(values.get(artwork, 0.0), 6),
                          evidence=evidence.get(name)) for name, values in {"look": look, **components}.items()]
        out.append((artwork, score, signals))
    return out


def _ranks(values: dict[str, float]) -> dict[str, int]:
    return {key: rank for rank, key in enumerate(sorted(values, key=lambda k: -values[k]), start=1)}
