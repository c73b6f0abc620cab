"""Does the evidence an answer cites support each of its sentences?

A citation only proves that something exists; this checks that the cited field value or passage
says what the sentence claims. A sentence is supported when

* every name, number and date it states is in its evidence, word for word (names: every word of a
  run of capitalised words; numbers: the digits, thousands separators aside), or in the question
  itself, or in the title of a cited artwork ("Paul Gauguin [record:x.artists]" over a record naming
  Vincent van Gogh fails here);
* and what else it says is in the evidence: every content word beyond the question's (stems and
  synonyms count: "built" meets "constructed"), or, for a paraphrase, three in four of them with
  the sentence embedding (the bundled MiniLM) close to one of the evidence's sentences (cosine >=
  ``PARAPHRASE``). "Built to mark the end of a war" over "built ... to mark the end of plague"
  fails: "war" is one new word in three.

A sentence's evidence is what it cites: inline markers for the language model's answers, the
answer's citations for the model-free answerer's (which quotes its evidence). A sentence that cites
nothing but states a name, a number or new content is unsupported too. Unsupported sentences are
removed; the caller flags the answer and lowers its confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from artscope.errors import NotFoundError
from artscope.tasks.ask.context import AskContext, field_text
from artscope.tasks.ask.text import STOPWORDS, content_terms, split_sentences, words
from artscope.tasks.ask.types import NOT_IN_RECORDS, Citation

MIN_COVERAGE = 0.75
"""Share of a sentence's new content words that its evidence must hold when it paraphrases."""
PARAPHRASE = 0.6
"""MiniLM cosine to an evidence sentence from which a sentence counts as restating it."""
_MARKER = re.compile(r"\s?\[(?:record|passage|prediction):[^\]]*\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CAPITALISED = re.compile(r"[A-Z][\w'’.-]*")
_PARTICLES = frozenset({"van", "von", "de", "da", "del", "der", "di", "du", "la", "le", "of", "the", "al", "bin",
                        "ibn", "y", "and"})
_STARTERS = frozenset({"built", "made", "found", "yes", "no", "perhaps", "here", "there", "also", "both", "each",
                       "one", "two", "three", "most", "many", "some", "several", "only", "often", "once", "later",
                       "earlier", "originally", "today", "now", "not", "nothing", "none", "neither", "unlike"})
"""Words that begin sentences without being names (with the stopwords, and words in -ed, -ing, -ly)."""


META = (NOT_IN_RECORDS, "The collection's records do not say", "The catalogue record of", "This is “",
        "Measured from the image", "Predicted and measured from the image")
"""How the answerer's own framing sentences begin: they state no claim about a work."""


FIELD_MEANINGS = {
    "date": "date dated year made created painted built constructed completed",
    "artists": "artist painted made created built designed drew sculpted",
    "place": "place located situated stands lies country city",
    "medium": "medium material made painted",
    "type": "type kind object",
    "institution": "museum gallery held kept owned collection",
    "dimensions": "size measures measuring high tall wide long",
    "license": "licence license rights",
    "subjects": "depicts shows represents subject",
}
"""What a record field's value means, so that "It was painted in 1888 [record:x.date]" restates the date."""


@dataclass
class Support:
    """The checked text: the sentences kept, and those removed as unsupported."""

    text: str
    removed: list[str] = field(default_factory=list)
    checked: int = 0
    """Sentences that made a claim (were checked)."""


def evidence_of(ctx: AskContext, citation: Citation) -> str:
    """The full text a citation stands for: a record field's value (with the record's title, the
    subject it is about), a whole passage, or a prediction's value and probability."""
    catalog = ctx.collection.catalog
    if citation.kind == "passage" and citation.passage_id:
        try:
            return catalog.get_passage(citation.passage_id).text
        except NotFoundError:
            return citation.quote or ""
    if citation.kind == "record-field" and citation.artwork_id:
        try:
            record = catalog.get(citation.artwork_id)
        except NotFoundError:
            return citation.quote or ""
        meaning = FIELD_MEANINGS.get(citation.field or "", "")
        return " ".join(x for x in (record.title, field_text(record, citation.field or ""), meaning) if x)
    parts = [citation.quote or "", citation.field or "", citation.source or "",
             "predicted prediction probability likely measured measurement model image"]
    if citation.probability is not None:
        parts.append(f"{citation.probability:.2f} {citation.probability:.3f} {citation.probability * 100:.0f}")
    return " ".join(parts + ctx.measured.get((citation.artwork_id or "image", citation.field or ""), []))


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def _starter(token: str) -> bool:
    lower = token.lower()
    return lower in STOPWORDS or lower in _STARTERS or lower.endswith(("ed", "ing", "ly"))


def names(sentence: str) -> list[list[str]]:
    """Runs of capitalised words (with particles between: "Vincent van Gogh"), as folded words. A
    capitalised first word that usually starts sentences ("It", "Built", "Originally") is no name."""
    tokens = re.findall(r"[\w'’.-]+", sentence)
    runs: list[list[str]] = []
    current: list[str] = []
    for i, token in enumerate([*tokens, ""]):
        if token and token != "I" and _CAPITALISED.fullmatch(token) and not (i == 0 and _starter(token)):
            current.append(token)
            continue
        if token.lower() in _PARTICLES and current:
            current.append(token)
            continue
        while current and current[-1].lower() in _PARTICLES:
            current.pop()
        if current:
            runs.append([w for t in current for w in words(t)])
        current = []
    return [r for r in runs if r]


def _claims_hold(sentence: str, evidence: str, given: str) -> bool:
    """Every number and every word of every name is in the evidence or given (question, titles)."""
    known = _numbers(evidence) | _numbers(given)
    if not _numbers(sentence) <= known:
        return False
    vocabulary = set(words(evidence)) | set(words(given))
    return all(w in vocabulary for run in names(sentence) for w in run if w not in _PARTICLES)


def _said(ctx: AskContext, sentence: str, evidence: str, given: str) -> bool:
    """The sentence's new content words are in the evidence, or it restates an evidence sentence."""
    new = content_terms(sentence) - content_terms(given)
    if not new:
        return True
    coverage = len(new & content_terms(evidence)) / len(new)
    if coverage == 1.0:
        return True
    if coverage < MIN_COVERAGE:
        return False
    candidates = split_sentences(evidence)[:40]
    if not candidates:
        return False
    vectors = np.asarray(ctx.collection.embedder.embed_texts([sentence, *candidates]), dtype=np.float32)
    return float((vectors[1:] @ vectors[0]).max()) >= PARAPHRASE


def _given(ctx: AskContext, citations: list[Citation]) -> str:
    """What a sentence may restate without evidence: the question, and the titles of the artworks
    the answer is about or cites."""
    ids = list(dict.fromkeys(c.artwork_id for c in citations if c.artwork_id))
    titles = [r.title or "" for r in ctx.collection.catalog.get_many(ids)] if ids else []
    return " ".join([ctx.question, ctx.record.title or "" if ctx.record is not None else "", *titles])


def supported(ctx: AskContext, sentence: str, citations: list[Citation]) -> bool:
    """True when the citations' evidence supports the sentence (markers in it are ignored)."""
    plain = _MARKER.sub("", sentence).strip()
    given = _given(ctx, citations)
    evidence = " ".join(evidence_of(ctx, c) for c in citations)
    if not citations:
        return not (_numbers(plain) - _numbers(given)) and not names(plain) and \
            len(content_terms(plain) - content_terms(given)) < 2
    return _claims_hold(plain, evidence, given) and _said(ctx, plain, evidence, given)


def check_sentences(ctx: AskContext, text: str, citations_of: dict[str, Citation] | None = None,
                    cited: list[Citation] | None = None) -> Support:
    """Keep the sentences of ``text`` that their evidence supports. ``citations_of``: inline markers ->
    citations (language-model answers); ``cited``: the citations every sentence may draw on
    (model-free answers)."""
    kept, removed, checked = [], [], 0
    for sentence in split_sentences(text):
        if sentence.startswith(META):
            kept.append(sentence)
            continue
        markers = [m.strip() for m in _MARKER.findall(sentence)]
        own = [citations_of[m] for m in markers if citations_of and m in citations_of]
        evidence = own if citations_of is not None else (cited or [])
        checked += 1
        if supported(ctx, sentence, evidence):
            kept.append(sentence)
        else:
            removed.append(_MARKER.sub("", sentence).strip())
    return Support(text=" ".join(kept), removed=removed, checked=checked)
