"""Search routes: artworks (text, image, composed, more like this), passages, dialogue sessions."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam

from artscope.server.errors import error_responses
from artscope.server.limits import WorkPool
from artscope.server.ratelimit import client_of, limit_requests
from artscope.server.schemas import DialogueAnswer, DialogueStart, PassageQuery, SearchQuery, hide_local_paths
from artscope.server.state import ServerState, get_state, require_read
from artscope.tasks.search import SearchRequest, SearchResult, search
from artscope.tasks.search.dialogue import DialogueTurn, answer_dialogue, resume_dialogue, start_dialogue
from artscope.tasks.search.passages import PassageSearchRequest, PassageSearchResult, search_passages

router = APIRouter(prefix="/api", tags=["search"], dependencies=[Depends(limit_requests), Depends(require_read)],
                   responses=error_responses(400, 401, 404, 413, 422, 429, 504))
SESSION_ID = PathParam(min_length=1, max_length=64)


def uploaded(state: ServerState, image_id: str | None) -> bytes | None:
    """The bytes of an uploaded image (bytes, so an exact match with a stored image is recognised)."""
    return state.uploads.get(image_id).data if image_id else None


def lane(request: Request, state: ServerState, heavy: bool) -> WorkPool:
    """The pool for this request: heavy work (an image to embed, photos to verify) counts against the
    heavy rate limit and waits in its own pool; words and records run in the light one."""
    if heavy:
        state.rate.hit(client_of(request), "heavy")
        return state.heavy
    return state.light


@router.post("/search", response_model=SearchResult, summary="Search artworks")
async def search_artworks(query: SearchQuery, request: Request, state: ServerState = Depends(get_state)
                          ) -> SearchResult:
    """Text, an uploaded image, both (composed: the text says what should differ from the image), or
    ``artwork_id`` (more like this). Filters, facets, ``offset``/``limit`` paging, ``min_score`` cutoff.
    At least one of ``text``, ``image_id``, ``artwork_id``; ``verify`` needs ``image_id``."""
    pool = lane(request, state, heavy=bool(query.image_id or query.reason))
    task = SearchRequest(**query.model_dump(exclude={"image_id"}), image=uploaded(state, query.image_id))
    result = await pool.run(search, state.collection, task)
    return hide_local_paths(result)


@router.post("/search/passages", response_model=PassageSearchResult, summary="Search passages")
async def search_passage_texts(query: PassageQuery, request: Request, state: ServerState = Depends(get_state)
                               ) -> PassageSearchResult:
    """Wall texts, essays and encyclopedia paragraphs for a text, an uploaded image, or an artwork (at
    least one of ``text``, ``image_id``, ``artwork_id``)."""
    pool = lane(request, state, heavy=query.image_id is not None)
    task = PassageSearchRequest(**query.model_dump(exclude={"image_id"}), image=uploaded(state, query.image_id))
    return await pool.run(search_passages, state.collection, task)


@router.post("/dialogue", response_model=DialogueTurn, summary="Start a dialogue search")
async def dialogue_start(body: DialogueStart, request: Request, state: ServerState = Depends(get_state)
                         ) -> DialogueTurn:
    """The first results and a clarifying question (with quick answers) that splits them best (from
    ``text``, ``image_id`` or both)."""
    pool = lane(request, state, heavy=body.image_id is not None)
    turn = await pool.run(start_dialogue, state.collection, text=body.text, image=uploaded(state, body.image_id),
                          filters=body.model_dump(include={"filters"})["filters"], limit=body.limit)
    return hide_local_paths(turn)


@router.post("/dialogue/{session_id}", response_model=DialogueTurn, summary="Answer a dialogue question")
async def dialogue_answer(body: DialogueAnswer, session_id: str = SESSION_ID, state: ServerState = Depends(get_state)
                          ) -> DialogueTurn:
    """Answer the session's last question; returns the refined results and the next question."""
    turn = await state.light.run(answer_dialogue, state.collection, session_id, body.answer, limit=body.limit)
    return hide_local_paths(turn)


@router.get("/dialogue/{session_id}", response_model=DialogueTurn, summary="The current turn of a dialogue")
async def dialogue_current(session_id: str = SESSION_ID, limit: int = Query(default=10, ge=1, le=100),
                           state: ServerState = Depends(get_state)) -> DialogueTurn:
    """A stored session's current results and open question (e.g. after a page reload)."""
    turn = await state.light.run(resume_dialogue, state.collection, session_id, limit=limit)
    return hide_local_paths(turn)
