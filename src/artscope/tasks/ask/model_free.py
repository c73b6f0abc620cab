"""The model-free answerer (the default): answers from the catalogue record, the passages, and, clearly
labelled, predictions and measurements. It says "not in the collection's records" rather than guess.

Order of evidence for a question about one artwork: the record field that answers its kind (the bare
value first, then a supporting sentence); else the sentence of its passages that states a value of the
asked kind; else a predicted attribute with its probability; else no answer. Open questions take the
best supporting sentences; visual questions take what the records say, else image measurements when
they speak to the question. Questions about no particular artwork search all passages; counts and
lists query the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import replace

from artscope.tasks.ask.catalogue_query import answer_collection_question
from artscope.tasks.ask.classify import classify, normalise_question
from artscope.tasks.ask.context import AskContext, field_text, passage_citation, record_citation
from artscope.tasks.ask.evidence import Evidence, Need, best_sentences, retrieve_passages
from artscope.tasks.ask.focus import Focus, question_focus
from artscope.tasks.ask.predictions import TOPIC_WORDS, measured_aesthetics, predicted_attributes
from artscope.tasks.ask.support import check_sentences
from artscope.tasks.ask.text import STOPWORDS, contains_phrase, content_terms, split_sentences, stem, words
from artscope.tasks.ask.types import NOT_IN_RECORDS, Answer, Citation, Flag, QuestionKind
from artscope.types import ArtworkRecord, Passage

K = QuestionKind
RECORD_CONFIDENCE = 0.95
"""A value stated by the catalogue record (the record itself may of course be wrong)."""
PASSAGE_CONFIDENCE_MAX = 0.85
VISUAL_MIN_SUPPORT = 0.4
"""Visual questions need a closer textual match: records seldom describe what a picture looks like."""
LEAD_SENTENCES = 2
SEARCHED_CERTAINTY = 0.8
"""How sure an answer found by searching every passage is that the passage's work is the one meant."""
COLLECTION_MIN_OVERLAP = 0.5
"""Searching every passage finds loosely related sentences: half the question's words must be in one."""
_GENERIC = frozenset({"painting", "picture", "image", "photo", "photograph", "depict", "show", "about",
                      "subject", "describe", "tell", "more", "history", "story", "know", "main", "dominant",
                      "overall", "use", "used", "represent", "scene", "explain"})
"""Words that make a question generic ("tell me about this painting"): it is answered by the lead."""
DESCRIBED_ATTRIBUTES = ("artist", "style", "genre")
"""Predicted attributes that open the description of an image that is not in the collection."""
FIELD_WORDS = frozenset(content_terms(
    "build paint date locate size artist author title call name material medium technique use type kind sort "
    "style genre period museum gallery hold house keep own license licence credit right language inscription "
    "inscribe write subject depict show represent old come origin originally place country city region "
    "dimension measure object thing called named held kept owned housed written inscribed depicted shown "
    "represented located situated"))
"""Words that only restate what a field question asks (as ``content_terms`` spells them)."""
OBJECT_WORDS = frozenset(content_terms("painting picture image photo photograph artwork object piece item thing"))
"""Words that name the work itself, not something asked about it."""
LABELS = {"artists": "artist", "subjects": "subjects", "medium": "medium", "type": "object type"}
_PARTS = re.compile(r",?\s+and\s+(?=(?:who|what|when|where|why|how|which|whom|whose)\b)", re.IGNORECASE)
"""Where a question asking two things splits ("Who built it and what was it used for?")."""


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " "))


def _title(record: ArtworkRecord) -> str:
    return f"“{record.title}”" if record.title else record.id


def _not_in_records(ctx: AskContext, why: str) -> Answer:
    return ctx.answer(f"{NOT_IN_RECORDS} {why}", [], 0.0, flags=[Flag.NO_ANSWER])


def _predicted(ctx: AskContext, certainty: float) -> Answer | None:
    """The most probable confident prediction of an attribute that answers the question, if any."""
    predicted = predicted_attributes(ctx, ctx.classification.predictable)
    if not predicted:
        return None
    best = predicted[0]
    return ctx.answer(best.sentence, [best.citation], (best.citation.probability or 0.0) * certainty,
                      flags=[Flag.PREDICTION])


