"""Task routes: describe (attributes), score (aesthetics, and ArtiMuse's ``/infer``), ask (answers
with citations, also streamed as server-sent events)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from artscope.errors import ArtscopeError, InvalidInputError
from artscope.server.errors import ErrorBody, error_responses, status_of
from artscope.server.routes.search import uploaded
from artscope.server.schemas import ArtiMuseScores, AskQuery, DescribeQuery, ImageSubject
from artscope.server.state import ServerState, get_state, require_read
from artscope.server.uploads import read_upload
from artscope.tasks.aesthetics import AestheticResult, score
from artscope.tasks.ask import Answer, AskEvent, ask, iter_ask
from artscope.tasks.attributes import Description, describe

log = logging.getLogger(__name__)

router = APIRouter(tags=["tasks"], dependencies=[Depends(require_read)],
                   responses=error_responses(400, 401, 404, 409, 413, 422, 504))
# Each server-sent event: its kind, and its data as JSON (an ``AskEvent``; for ``error`` an ``ErrorBody``).
SSE_EVENT = {"type": "object", "required": ["event", "data"], "properties": {
    "event": {"type": "string", "enum": ["step", "delta", "answer", "error"]},
    "data": {"type": "string", "contentMediaType": "application/json"}}}
SSE_RESPONSE = {200: {"content": {"text/event-stream": {"schema": SSE_EVENT}},
                      "description": "Events `step`, `delta` (provisional text) and `answer` (the checked "
                                     "answer with its citations); `error` if the work fails midway"}}


def subject_image(state: ServerState, subject: ImageSubject) -> dict[str, Any]:
    """The ``image=`` or ``artwork_id=`` argument of a task, from exactly one of the two."""
    if (subject.artwork_id is None) == (subject.image_id is None):
        raise InvalidInputError("Give either artwork_id (a stored artwork) or image_id (an uploaded image).")
    if subject.artwork_id is not None:
        return {"artwork_id": subject.artwork_id}
    return {"image": uploaded(state, subject.image_id)}


@router.post("/api/describe", response_model=Description, summary="Predicted attributes")
async def describe_image(query: DescribeQuery, state: ServerState = Depends(get_state)) -> Description:
    """Artist, style, genre, period, medium... with calibrated probabilities (top-k per field). These are
    predictions, never the catalogue's metadata; 409 until an attributes head is trained."""
    return await state.heavy.run(describe, state.collection, **subject_image(state, query), top_k=query.top_k,
                                 threshold=query.threshold, fields=query.fields)


@router.post("/api/score", response_model=AestheticResult, summary="Aesthetic assessment")
async def score_image(subject: ImageSubject, state: ServerState = Depends(get_state)) -> AestheticResult:
    """Total (0–100), the seven dimensions, a 1–10 distribution, and comments whose every sentence
    cites the measurements it rests on."""
    return await state.heavy.run(score, state.collection, **subject_image(state, subject))


@router.post("/infer", response_model=ArtiMuseScores, summary="ArtiMuse-compatible scoring")
async def infer(file: UploadFile = File(description="The image to score"),
                state: ServerState = Depends(get_state)) -> ArtiMuseScores:
    """ArtiMuse's ``POST /infer``: a multipart ``file`` in, ``total_score``, ``aspect_scores`` and
    ``aspect_comments`` (keyed by ArtiMuse's dimension names) out. The image is not stored."""
    data = await read_upload(file)
    upload = await state.heavy.run(state.uploads.add, data, state.config.max_image_pixels)
    result = await state.heavy.run(score, state.collection, image=upload.data)
    return ArtiMuseScores(**result.to_artimuse())


@router.post("/api/ask", response_model=Answer, summary="Ask a question")
async def ask_question(query: AskQuery, state: ServerState = Depends(get_state)) -> Answer:
    """An answer from the collection's records and passages, with citations (record fields, passages,
    predictions), about an artwork, an uploaded image, or the whole collection."""
    return await state.heavy.run(ask, state.collection, query.question, image=uploaded(state, query.image_id),
                                 artwork_id=query.artwork_id)


@router.post("/api/ask/stream", summary="Ask a question, streamed", response_class=StreamingResponse,
             responses=SSE_RESPONSE)
async def ask_stream(query: AskQuery, state: ServerState = Depends(get_state)) -> StreamingResponse:
    """The same answer as server-sent events. Bad input is refused with a status before any event."""
    events = iter_ask(state.collection, query.question, image=uploaded(state, query.image_id),
                      artwork_id=query.artwork_id)
    first = await state.heavy.run(next, events, None)  # input errors raise here, as a normal answer
    return StreamingResponse(_sse(state, events, first), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _frame(kind: str, data: str) -> str:
    return f"event: {kind}\ndata: {data}\n\n"


async def _sse(state: ServerState, events: Iterator[AskEvent], event: AskEvent | None) -> AsyncIterator[str]:
    try:
        while event is not None:
            yield _frame(event.type, event.model_dump_json())
            event = await state.heavy.run(next, events, None)
    except ArtscopeError as exc:  # the status line has gone out: the error becomes the last event
        error = ErrorBody(detail=str(exc), error=type(exc).__name__)
        log.info("ask stream ended with %s (%d)", error.error, status_of(exc))
        yield _frame("error", error.model_dump_json())
    except Exception:
        log.exception("ask stream failed")
        yield _frame("error", ErrorBody(detail="Internal error; the service log has the details.",
                                        error="InternalError").model_dump_json())
    finally:
        await run_in_threadpool(_close, events)


def _close(events: Iterator[AskEvent]) -> None:
    """Run the generator's clean-up (a language-model client it opened), unless a timed-out step of it
    is still running in its abandoned thread (then that thread finishes it)."""
    close = getattr(events, "close", None)
    try:
        if close is not None:
            close()
    except ValueError:  # "generator already executing"
        log.warning("an abandoned ask step is still running; its clean-up is left to it")
