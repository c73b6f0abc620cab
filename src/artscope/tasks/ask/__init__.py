"""The ask task: questions about the artworks of a collection, answered from its records and passages,
with citations.

``ask(collection, question, image=None, artwork_id=None)`` returns an ``Answer``; ``iter_ask`` yields
the same work as events (steps, streamed text, the final answer) for server-sent events. A question is
about one artwork (given by id; shown in an image, which image search identifies; or named by its
title in the question) or about the whole collection (counts and lists). Without a language model
(the default unless ``ARTSCOPE_LLM_URL`` is set) the model-free answerer answers; with one, a
tool-calling loop does, falling back to the model-free answerer when the endpoint is unavailable.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

from artscope.errors import InvalidInputError
from artscope.languages import detect_language
from artscope.llm import ChatClient, from_settings
from artscope.tasks.ask.across_languages import classify_across_languages, find_by_meaning
from artscope.tasks.ask.classify import Classification, classify
from artscope.tasks.ask.context import (
    AskContext,
    field_text,
    find_mentioned,
    identify,
    load_query_image,
    recognised_first,
)
from artscope.tasks.ask.llm_answerer import DEFAULT_MAX_STEPS, answer_with_llm
from artscope.tasks.ask.model_free import answer_model_free
from artscope.tasks.ask.types import NOT_IN_RECORDS, Answer, AskEvent, Citation, Flag, QuestionKind, Step
from artscope.tasks.ask.vlm_answerer import answer_with_vlm
from artscope.types import ArtworkRecord

if TYPE_CHECKING:
    from artscope.collection import Collection

MAX_QUESTION_CHARS = 2000
TITLE_MATCH_CERTAINTY = 0.9
"""How sure an answer is of its artwork when the question named it by title (titles repeat)."""
VERIFIED_MATCH_CERTAINTY = 0.95
"""... and when the artwork was identified from a photo by verified image search (not the same file)."""
LLMChoice = ChatClient | Literal["auto"] | None


def _check_question(question: Any) -> str:
    if not isinstance(question, str) or not question.strip():
        raise InvalidInputError("The question was empty; ask one in words, e.g. \"Who painted this?\".")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidInputError(f"The question is {len(question)} characters long; ask in at most "
                                f"{MAX_QUESTION_CHARS}.")
    return " ".join(question.split())


def _about_mentioned(ctx: AskContext) -> None:
    """Take the artwork the question names by title; among records sharing the title, prefer one with a
    value for the asked field, then one with texts to search."""
    mentioned = find_mentioned(ctx.collection, ctx.question)
    if not mentioned:
        return
    fields = ctx.classification.fields

    def usefulness(record: ArtworkRecord) -> tuple[bool, bool]:
        has_text = bool(record.description) or bool(ctx.collection.catalog.passages_for(record.id))
        return any(field_text(record, f) for f in fields), has_text

    ctx.record = max(mentioned, key=usefulness)  # max keeps the first (best BM25 rank) among equals
    ctx.certainty = TITLE_MATCH_CERTAINTY
    others = [r.id for r in mentioned if r.id != ctx.record.id]
    ctx.step("record", {"title_in_question": ctx.record.title},
             f"{ctx.record.id}" + (f" (same title: {', '.join(others)})" if others else ""))


def prepare(collection: Collection, question: str, image: Any = None, artwork_id: str | None = None
            ) -> AskContext:
    """Validate the input and work out what the question is about. Raises ``InvalidInputError`` for an
    empty question, ``NotFoundError`` for an unknown artwork id, ``ImageLoadError`` for an unreadable
    image."""
    text = _check_question(question)
    classification: Classification = classify(text)
    ctx = AskContext(collection=collection, question=text, classification=classification,
                     language=detect_language(text))
    if ctx.foreign:
        ctx.notes.append(f"The question is in {ctx.language.name}; the evidence is quoted in its own language, "
                         "untranslated.")
        if not classification.collection_level:
            ctx.classification = classification = classify_across_languages(ctx) or classification
    ctx.step("classify", {}, classification.kind.value)
    if artwork_id is not None:
        ctx.record = collection.catalog.get(str(artwork_id))
    if image is not None:
        ctx.image, data = load_query_image(image)
        if ctx.record is None and not classification.collection_level:
            ctx.identified, ctx.record, step = identify(collection, ctx.image, data)
            ctx.steps.append(step)
            ctx.certainty = 1.0 if ctx.identified.match == "exact" else VERIFIED_MATCH_CERTAINTY
    if ctx.record is None and image is None and not classification.collection_level:
        _about_mentioned(ctx)
        if ctx.record is None and ctx.foreign:
            find_by_meaning(ctx)
    return ctx


def _client(llm: LLMChoice) -> tuple[ChatClient | None, bool]:
    """(the client to use, whether this call owns it and must close it)."""
    if llm == "auto":
        client = from_settings()
        return client, client is not None
    if llm is None or isinstance(llm, ChatClient):
        return llm, False
    raise InvalidInputError(f"llm must be a ChatClient, 'auto' or None, not {llm!r}.")


def iter_ask(collection: Collection, question: str, image: Any = None, artwork_id: str | None = None,
             llm: LLMChoice = "auto", max_steps: int = DEFAULT_MAX_STEPS, send_image: bool = True,
             stream_text: bool = True, vlm: str | None = None) -> Iterator[AskEvent]:
    """The answer as events: each step as it is taken, provisional text as a model writes it, then the
    final ``answer`` event (the only one whose text has been checked). Input errors raise before the
    first event."""
    if not 1 <= max_steps <= 20:
        raise InvalidInputError(f"max_steps must be between 1 and 20, not {max_steps}.")
    ctx = prepare(collection, question, image=image, artwork_id=artwork_id)
    client, owned = (None, False) if vlm is not None else _client(llm)
    yield from (AskEvent(type="step", step=step) for step in ctx.steps)
    try:
        if client is None:
            known = len(ctx.steps)
            answer = answer_with_vlm(ctx, vlm) if vlm is not None else answer_model_free(ctx)
            yield from (AskEvent(type="step", step=step) for step in answer.steps[known:])
            yield AskEvent(type="answer", answer=recognised_first(ctx, answer))
        else:
            for event in answer_with_llm(ctx, client, max_steps=max_steps, stream_text=stream_text,
                                         send_image=send_image):
                if event.answer is not None:
                    event = event.model_copy(update={"answer": recognised_first(ctx, event.answer)})
                yield event
    finally:
        if owned and client is not None:
            client.close()


def ask(collection: Collection, question: str, image: Any = None, artwork_id: str | None = None,
        llm: LLMChoice = "auto", max_steps: int = DEFAULT_MAX_STEPS, send_image: bool = True,
        vlm: str | None = None) -> Answer:
    """Answer a question about the collection, citing record fields and passages.

    ``image``: a path, URL, bytes or PIL image; the artwork it shows is identified by image search.
    ``artwork_id``: the artwork the question is about. ``llm``: a ``ChatClient``, ``"auto"`` (the one
    ``ARTSCOPE_LLM_*`` configures, if any) or None (model-free). ``send_image``: show the image to the
    language model (turn off for text-only models). ``vlm``: a vision-language model answers instead
    (``adapter:DIR`` fine-tuned by ``artscope train vlm --task qa``, or ``hf:ID``), checked against the records.
    """
    events = iter_ask(collection, question, image=image, artwork_id=artwork_id, llm=llm, max_steps=max_steps,
                      send_image=send_image, stream_text=False, vlm=vlm)
    with contextlib.closing(events):  # closing runs iter_ask's clean-up (the client it opened) now
        return next(event.answer for event in events if event.answer is not None)


__all__ = ["NOT_IN_RECORDS", "Answer", "AskEvent", "Citation", "Flag", "QuestionKind", "Step", "ask",
           "classify", "iter_ask", "prepare"]