def _focus(ctx: AskContext) -> Focus | None:
    return question_focus(ctx.classification, normalise_question(ctx.question))


def _from_evidence(ctx: AskContext, evidence: list[Evidence], certainty: float) -> Answer:
    """An answer stating the value found (if any) first, then the supporting sentences."""
    lead = evidence[0]
    sentences = " ".join(e.sentence for e in evidence)
    value = lead.value
    text = f"{value.rstrip('.')}{'' if value.endswith('…') else '.'} {sentences}" if value else sentences
    citations: dict[str, Citation] = {}
    for item in evidence:  # two sentences of one passage are one citation quoting both
        known = citations.setdefault(item.citation.marker, item.citation)
        if known is not item.citation:
            known.quote = f"{known.quote} {item.citation.quote}"
    confidence = min(PASSAGE_CONFIDENCE_MAX, 0.3 + lead.score) * certainty
    return ctx.answer(text, list(citations.values()), confidence)


def answer_model_free(ctx: AskContext) -> Answer:
    """The model-free answer to the question in ``ctx``, every sentence checked against what it cites."""
    if ctx.classification.collection_level:
        return answer_collection_question(ctx, ctx.question)
    if ctx.identified is not None and not ctx.identified.in_collection:
        return _about_unknown_image(ctx)
    parts = [p.strip() for p in _PARTS.split(ctx.question) if p.strip()]
    answer = _answer_parts(ctx, parts) if len(parts) > 1 and ctx.record is not None else _answer_one(ctx)
    return _supported(ctx, answer)


def _answer_one(ctx: AskContext) -> Answer:
    if ctx.record is None:
        return _from_all_passages(ctx)
    if ctx.classification.kind == K.VISUAL:
        return _visual(ctx, ctx.record)
    if ctx.classification.field_question:
        return _field(ctx, ctx.record)
    return _open(ctx, ctx.record)


def _answer_parts(ctx: AskContext, parts: list[str]) -> Answer:
    """A question that asks two things: each part answered on its own about the same artwork; the
    answer gives what was found and says what was not."""
    answers = [_answer_one(replace(ctx, question=part, classification=classify(part))) for part in parts]
    given = [a for a in answers if a.answered]
    if not given:
        return _not_in_records(ctx, f"Nothing the collection holds about {_title(ctx.record)} answers this.")
    missing = [p.rstrip("?. ") for p, a in zip(parts, answers, strict=True) if not a.answered]
    text = " ".join(a.text for a in given)
    if missing:
        text += " The collection's records do not say " + " or ".join(m[0].lower() + m[1:] for m in missing) + "."
    citations = list({c.marker: c for a in given for c in a.citations}.values())
    confidence = min(a.confidence for a in given) * len(given) / len(answers)
    flags = [f for a in given for f in a.flags]
    return ctx.answer(text, citations, confidence, flags=flags)


def _supported(ctx: AskContext, answer: Answer) -> Answer:
    """The answer without sentences that its record and passage citations do not support (labelled
    predictions and measurements are quoted as measured and left as they are)."""
    if not answer.answered or Flag.PREDICTION in answer.flags or not answer.citations:
        return answer
    support = check_sentences(ctx, answer.text, cited=answer.citations)
    if not support.removed:
        return answer
    ctx.notes.append("Removed sentences that the cited records and passages do not support: " +
                     " | ".join(support.removed))
    if not support.text:
        refusal = _not_in_records(ctx, "What was found is not supported by the records it would cite.")
        return refusal.model_copy(update={"flags": [*refusal.flags, Flag.UNSUPPORTED]})
    kept = 1 - len(support.removed) / max(support.checked, 1)
    return answer.model_copy(update={"text": support.text, "confidence": round(answer.confidence * kept, 4),
                                     "flags": [*answer.flags, Flag.UNSUPPORTED], "notes": list(ctx.notes)})


def _record_answer(ctx: AskContext, record: ArtworkRecord, name: str, value: str,
                   passages: list[Passage], ignore: frozenset[str]) -> Answer:
    """The record's value first, then a sentence of the passages that states it (or says the record does)."""
    parts = [value, *(p for p in re.split(r"[,;]", value) if len(p.strip()) >= 3)]
    found = best_sentences(ctx, f"{ctx.question} {value}", passages, Need(k=3, ignore=ignore))
    support = [e for e in found if any(contains_phrase(e.sentence, part) for part in parts)]
    sentence = support[0].sentence if support else \
        f"The catalogue record of {_title(record)} gives its {_label(name)} as {value}."
    citations = [record_citation(ctx.collection, record, name), *(e.citation for e in support[:1])]
    return ctx.answer(f"{value.rstrip('.')}. {sentence}", citations, RECORD_CONFIDENCE * ctx.certainty)


