"""Task routes: describe (attributes), score (aesthetics, and ArtiMuse's ``/infer``), ask (answers
with citations, also streamed as server-sent events)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from artscope.errors import ArtscopeError
from artscope.server.errors import ErrorBody, error_responses, status_of
from artscope.server.ratelimit import limit_heavy, limit_requests
from artscope.server.redaction import redact
from artscope.server.routes.search import uploaded
from artscope.server.schemas import ArtiMuseScores, AskQuery, DescribeQuery, ImageSubject
from artscope.server.sse import sse_frame, sse_responses
from artscope.server.state import ServerState, get_state, require_read
from artscope.server.uploads import parsed_form, read_upload
from artscope.tasks.aesthetics import AestheticResult, score
from artscope.tasks.ask import Answer, AskEvent, ask, iter_ask
from artscope.tasks.attributes import Description, describe

log = logging.getLogger(__name__)

router = APIRouter(tags=["tasks"], dependencies=[Depends(limit_requests), Depends(require_read), Depends(limit_heavy)],
                   responses=error_responses(400, 401, 404, 409, 413, 422, 429, 504))
# Each server-sent event's data is JSON: an ``AskEvent``; for ``error`` an ``ErrorBody``.
SSE_RESPONSE = sse_responses("step", "delta", "answer", "error", description=(
    "Events `step`, `delta` (provisional text) and `answer` (the checked answer with its citations); `error` "
    "if the work fails midway"))


def subject_image(state: ServerState, subject: ImageSubject) -> dict[str, Any]:
    """The ``image=`` or ``artwork_id=`` argument of a task, from the one of the two given (the request
    type has checked that exactly one is)."""
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


@router.post("/infer", response_model=ArtiMuseScores, summary="ArtiMuse-compatible scoring",
             dependencies=[Depends(parsed_form)])
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


async def _sse(state: ServerState, events: Iterator[AskEvent], event: AskEvent | None) -> AsyncIterator[str]:
    try:
        while event is not None:
            yield sse_frame(event.type, event.model_dump_json())
            event = await state.heavy.run(next, events, None)
    except ArtscopeError as exc:  # the status line has gone out: the error becomes the last event
        error = ErrorBody(detail=redact(str(exc), state.config.ingest_root), error=type(exc).__name__)
        log.info("ask stream ended with %s (%d)", error.error, status_of(exc))
        yield sse_frame("error", error.model_dump_json())
    except Exception:
        log.exception("ask stream failed")
        yield sse_frame("error", ErrorBody(detail="Internal error; the service log has the details.",
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
