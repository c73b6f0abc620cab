"""Dialogue questions chosen by expected information gain over the current candidates.

The candidates are the current search results, weighted by how likely each is the work sought
(``candidate_weights``: the best match counts most; one as weak as the median match counts e^-4 of
it). A question asks about one field (``facets.question_fields``: the facet fields, the place by
country, the year) and offers up to ``MAX_OPTIONS`` of its values plus "none of these"; the answer
expected from a visitor whose work is one of the candidates splits the weight into outcomes (each
option, none of these, don't know), and the question asked is the one whose outcomes have the
highest entropy: the answer expected to tell most. A field whose values do not split the weighted
candidates is never asked. Options are quoted in the question's text, so a value that holds a comma
("Arles, France") reads as one option.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel

from artscope.tasks.search.types import SearchHit

if TYPE_CHECKING:
    from artscope.collection import Collection

MAX_OPTIONS = 5
NONE_OF_THESE = "none of these"
MIN_GAIN = 0.1
"""Bits: a question expected to tell less is not worth the visitor's time."""
WEIGHT_SHARPNESS = 4.0
"""A candidate as weak as the median match weighs e^-4 of the best one."""
GROUPED = {"place": lambda value: value.rsplit(",", 1)[-1].strip()}
"""Fields asked about by a coarser value: a place by its country ("Arles, France" -> "France")."""
LABELS = {"artist": "Who made it", "type": "What kind of object is it", "place": "Where is it",
          "medium": "What is it made of", "genre": "Which genre is it", "style": "Which style is it"}


class Question(BaseModel):
    field: str
    text: str
    options: list[str]
    """Quick answers; a free-text answer is also accepted (it refines the query words)."""
    gain: float
    """Expected information gain of the answer (bits) over the weighted candidates."""


def candidate_weights(hits: list[SearchHit]) -> np.ndarray:
    """How likely each candidate is the work sought, from its similarity (sums to 1)."""
    similarity = np.array([h.similarity for h in hits], dtype=np.float64)
    if not len(similarity):
        return similarity
    spread = max(float(similarity.max() - np.median(similarity)), 1e-3)
    weights = np.exp((similarity - similarity.max()) * WEIGHT_SHARPNESS / spread)
    return weights / weights.sum()


def _entropy(weights: np.ndarray) -> float:
    total = float(weights.sum())
    p = weights[weights > 0] / total if total > 0 else weights[:0]
    return float(-(p * np.log2(p)).sum())


def expected_gain(weights: np.ndarray, outcomes: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Expected fall in the entropy of which candidate is sought (bits), over a question's answers:
    each answer given by the candidates ``said`` (a mask), leaving the candidates ``kept`` (a mask).
    A visitor who does not know the answer skips, which keeps everything and tells nothing."""
    prior = _entropy(weights)
    gain = 0.0
    for said, kept in outcomes:
        chance = float(weights[said].sum())
        if chance > 0 and kept.any():
            gain += chance * (prior - _entropy(weights[kept]))
    return gain


def hit_values(hit: SearchHit, field: str, group: Callable[[str], str] | None = None) -> list[str]:
    """A hit's values for a field (grouped when ``group`` is given), without repeats."""
    value = hit.artwork.payload().get(field)
    items = value if isinstance(value, list) else [value]
    shown = [str(v).strip() for v in items if v is not None and str(v).strip()]
    return list(dict.fromkeys(group(v) for v in shown)) if group else list(dict.fromkeys(shown))


def _quoted(options: list[str]) -> str:
    marked = [f"“{o}”" for o in options]
    return ", ".join(marked[:-1]) + f" or {marked[-1]}" if len(marked) > 1 else marked[0]


def keyword_question(hits: list[SearchHit], weights: np.ndarray, field: str) -> Question | None:
    """The best question about one keyword field: the options (most likely values first, as many as
    give the highest gain) and its expected information gain."""
    group = GROUPED.get(field)
    per_hit = [hit_values(h, field, group) for h in hits]
    mass: dict[str, float] = defaultdict(float)
    for values, weight in zip(per_hit, weights, strict=True):
        for value in values:
            mass[value] += weight / len(values)
    ranked = sorted(mass, key=lambda v: (-mass[v], v))
    has = {v: np.array([v in values for values in per_hit]) for v in ranked[:MAX_OPTIONS]}
    best: tuple[float, list[str]] = (0.0, [])
    for count in range(2, min(MAX_OPTIONS, len(ranked)) + 1):
        options = ranked[:count]
        first = [next((v for v in options if v in values), None) for values in per_hit]
        outcomes = [(np.array([f == v for f in first]), has[v]) for v in options]
        unlisted = np.array([bool(values) and f is None for values, f in zip(per_hit, first, strict=True)])
        outcomes.append((unlisted, np.array([not values or f is None for values, f in zip(per_hit, first,
                                                                                         strict=True)])))
        gain = expected_gain(weights, outcomes)
        if gain > best[0] + 1e-9:
            best = (gain, options)
    gain, options = best
    if gain < MIN_GAIN:
        return None
    label = LABELS.get(field, f"Which {field.replace('_', ' ')} is it")
    return Question(field=field, text=f"{label}: {_quoted(options)}, or none of these?",
                    options=[*options, NONE_OF_THESE], gain=round(gain, 4))


def year_question(hits: list[SearchHit], weights: np.ndarray) -> Question | None:
    """Before or from the weighted median year of the candidates."""
    years = np.array([h.artwork.year_start if h.artwork.year_start is not None else -10**9 for h in hits])
    dated = years > -10**9
    if len(set(years[dated].tolist())) < 2:
        return None
    order = np.argsort(years[dated], kind="stable")
    cumulative = np.cumsum(weights[dated][order])
    pivot = int(years[dated][order][np.searchsorted(cumulative, cumulative[-1] / 2)])
    if pivot == years[dated].min():  # "before the earliest year" would split nothing: split after it
        pivot = int(years[dated][years[dated] > pivot].min())
    before, later = dated & (years < pivot), dated & (years >= pivot)
    gain = expected_gain(weights, [(before, before), (later, later)])
    if gain < MIN_GAIN:
        return None
    options = [f"before {pivot}", f"{pivot} or later"]
    return Question(field="year", text=f"When was it made: {_quoted(options)}?", options=options,
                    gain=round(gain, 4))


def choose_question(hits: list[SearchHit], asked: set[str], fields: list[str]) -> Question | None:
    """The question with the highest expected information gain, among fields not asked yet."""
    weights = candidate_weights(hits)
    best: Question | None = None
    for field in fields:
        if field in asked:
            continue
        question = year_question(hits, weights) if field == "year" else keyword_question(hits, weights, field)
        if question is not None and (best is None or question.gain > best.gain):
            best = question
    return best


def filter_values(collection: Collection, field: str, option: str) -> list[str]:
    """The catalogue values an option stands for: itself, or for a grouped field every value of the
    group ("France" -> "Arles, France", "Paris, France", ...)."""
    group = GROUPED.get(field)
    if group is None:
        return [option]
    values = [r[0] for r in collection.catalog.conn.execute(  # grouped fields are catalogue columns
        f"SELECT DISTINCT {field} FROM artworks WHERE {field} IS NOT NULL")]
    return [v for v in values if group(v) == option]


def excluded(hit: SearchHit, field: str, options: list[str]) -> bool:
    """True when every value the hit has for the field is one the visitor said it is not."""
    values = hit_values(hit, field, GROUPED.get(field))
    return bool(values) and all(v in options for v in values)