def _field(ctx: AskContext, record: ArtworkRecord) -> Answer:
    kind, fields = ctx.classification.kind, ctx.classification.fields
    name, value = next(((n, v) for n in fields if (v := field_text(record, n))), (fields[0], None))
    ctx.step("record", {"artwork_id": record.id, "fields": list(fields)},
             f"{name}: {value}" if value else f"no {_label(fields[0])} in the record")
    passages = ctx.collection.catalog.passages_for(record.id)
    ignore = frozenset(content_terms(record.title or ""))
    # "When did it become a World Heritage Site?" asks about more than the record's date: a passage
    # that speaks of that answers it, or nothing does; a question of only the field's words takes the record
    # (and one in another language, whose words cannot be compared with the field's)
    beyond = set() if ctx.foreign else content_terms(ctx.question) - ignore - FIELD_WORDS - OBJECT_WORDS
    if value and not beyond:
        return _record_answer(ctx, record, name, value, passages, ignore)
    need = Need(focus=_focus(ctx), ignore=ignore | FIELD_WORDS if value else ignore)
    evidence = best_sentences(ctx, ctx.question, passages, need)
    ctx.step("passages", {"artwork_id": record.id}, f"{len(passages)} passages, "
             f"{'a supporting sentence' if evidence else 'no sentence states it'}")
    if evidence:
        return _from_evidence(ctx, evidence, ctx.certainty)
    if value:  # the record has the field, but the question asks about more, which nothing says
        return _not_in_records(ctx, f"The record of {_title(record)} gives its {_label(name)} ({value}), but "
                                    f"nothing the collection holds says {' or '.join(sorted(beyond))}.")
    predicted = _predicted(ctx, ctx.certainty)
    if predicted is not None:
        return predicted
    if kind == K.SUBJECT:
        return _open(ctx, record)
    return _not_in_records(ctx, f"The record of {_title(record)} gives no {_label(fields[0])}, "
                                "and no passage about it states one.")


def _lead(ctx: AskContext, record: ArtworkRecord) -> Answer | None:
    """The opening sentences of the artwork's first passage, or of its description."""
    passages = ctx.collection.catalog.passages_for(record.id)
    if passages:
        sentences = split_sentences(passages[0].text)[:LEAD_SENTENCES]
        citation = passage_citation(passages[0], " ".join(sentences))
    elif record.description:
        sentences = split_sentences(record.description)[:LEAD_SENTENCES]
        citation = record_citation(ctx.collection, record, "description", " ".join(sentences))
    else:
        return None
    return ctx.answer(" ".join(sentences), [citation], 0.7 * ctx.certainty)


def _open(ctx: AskContext, record: ArtworkRecord) -> Answer:
    """Open questions about one artwork: the best supporting sentences, or its lead for generic ones."""
    passages = ctx.collection.catalog.passages_for(record.id)
    ignore = frozenset(content_terms(record.title or ""))
    focus = _focus(ctx)
    evidence = best_sentences(ctx, ctx.question, passages, Need(focus=focus, k=1 if focus else 2,
                                                                ignore=ignore | _GENERIC))
    ctx.step("passages", {"artwork_id": record.id}, f"{len(passages)} passages, {len(evidence)} supporting")
    if evidence:
        return _from_evidence(ctx, evidence, ctx.certainty)
    if focus is None and not (content_terms(ctx.question) - ignore - _GENERIC):
        lead = _lead(ctx, record)
        if lead is not None:
            return lead
    return _not_in_records(ctx, f"Nothing the collection holds about {_title(record)} answers this.")


