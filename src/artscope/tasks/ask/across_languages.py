"""Questions in another language than English: the question kinds are read from English wording
(``classify``) and titles are matched word for word (``find_mentioned``), so a question in the
visitor's own language is read through the multilingual text model instead: its kind is that of
the nearest of a few English model questions, and its artwork the record that text search finds.
"""

from __future__ import annotations

import numpy as np

from artscope.tasks.ask.classify import Classification, classify
from artscope.tasks.ask.context import AskContext

MODEL_QUESTIONS = ("Who made it?", "When was it made?", "Where is it?", "What is it made of?", "How big is it?")
"""One English question per field kind; ``classify`` reads each."""
MIN_KIND_SIMILARITY = 0.22
"""The nearest model question counts from this cosine, and with ``KIND_MARGIN`` over the next. On
twelve questions in seven languages about the sample collection the nine field questions scored
0.249-0.41 with their kind first (by 0.05 or more); "Parlez-moi du Colisée" 0.09, "Pourquoi le Taj
Mahal est-il célèbre ?" 0.19: open questions."""
KIND_MARGIN = 0.03
FOUND_CERTAINTY = 0.8
"""How sure an answer is of an artwork that text search found for the question (no title matched)."""


def classify_across_languages(ctx: AskContext) -> Classification | None:
    """The field kind of a question in another language, or None when no model question is near."""
    vectors = ctx.collection.embedder.embed_texts([ctx.question, *MODEL_QUESTIONS])
    similarities = np.asarray(vectors[1:], dtype=np.float32) @ np.asarray(vectors[0], dtype=np.float32)
    order = np.argsort(-similarities)
    best, runner_up = float(similarities[order[0]]), float(similarities[order[1]])
    if best < MIN_KIND_SIMILARITY or best - runner_up < KIND_MARGIN:
        return None
    return classify(MODEL_QUESTIONS[int(order[0])])


def find_by_meaning(ctx: AskContext) -> None:
    """Take the artwork that multilingual text search finds for the question, when it is a good match."""
    result = ctx.collection.search(ctx.question, limit=1)
    if not result.hits or result.no_good_match:
        ctx.step("search", {"query": ctx.question}, "no good match")
        return
    hit = result.hits[0]
    ctx.record, ctx.certainty = hit.artwork, FOUND_CERTAINTY
    ctx.step("search", {"query": ctx.question}, f"{hit.artwork.id} (similarity {hit.similarity:.2f})")
