"""Predictions and measurements as evidence: predicted attributes (``collection.describe``) and
aesthetic measurements (``collection.score``), always labelled as such, never as catalogue facts.

Reached only through the public ``Collection`` methods; a collection without a trained attributes head,
or an artwork without an image, simply yields no prediction (with a note saying why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from artscope.errors import ArtscopeError
from artscope.tasks.ask.context import AskContext, shorten
from artscope.tasks.ask.text import words
from artscope.tasks.ask.types import Citation

MAX_MEASURED_SENTENCES = 3
# Question words -> the measurement keys (prefixes) of the aesthetics task that answer them.
_TOPICS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(r"^(colou?rs?|colou?rful|palette|hues?|saturat\w*|warm|cool)$"), ("colour.",)),
    (re.compile(r"^(bright\w*|dark\w*|light|lighting|exposure|tones?|tonal|contrast)$"),
     ("colour.key", "colour.contrast", "colour.value_range", "technical.brightness",
      "technical.dynamic_range")),
    (re.compile(r"^(composition|composed|balance\w*|symmetr\w*|thirds|layout|lines?)$"), ("composition.",)),
    (re.compile(r"^(sharp\w*|blur\w*|focus|noise|noisy|resolution)$"), ("technical.",)),
    (re.compile(r"^(mood|feel|feeling|emotion\w*|calm|lively)$"), ("affect.",)),
    (re.compile(r"^(original\w*|unusual|typical)$"), ("originality.",)),
]
_OVERALL = re.compile(r"^(beautiful|beauty|aesthetic\w*|quality|good|rate|rating|score|pleasing|attractive)$")
TOPIC_WORDS = (re.compile("|".join(p.pattern for p, _ in _TOPICS) + "|" + _OVERALL.pattern))
"""Words of a question that image measurements can speak to."""


@dataclass
class Predicted:
    """A labelled prediction or measurement: its sentence and its citation."""

    sentence: str
    citation: Citation


def _target(ctx: AskContext) -> dict[str, Any] | None:
    """Arguments for describe/score: the query image, else the artwork's stored image."""
    if ctx.image is not None:
        return {"image": ctx.image}
    if ctx.record is not None and ctx.record.views:
        return {"artwork_id": ctx.record.id}
    return None


def predicted_attributes(ctx: AskContext, fields: tuple[str, ...]) -> list[Predicted]:
    """Confident predictions of the named attribute fields (``artist``, ``style``...), best first."""
    target = _target(ctx)
    if target is None or not fields:
        return []
    try:
        description = ctx.collection.describe(**target)
    except ArtscopeError as exc:  # no trained head, no image: a prediction is simply not available
        ctx.step("attributes", {"fields": list(fields)}, error=str(exc))
        return []
    found = [p for p in description.fields if p.field in fields and not p.unknown]
    ctx.step("attributes", {"fields": list(fields)},
             "; ".join(f"{p.field}: {p.label} ({p.probability:.2f})" for p in found) or "nothing confident")
    found.sort(key=lambda p: (fields.index(p.field), -p.probability))
    subject = ctx.record.id if ctx.record is not None else None
    return [Predicted(sentence=f"{p.label}. Predicted {p.field}, probability {p.probability:.2f}: a model's "
                               "prediction, not a statement of the collection's records.",
                      citation=Citation(kind="prediction", artwork_id=subject, field=p.field, quote=p.label,
                                        probability=round(p.probability, 4),
                                        source=f"attributes model {description.model} {description.version}"))
            for p in found]


def _wanted_keys(question: str) -> tuple[list[str], bool]:
    """(measurement key prefixes the question asks about, whether it asks for an overall judgement)."""
    keys: list[str] = []
    overall = False
    for word in words(question):
        overall = overall or bool(_OVERALL.match(word))
        for pattern, prefixes in _TOPICS:
            if pattern.match(word):
                keys += [k for k in prefixes if k not in keys]
    return keys, overall


def measured_aesthetics(ctx: AskContext, describe: bool = False) -> list[Predicted]:
    """Sentences of the aesthetics task whose measurements speak to the question (colour, light,
    composition, sharpness, mood, originality, or the overall score); with ``describe``, its measured
    description of the image whatever the question."""
    keys, overall = _wanted_keys(ctx.question)
    target = _target(ctx)
    if target is None or not (keys or overall or describe):
        return []
    try:
        result = ctx.collection.score(**target)
    except ArtscopeError as exc:
        ctx.step("aesthetics", {}, error=str(exc))
        return []
    status = "calibrated score" if result.calibrated else "uncalibrated measurement"
    source = f"aesthetics ({status}{', head ' + result.head.name if result.head else ''})"
    subject = ctx.record.id if ctx.record is not None else None
    picked: list[Predicted] = []
    if overall:
        picked.append(Predicted(
            sentence=f"Aesthetic score {result.total:.0f}/100 ({status}, not a statement of the records).",
            citation=Citation(kind="prediction", artwork_id=subject, field="total", source=source,
                              quote=f"{result.total:.1f}")))
    sentences = result.description.sentences() if describe else \
        [s for items in result.comments.values() for s in items] + result.description.sentences()
    seen: set[str] = set()
    for sentence in sentences:
        wanted = describe or any(c.startswith(k) for c in sentence.cites for k in keys)
        if sentence.text in seen or not wanted:
            continue
        seen.add(sentence.text)
        picked.append(Predicted(sentence=sentence.text, citation=Citation(
            kind="prediction", artwork_id=subject, field=", ".join(sentence.cites), source=source,
            quote=shorten(sentence.text))))
    ctx.step("aesthetics", {"measurements": keys or ["total"]}, f"{len(picked)} measured statements")
    return picked[:MAX_MEASURED_SENTENCES + int(overall)]
