"""Search routes: artworks (text, image, composed, more like this), passages, dialogue sessions."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from artscope.server.errors import error_responses
from artscope.server.schemas import DialogueAnswer, DialogueStart, PassageQuery, SearchQuery, hide_local_paths
from artscope.server.state import ServerState, get_state, require_read
from artscope.tasks.search import SearchRequest, SearchResult, search
from artscope.tasks.search.dialogue import DialogueTurn, answer_dialogue, resume_dialogue, start_dialogue
from artscope.tasks.search.passages import PassageSearchRequest, PassageSearchResult, search_passages

router = APIRouter(prefix="/api", tags=["search"], dependencies=[Depends(require_read)],
                   responses=error_responses(400, 401, 404, 413, 422, 504))


def uploaded(state: ServerState, image_id: str | None) -> bytes | None:
    """The bytes of an uploaded image (bytes, so an exact match with a stored image is recognised)."""
    return state.uploads.get(image_id).data if image_id else None


@router.post("/search", response_model=SearchResult, summary="Search artworks")
async def search_artworks(query: SearchQuery, state: ServerState = Depends(get_state)) -> SearchResult:
    """Text, an uploaded image, both (composed: the text says what should differ from the image), or
    ``artwork_id`` (more like this). Filters, facets, ``offset``/``limit`` paging, ``min_score`` cutoff."""
    request = SearchRequest(**query.model_dump(exclude={"image_id"}), image=uploaded(state, query.image_id))
    result = await state.heavy.run(search, state.collection, request)
    return hide_local_paths(result)


@router.post("/search/passages", response_model=PassageSearchResult, summary="Search passages")
async def search_passage_texts(query: PassageQuery, state: ServerState = Depends(get_state)
                               ) -> PassageSearchResult:
    """Wall texts, essays and encyclopedia paragraphs for a text, an uploaded image, or an artwork."""
    request = PassageSearchRequest(**query.model_dump(exclude={"image_id"}),
                                   image=uploaded(state, query.image_id))
    return await state.heavy.run(search_passages, state.collection, request)


@router.post("/dialogue", response_model=DialogueTurn, summary="Start a dialogue search")
async def dialogue_start(body: DialogueStart, state: ServerState = Depends(get_state)) -> DialogueTurn:
    """The first results and a clarifying question (with quick answers) that splits them best."""
    turn = await state.heavy.run(start_dialogue, state.collection, text=body.text,
                                 image=uploaded(state, body.image_id), filters=body.filters, limit=body.limit)
    return hide_local_paths(turn)


@router.post("/dialogue/{session_id}", response_model=DialogueTurn, summary="Answer a dialogue question")
async def dialogue_answer(session_id: str, body: DialogueAnswer, state: ServerState = Depends(get_state)
                          ) -> DialogueTurn:
    """Answer the session's last question; returns the refined results and the next question."""
    turn = await state.heavy.run(answer_dialogue, state.collection, session_id, body.answer, limit=body.limit)
    return hide_local_paths(turn)


@router.get("/dialogue/{session_id}", response_model=DialogueTurn, summary="The current turn of a dialogue")
async def dialogue_current(session_id: str, limit: int = Query(default=10, ge=1, le=100),
                           state: ServerState = Depends(get_state)) -> DialogueTurn:
    """A stored session's current results and open question (e.g. after a page reload)."""
    turn = await state.heavy.run(resume_dialogue, state.collection, session_id, limit=limit)
    return hide_local_paths(turn)
