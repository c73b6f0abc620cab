"""Curators' writes (a token needed): edit an artwork's record, delete an artwork with everything it owns,
delete a passage, choose the web page's facets; and the audit log of every write (who, when, what),
readable with the token."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam

from artscope.catalog.curation import AuditEntry
from artscope.heads.store import read_predictions
from artscope.server.errors import error_responses
from artscope.server.ratelimit import limit_requests
from artscope.server.redaction import redact_value
from artscope.server.schemas import ArtworkDetail, ArtworkEdit, FacetChoice, hide_local_paths
from artscope.server.state import ServerState, get_state, require_write

router = APIRouter(prefix="/api", tags=["curators"], dependencies=[Depends(limit_requests)],
                   responses=error_responses(401, 403, 404, 422, 429, 504))


@router.patch("/artworks/{artwork_id:path}", response_model=ArtworkDetail, summary="Edit an artwork's record",
              responses=error_responses(400, 413))
async def edit_artwork(body: ArtworkEdit, artwork_id: str = PathParam(min_length=1, max_length=500),
                       actor: str = Depends(require_write), state: ServerState = Depends(get_state)
                       ) -> ArtworkDetail:
    """Change the fields named in the body (``null`` clears one; ``extra`` is merged key by key). The
    search index follows at once (the record's text is embedded again; its images are not). Logged in
    the audit log with the token's name."""
    collection = state.collection
    record = await state.light.run(collection.edit_artwork, artwork_id, body.changes(), actor)
    detail = ArtworkDetail(record=record, passages=collection.catalog.passages_for(record.id),
                           predictions=read_predictions(collection.catalog, record.id))
    return hide_local_paths(detail)


@router.delete("/artworks/{artwork_id:path}", response_model=AuditEntry, summary="Delete an artwork")
async def delete_artwork(artwork_id: str = PathParam(min_length=1, max_length=500),
                         actor: str = Depends(require_write), state: ServerState = Depends(get_state)
                         ) -> AuditEntry:
    """Delete the artwork with its images' vectors and thumbnails, its record's vector, the passages
    tied to it and its stored predictions, all or nothing. Answers with the audit entry."""
    entry = await state.light.run(state.collection.delete_artwork, artwork_id, actor)
    return _shown(entry, state)


@router.delete("/passages/{passage_id:path}", response_model=AuditEntry, summary="Delete a passage")
async def delete_passage(passage_id: str = PathParam(min_length=1, max_length=500),
                         actor: str = Depends(require_write), state: ServerState = Depends(get_state)
                         ) -> AuditEntry:
    """Delete a passage (its text, its text-search entry and its vector). Answers with the audit entry."""
    entry = await state.light.run(state.collection.delete_passage, passage_id, actor)
    return _shown(entry, state)


@router.put("/facets", response_model=FacetChoice, summary="Choose the web page's facets",
            responses=error_responses(400, 413))
async def choose_facets(body: FacetChoice, actor: str = Depends(require_write),
                        state: ServerState = Depends(get_state)) -> FacetChoice:
    """The keyword fields the web page offers as facets, in order (``null``: the page chooses); ``GET
    /meta`` then gives them as ``facets``. Logged in the audit log (``collection.facets``)."""
    chosen = await state.light.run(state.collection.set_facets, body.facets, actor)
    return FacetChoice(facets=chosen)


@router.get("/audit", response_model=list[AuditEntry], summary="The audit log")
def audit_log(limit: int = Query(default=50, ge=1, le=500), offset: int = Query(default=0, ge=0, le=1_000_000),
              target: str | None = Query(default=None, min_length=1, max_length=500),
              actor: str = Depends(require_write), state: ServerState = Depends(get_state)) -> list[AuditEntry]:
    """Every write, latest first: ``at`` (UTC), ``actor`` (the token's name), ``action`` (``artwork.edit``,
    ``artwork.delete``, ``passage.delete``, ``job.ingest``, ``job.describe``, ``job.cancel``), ``target``
    and ``details``. ``target`` narrows it to one artwork, passage or job."""
    return [_shown(entry, state) for entry in state.collection.audit(limit, offset, target)]


def _shown(entry: AuditEntry, state: ServerState) -> AuditEntry:
    return entry.model_copy(update={"details": redact_value(entry.details, state.config.ingest_root)})
