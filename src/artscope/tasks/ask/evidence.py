"""Supporting sentences: retrieve passages (BM25 + dense, fused), split them into sentences, and pick
the sentences that best answer a question, scored by shared words and embedding similarity.

For field questions (when, where, by whom, of what, how big) a sentence only counts when it holds a
value of the asked kind (a year, a place name, a material, a measurement); that value is pulled out
so that the answer can state it first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from artscope.tasks.ask.context import AskContext, passage_citation, record_citation
from artscope.tasks.ask.text import content_terms, split_sentences
from artscope.tasks.ask.types import Citation, QuestionKind
from artscope.types import Passage

K = QuestionKind

MIN_SUPPORT = 0.3
"""Below this score a sentence does not support an answer (calibrated on the sample collection)."""
MIN_FOREIGN_SUPPORT = 0.35
"""... and below this embedding similarity, for a question in another language than the texts': its
words cannot be shared, so the multilingual embedding alone scores a sentence."""

_MATERIALS = (r"marble|limestone|sandstone|granite|stone|bricks?|wood|timber|bronze|iron|steel|concrete|"
              r"glass|gold|silver|copper|clay|terracotta|oil paint|oil|tempera|watercolou?r|ink|canvas|"
              r"paper|panel|plaster|coquina|basalt|ivory|porcelain|rock|metal|metallic|wrought iron")
_UNITS = (r"m|km|cm|mm|meters|metres|meter|metre|feet|foot|ft|inches|miles|acres|kilometers|kilometres|"
          r"hectares|years|people|visitors|%")
VALUE_PATTERNS: dict[QuestionKind, re.Pattern[str]] = {
    K.DATE: re.compile(r"(?P<value>\b\d{1,2}(?:st|nd|rd|th) century(?: BCE?| AD| CE)?"
                       rf"|\b(?:c(?:a)?\.\s*)?\d{{3,4}}(?:\s*(?:BCE?|AD|CE)\b)?(?!\s*(?:{_UNITS})\b)"
                       r"|\b\d+ (?:BCE?|AD|CE)\b)"),
    K.CREATOR: re.compile(r"\bby (?:the )?(?:(?:[A-Z]\w+ )?(?:pharaoh|king|queen|emperor|empress|sultan|"
                          r"architect|artist|painter|sculptor) )?"
                          r"(?P<value>[A-Z][\w'’.-]*(?: (?:de |van |von |da |al-)?[A-Z][\w'’-]*){0,4})"),
    K.PLACE: re.compile(r"\b(?:in|at|near|on) (?:the )?"
                        r"(?P<value>[A-Z][\w'’.-]*(?:,? (?:de |del |of |the )?[A-Z][\w'’-]*){0,4})"),
    K.MATERIAL: re.compile(rf"(?P<value>\b(?:polished |white |red |pink |grey |gray |rare )?(?:{_MATERIALS})"
                           rf"(?: and (?:{_MATERIALS}))?\b)", re.IGNORECASE),
    K.DIMENSIONS: re.compile(r"(?P<value>\b\d[\d,.]*(?:-| )?(?:m|km|cm|mm|meters|metres|meter|metre|feet|"
                             r"foot|ft|inches|miles|acres|kilometers|kilometres|hectares)\b(?: \([^)]*\))?)"),
}
"""Per field kind: what a value of that kind looks like in running text."""
SELF_EVIDENT = frozenset({K.MATERIAL, K.DIMENSIONS})
"""Kinds whose values are specific enough that a sentence stating one about the artwork supports the
answer without sharing a word with the question ("What is it made of?" / "a white marble mausoleum").
Dates, places and names are not: passages give them for many reasons ("listed by UNESCO in 1987")."""


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

    kind: QuestionKind | None = None
    """A field kind: sentences must state a value of it (a year for ``date``...)."""
    k: int = 1
    min_score: float = MIN_SUPPORT
    min_overlap: float = 0.0
    """Share of the query's words a sentence must hold (beyond at least one, unless it states a value)."""
    ignore: frozenset[str] = frozenset()
    """Words that do not count as shared: the artwork's own title, when its passages are searched."""
    with_record: bool = True
    """Also consider the sentences of the record's description."""


def best_sentences(ctx: AskContext, query: str, passages: list[Passage],
                   need: Need = Need()) -> list[Evidence]:
    """The ``need.k`` sentences that best support an answer, best first (none when nothing is enough).

    Score: half the share of the query's content words that the sentence holds (synonyms count: "built"
    meets "constructed"), half the cosine of their text embeddings. A sentence must share a word, unless
    it states a value of a ``SELF_EVIDENT`` kind. A question in another language than English is scored by
    the embedding alone, and needs ``MIN_FOREIGN_SUPPORT``.
    """
    pattern = VALUE_PATTERNS.get(need.kind) if need.kind is not None else None
    candidates = []
    for sentence, citation in _candidates(ctx, passages, need.with_record):
        match = pattern.search(sentence) if pattern else None
        if pattern is None or match:
            candidates.append((sentence, citation, match.group("value").strip(" ,.") if match else None))
    terms = content_terms(query) - need.ignore
    self_evident = pattern is not None and need.kind in SELF_EVIDENT
    if not candidates or not (terms or self_evident or ctx.foreign):
        return []
    vectors = ctx.collection.embedder.embed_texts([query, *[c[0] for c in candidates]])
    cosines = np.asarray(vectors[1:], dtype=np.float32) @ np.asarray(vectors[0], dtype=np.float32)
    scored = []
    for (sentence, citation, value), cosine in zip(candidates, cosines, strict=True):
        similarity = max(float(cosine), 0.0)
        if ctx.foreign:
            score, supports = similarity, similarity >= max(need.min_score, MIN_FOREIGN_SUPPORT)
        else:
            # a question of only the title and its kind ("What is the Eiffel Tower made of?") has no words
            # to share: the embedding alone scores it
            overlap = len(terms & content_terms(sentence)) / len(terms) if terms else 0.0
            score = 0.5 * overlap + 0.5 * similarity if terms else similarity
            supports = (overlap > 0 or self_evident) and overlap >= need.min_overlap and score >= need.min_score
        if supports:
            scored.append(Evidence(sentence=sentence, score=round(score, 4), citation=citation, value=value))
    scored.sort(key=lambda e: -e.score)
    return scored[:need.k]
