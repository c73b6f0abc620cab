"""The language-model answerer: a bounded tool-calling loop over any OpenAI-compatible endpoint.

The model reads the rules and worked examples, calls tools (search, passages, record, attributes,
aesthetics) for at most ``max_steps`` rounds, and writes an answer with citation markers. The answer
is then checked: markers that point at nothing are removed and the answer flagged; each sentence must
be supported by what it cites (``support``: names, numbers and dates word for word, the rest in the
evidence), unsupported sentences are removed and flagged and the confidence falls; an answer with no
valid citation is flagged ungrounded with a low confidence. If the endpoint cannot be reached, times
out or does not speak the chat format, the model-free answerer answers instead, flagged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Generator, Iterator
from typing import Any

from artscope.llm import ChatClient, ChatDelta, ChatReply, LLMUnavailableError, Message
from artscope.tasks.ask.context import AskContext
from artscope.tasks.ask.grounding import FINISH_NOW, check_citations, messages_for
from artscope.tasks.ask.model_free import answer_model_free
from artscope.tasks.ask.support import Support, check_sentences
from artscope.tasks.ask.tools import run_tool, tool_specs
from artscope.tasks.ask.types import NOT_IN_RECORDS, Answer, AskEvent, Flag

log = logging.getLogger(__name__)

DEFAULT_MAX_STEPS = 6
"""Tool-calling rounds before the model must answer."""
GROUNDED_CONFIDENCE = 0.8
PARTLY_GROUNDED_CONFIDENCE = 0.5
UNGROUNDED_CONFIDENCE = 0.15
_REFUSAL = re.compile(re.escape(NOT_IN_RECORDS.rstrip(".")), re.IGNORECASE)


def _complete(client: ChatClient, messages: list[Message], tools: list[dict[str, Any]] | None,
              stream_text: bool) -> Generator[AskEvent, None, ChatReply]:
    """One model turn; with ``stream_text`` its text is passed on as it arrives."""
    if not stream_text:
        return client.chat(messages, tools=tools)
    reply = ChatReply()
    for event in client.stream(messages, tools=tools):
        if isinstance(event, ChatDelta):
            yield AskEvent(type="delta", text=event.text)
        else:
            reply = event
    return reply


def _loop(ctx: AskContext, client: ChatClient, max_steps: int, stream_text: bool,
          send_image: bool) -> Generator[AskEvent, None, tuple[str, list[Flag]]]:
    """Tool rounds until the model answers (or runs out of rounds); returns its text and flags."""
    messages = messages_for(ctx, send_image)
    specs = tool_specs()
    flags: list[Flag] = []
    for _ in range(max_steps):
        reply = yield from _complete(client, messages, specs, stream_text)
        if not reply.tool_calls:
            return reply.content, flags
        messages.append(reply.to_message())
        for call in reply.tool_calls:
            outcome = run_tool(ctx, call)
            ctx.steps.append(outcome.step)
            if outcome.malformed:
                flags.append(Flag.MALFORMED_TOOL_CALLS)
            yield AskEvent(type="step", step=outcome.step)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": outcome.content})
    flags.append(Flag.STEP_LIMIT)
    messages.append({"role": "user", "content": FINISH_NOW})
    reply = yield from _complete(client, messages, None, stream_text)
    return reply.content, flags


def _checked_answer(ctx: AskContext, text: str, flags: list[Flag], model: str) -> Answer:
    """The model's answer with its citations verified (markers that point at nothing removed), its
    sentences checked against what they cite (unsupported ones removed), flagged and given a confidence."""
    checked = check_citations(ctx, text)
    if checked.removed:
        flags.append(Flag.CITATIONS_REMOVED)
        ctx.notes.append("Removed citations that point at nothing: " + ", ".join(checked.removed))
    refused = not checked.text or bool(_REFUSAL.search(checked.text))
    support = Support(text=checked.text)
    if not refused and checked.citations:
        support = check_sentences(ctx, checked.text, citations_of=checked.by_marker)
        if support.removed:
            flags.append(Flag.UNSUPPORTED)
            ctx.notes.append("Removed sentences that their citations do not support: " +
                             " | ".join(support.removed))
            refused = not support.text
    citations = [c for m, c in checked.by_marker.items() if m in support.text]
    if refused:
        flags.append(Flag.NO_ANSWER)
        confidence = 0.0
    elif not checked.citations:
        flags.append(Flag.UNGROUNDED)
        confidence = UNGROUNDED_CONFIDENCE
    elif checked.removed or support.removed:
        kept = 1 - len(support.removed) / max(support.checked, 1)
        confidence = min(PARTLY_GROUNDED_CONFIDENCE, GROUNDED_CONFIDENCE * kept)
    else:
        confidence = GROUNDED_CONFIDENCE
    if any(c.kind == "prediction" for c in citations):
        flags.append(Flag.PREDICTION)
    if not refused:
        shown = support.text
    elif support.removed:
        shown = f"{NOT_IN_RECORDS} What the model wrote is not supported by the sources it cited."
    else:
        shown = checked.text or NOT_IN_RECORDS
    return ctx.answer(shown, [] if refused else citations, confidence * ctx.certainty, flags=flags,
                      answerer=f"llm:{model}")


def answer_with_llm(ctx: AskContext, client: ChatClient, max_steps: int = DEFAULT_MAX_STEPS,
                    stream_text: bool = False, send_image: bool = True) -> Iterator[AskEvent]:
    """Events of the tool-calling loop (steps, streamed text), then the checked answer; the model-free
    answer, flagged, when the endpoint is unavailable."""
    try:
        text, flags = yield from _loop(ctx, client, max_steps, stream_text, send_image)
    except LLMUnavailableError as exc:
        log.warning("%s Answering without the language model.", exc)
        ctx.notes.append(f"The language model was not used: {exc}")
        answer = answer_model_free(ctx)
        answer.flags.append(Flag.FELL_BACK)
        yield AskEvent(type="answer", answer=answer)
        return
    yield AskEvent(type="answer", answer=_checked_answer(ctx, text, flags, client.model))