def _title_span(question: str, title: str) -> frozenset[str]:
    """The title's words that the question uses as the title: the longest run of them in order. In
    "What colour is the umbrella in The Bridge of Langlois at Arles?" the umbrella is asked about,
    though the full title ("... with a Lady with Umbrella") holds it too."""
    asked, named = words(question), words(title)
    best: list[str] = []
    for i in range(len(asked)):
        for j in range(len(named)):
            k = 0
            while i + k < len(asked) and j + k < len(named) and asked[i + k] == named[j + k]:
                k += 1
            if k > len(best):
                best = asked[i:i + k]
    return frozenset(content_terms(" ".join(best)))


def _measurable(ctx: AskContext, ignore: frozenset[str]) -> bool:
    """True when every meaningful word of the question is one image measurements speak to: "what are
    the main colours?" is measurable, "what colour is the sky?" is about a detail and is not."""
    left = [w for w in words(ctx.question) if w not in STOPWORDS and len(w) > 1 and stem(w) not in ignore]
    measurable = [bool(TOPIC_WORDS.match(w)) for w in left]
    return any(measurable) and all(m or w in _GENERIC for m, w in zip(measurable, left, strict=True))


def _visual(ctx: AskContext, record: ArtworkRecord | None) -> Answer:
    ignore = frozenset(content_terms(record.title or "")) if record is not None else frozenset()
    if record is not None:
        passages = ctx.collection.catalog.passages_for(record.id)
        need = Need(ignore=ignore, min_score=VISUAL_MIN_SUPPORT)
        evidence = best_sentences(ctx, ctx.question, passages, need)
        ctx.step("passages", {"artwork_id": record.id}, f"{len(evidence)} supporting sentences")
        if evidence:
            return _from_evidence(ctx, evidence, ctx.certainty)
    named = _title_span(ctx.question, record.title or "") if record is not None else frozenset()
    measured = measured_aesthetics(ctx) if _measurable(ctx, named) else []
    if measured:
        text = "Measured from the image, not stated in the collection's records: " + \
            " ".join(m.sentence for m in measured)
        return ctx.answer(text, [m.citation for m in measured], 0.6 * ctx.certainty, flags=[Flag.PREDICTION])
    return _not_in_records(ctx, "This asks about what the picture shows; the records do not say, and it "
                                "cannot be answered reliably from the image alone.")


def _describe_image(ctx: AskContext) -> Answer | None:
    """A description of an image that is not in the collection: predicted attributes and measured
    qualities, every sentence labelled as such."""
    predicted = [p.citation for p in predicted_attributes(ctx, DESCRIBED_ATTRIBUTES)]
    measured = measured_aesthetics(ctx, describe=True)
    if not (predicted or measured):
        return None
    labels = "; ".join(f"{c.field} {c.quote} (probability {c.probability or 0:.2f})" for c in predicted)
    text = " ".join(["Predicted and measured from the image, not from the collection's records:",
                     *([f"predicted {labels}."] if labels else []), *(m.sentence for m in measured)])
    return ctx.answer(text, predicted + [m.citation for m in measured], 0.4, flags=[Flag.PREDICTION])


def _about_unknown_image(ctx: AskContext) -> Answer:
    """The image matched no artwork: only what can be read off the image itself, labelled."""
    kind = ctx.classification.kind
    if kind == K.VISUAL:
        return _visual(ctx, None)
    if kind == K.DESCRIPTION:
        described = _describe_image(ctx)
        if described is not None:
            return described
    predicted = _predicted(ctx, 1.0)  # about the image itself: no doubt which work is meant
    if predicted is not None:
        return predicted
    closest = ctx.identified
    hint = f" (closest: “{closest.title}”, similarity {closest.similarity:.2f}, not verified)" \
        if closest and closest.artwork_id else ""
    return _not_in_records(ctx, f"The pictured work is probably not in the collection{hint}.")


def _from_all_passages(ctx: AskContext) -> Answer:
    """No artwork given or named: the best sentence of the passages that hybrid search finds."""
    passages = retrieve_passages(ctx, ctx.question)
    ctx.step("passages", {"query": ctx.question}, ", ".join(p.id for p in passages) or "none found")
    focus = _focus(ctx)
    need = Need(focus=focus, k=1 if focus else 2, min_overlap=COLLECTION_MIN_OVERLAP, with_record=False)
    evidence = best_sentences(ctx, ctx.question, passages, need)
    if not evidence:
        return _not_in_records(ctx, "No record or passage of the collection answers this.")
    return _from_evidence(ctx, evidence, SEARCHED_CERTAINTY)
