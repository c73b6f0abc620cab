"""Supporting sentences: retrieve passages (BM25 + dense, fused), split them into sentences, and pick
the sentences that best answer a question, scored by shared words and embedding similarity.

When the question has a focus (``focus``: a value of a field's kind, who did it, what it was for, a
river, a quantity...) a sentence only counts when it states one; that value is pulled out so that
the answer can state it first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from artscope.tasks.ask.context import AskContext, passage_citation, record_citation
from artscope.tasks.ask.focus import Focus
from artscope.tasks.ask.text import STOPWORDS, content_terms, split_sentences, words
from artscope.tasks.ask.types import Citation
from artscope.types import Passage

MIN_SUPPORT = 0.3
"""Below this score a sentence does not support an answer (calibrated on the sample collection)."""
MIN_FOREIGN_SUPPORT = 0.35
"""... and below this embedding similarity, for a question in another language than the texts': its
words cannot be shared, so the multilingual embedding alone scores a sentence."""


@dataclass
class Evidence:
    """A sentence that supports an answer, its score, the value it states and its citation."""

    sentence: str
    score: float
    citation: Citation
    value: str | None = None


def retrieve_passages(ctx: AskContext, query: str, limit: int = 8,
                      artwork_id: str | None = None) -> list[Passage]:
    """Passages for a query (the collection's hybrid passage search); only the artwork's own when it is known."""
    if artwork_id is not None:
        return ctx.collection.catalog.passages_for(artwork_id)
    return [hit.passage for hit in ctx.collection.passages(query, limit=limit).hits]


def _candidates(ctx: AskContext, passages: list[Passage], with_record: bool) -> list[tuple[str, Citation]]:
    """(sentence, citation) pairs from the passages and the record's description, without repeats."""
    seen: set[str] = set()
    out: list[tuple[str, Citation]] = []
    for passage in passages:
        for sentence in split_sentences(passage.text):
            if sentence not in seen:
                seen.add(sentence)
                out.append((sentence, passage_citation(passage, sentence)))
    record = ctx.record
    if with_record and record is not None and record.description:
        for sentence in split_sentences(record.description):
            if sentence not in seen:  # the sample collection's passages repeat descriptions: cite the passage
                seen.add(sentence)
                out.append((sentence, record_citation(ctx.collection, record, "description", sentence)))
    return out


@dataclass(frozen=True)
class Need:
    """What counts as support for an answer."""

    focus: Focus | None = None
    """Sentences must state a value of it (a year for a date question, a clause of purpose...)."""
    k: int = 1
    min_score: float = MIN_SUPPORT
    min_overlap: float = 0.0
    """Share of the query's words a sentence must hold (beyond at least one, unless it states a value)."""
    ignore: frozenset[str] = frozenset()
    """Words that do not count as shared: the artwork's own title, when its passages are searched."""
    with_record: bool = True
    """Also consider the sentences of the record's description."""


def _new_value(value: str | None, query: str) -> bool:
    """A name the question does not already hold (not "He", not the work's own name)."""
    asked = set(words(query)) | STOPWORDS
    return bool(value) and any(w not in asked for w in words(value or ""))


def best_sentences(ctx: AskContext, query: str, passages: list[Passage],
                   need: Need = Need()) -> list[Evidence]:
    """The ``need.k`` sentences that best support an answer, best first (none when nothing is enough).

    Score: half the share of the query's content words that the sentence holds (synonyms count: "built"
    meets "constructed"), half the cosine of their text embeddings. Without a focus a sentence must
    share a word and score ``need.min_score``; with one, stating the focus's value is what counts (a
    sentence of a self-evident focus, a material or a measurement, need not share a word), and the
    score only orders them. A question in another language than English is scored by the embedding
    alone, and needs ``MIN_FOREIGN_SUPPORT``.
    """
    focus = need.focus
    candidates = []
    for sentence, citation in _candidates(ctx, passages, need.with_record):
        match = focus.answer.search(sentence) if focus else None
        value = focus.value(match) if focus and match else None
        if value and focus is not None and focus.capitalise:
            value = value[:1].upper() + value[1:]
        if focus is None or (value and (not focus.new_name or _new_value(value, query))):
            candidates.append((sentence, citation, value))
    terms = content_terms(query) - need.ignore
    self_evident = focus is not None and focus.self_evident
    if not candidates or not (terms or self_evident or focus is not None or ctx.foreign):
        return []
    vectors = ctx.collection.embedder.embed_texts([query, *[c[0] for c in candidates]])
    cosines = np.asarray(vectors[1:], dtype=np.float32) @ np.asarray(vectors[0], dtype=np.float32)
    scored = []
    for (sentence, citation, value), cosine in zip(candidates, cosines, strict=True):
        similarity = max(float(cosine), 0.0)
        if ctx.foreign:
            score = similarity
            accepted = similarity >= max(need.min_score, MIN_FOREIGN_SUPPORT)
        else:
            # a question of only the title and its kind ("What is the Eiffel Tower made of?") has no words
            # to share: the embedding alone scores it
            overlap = len(terms & content_terms(sentence)) / len(terms) if terms else 0.0
            score = 0.5 * overlap + 0.5 * similarity if terms else similarity
            if focus is not None:
                accepted = (overlap > 0 or self_evident or not terms or not focus.shares_words) \
                    and overlap >= need.min_overlap
            else:
                accepted = overlap > 0 and overlap >= need.min_overlap and score >= need.min_score
        if accepted:
            scored.append(Evidence(sentence=sentence, score=round(score, 4), citation=citation, value=value))
    scored.sort(key=lambda e: -e.score)
    return scored[:need.k]
