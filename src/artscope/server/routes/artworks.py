"""Artwork records, their images and thumbnails (served from the collection only), and query uploads."""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response

from artscope.errors import NotFoundError
from artscope.heads.store import read_predictions
from artscope.media.fetch import is_url
from artscope.media.images import IMAGE_SUFFIXES, load_image
from artscope.server.errors import error_responses
from artscope.server.ratelimit import limit_heavy, limit_requests
from artscope.server.schemas import ArtworkDetail, ArtworkPage, UploadInfo, hide_local_paths
from artscope.server.state import ServerState, get_state, require_read
from artscope.server.uploads import parsed_form, read_upload

router = APIRouter(prefix="/api", tags=["artworks"], dependencies=[Depends(limit_requests), Depends(require_read)],
                   responses=error_responses(401, 404, 422, 429))

BROWSER_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif"})
"""Served as they are; other image files (TIFF, BMP) are converted to JPEG first."""
FULL_SIZE = 4096
"""The longest side of a converted full image (a TIFF master can be far larger)."""
IMAGE_RESPONSES = {200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}, "image/gif": {}},
                         "description": "The image"}}


@router.get("/artworks", response_model=ArtworkPage, summary="Browse artworks")
def list_artworks(offset: int = Query(default=0, ge=0, le=10_000),
                  limit: int = Query(default=24, ge=1, le=100),
                  state: ServerState = Depends(get_state)) -> ArtworkPage:
    """Records in the order they were added, a page at a time."""
    catalog = state.collection.catalog
    records = catalog.iter_records(batch=min(offset + limit, 500))
    items = list(itertools.islice(records, offset, offset + limit))
    return hide_local_paths(ArtworkPage(items=items, total=catalog.count(), offset=offset, limit=limit))


@router.get("/artworks/{artwork_id:path}", response_model=ArtworkDetail, summary="One artwork")
def get_artwork(artwork_id: str = PathParam(max_length=500), state: ServerState = Depends(get_state)
                ) -> ArtworkDetail:
    """The catalogue record (its images as API URLs), the passages tied to it, and its stored
    predictions (marked with their model and probability; never part of the record)."""
    catalog = state.collection.catalog
    record = catalog.get(artwork_id)
    return hide_local_paths(ArtworkDetail(record=record, passages=catalog.passages_for(record.id),
                                          predictions=read_predictions(catalog, record.id)))


@router.get("/images/{view_id}", summary="An image of an artwork", response_class=Response,
            responses=IMAGE_RESPONSES)
def get_image(view_id: int = PathParam(ge=1, le=2**62), size: Literal["thumb", "full"] = "thumb",
              state: ServerState = Depends(get_state)) -> Response:
    """By view id only: ``thumb`` from the collection's thumbnails, ``full`` from the file recorded at
    ingest (a path the catalog holds, never one from the request; the thumbnail for remote images)."""
    collection = state.collection
    rows = collection.catalog.view_rows([view_id])
    if view_id not in rows:
        raise NotFoundError(f"No image {view_id} in this collection.")
    thumb = collection.thumbnail_path(view_id)
    cache = {"Cache-Control": "public, max-age=86400"}
    if size == "full":
        uri = str(rows[view_id]["uri"])
        source = Path(uri.removeprefix("file://"))
        if not is_url(uri) and source.suffix.lower() in IMAGE_SUFFIXES and source.is_file():
            if source.suffix.lower() in BROWSER_SUFFIXES:
                return FileResponse(source, headers=cache)
            return Response(_as_jpeg(source), media_type="image/jpeg", headers=cache)
    if not thumb.is_file():
        raise NotFoundError(f"Image {view_id} has no thumbnail (it may have failed to index).")
    return FileResponse(thumb, media_type="image/jpeg", headers=cache)


def _as_jpeg(source: Path) -> bytes:
    image = load_image(source)
    image.thumbnail((FULL_SIZE, FULL_SIZE))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@router.post("/uploads", response_model=UploadInfo, summary="Upload a query image",
             dependencies=[Depends(limit_heavy), Depends(parsed_form)], responses=error_responses(400, 413))
async def upload_image(file: UploadFile = File(description="An image file (JPEG, PNG, WebP, TIFF, GIF, BMP)"),
                       state: ServerState = Depends(get_state)) -> UploadInfo:
    """Keep an image in memory for a while to search, describe, score or ask with (by its ``id``).
    It is never added to the collection. Refused past the upload size or pixel limits."""
    data = await read_upload(file)
    upload = await state.heavy.run(state.uploads.add, data, state.config.max_image_pixels)
    known = await state.heavy.run(state.collection.catalog.view_by_hash, upload.digest)
    return UploadInfo(id=upload.id, width=upload.width, height=upload.height, bytes=len(data),
                      expires_in_s=int(state.uploads.ttl_s), in_collection=known[1] if known else None)
