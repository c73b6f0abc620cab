"""IIIF out: every artwork as a Presentation 3 manifest, the collection as a IIIF Collection, and the
stored images through an Image API 3 service (level 2), so Mirador, Universal Viewer and any IIIF
client open the collection. Public reads answer with ``Access-Control-Allow-Origin: *``, as viewers
on other sites need."""

from __future__ import annotations

import json
import threading
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response

from artscope.config import get_settings
from artscope.errors import NotFoundError
from artscope.server.errors import error_responses
from artscope.server.iiif import image_api, presentation
from artscope.server.iiif.images import ImageService
from artscope.server.iiif.presentation import Urls
from artscope.server.state import ServerState, get_state, require_read

router = APIRouter(prefix="/iiif", tags=["iiif"], dependencies=[Depends(require_read)],
                   responses=error_responses(401, 404))

COLLECTION_PAGE = 1000
"""Manifests listed in one Collection document; a larger collection is a Collection of such pages."""
_JSON = {"type": "object", "additionalProperties": True}
_IDENTIFIER = PathParam(description="The image's identifier (as a manifest gives it)", max_length=64)
_REGION = "full, square, x,y,w,h or pct:x,y,w,h"
_SIZE = "max, w,, ,h, pct:n, w,h or !w,h (^ in front to upscale)"
_ROTATION = "degrees clockwise, 0-360 (! in front to mirror first)"
_QUALITY = "default, color, gray or bitonal"
_FORMAT = "jpg, png or webp"
_create_lock = threading.Lock()


def _ld_json(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media_type: {"schema": _JSON}}, "description": what}}


def _answer(document: dict[str, Any], media_type: str, state: ServerState, max_age: int = 300) -> Response:
    headers = {"Cache-Control": f"public, max-age={max_age}"}
    if state.config.public_reads:
        headers["Access-Control-Allow-Origin"] = "*"
    return Response(json.dumps(document, ensure_ascii=False), media_type=media_type, headers=headers)


def get_images(request: Request, state: ServerState = Depends(get_state)) -> ImageService:
    """The service's image renderer (made at the first image request: its caches live as long as the app)."""
    service = getattr(request.app.state, "iiif_images", None)
    if service is None or service.collection is not state.collection:
        with _create_lock:
            service = getattr(request.app.state, "iiif_images", None)
            if service is None or service.collection is not state.collection:
                service = ImageService(state.collection, state.config.max_image_pixels,
                                       get_settings().tile_cache_bytes)
                request.app.state.iiif_images = service
    return service


def urls_for(request: Request) -> Urls:
    return Urls(str(request.base_url))


@router.get("/collection", summary="The collection as a IIIF Collection", response_class=Response,
            responses=_ld_json(presentation.MEDIA_TYPE, "A IIIF Presentation 3 Collection"))
def iiif_collection(request: Request, state: ServerState = Depends(get_state),
                    images: ImageService = Depends(get_images)) -> Response:
    """Every artwork's manifest; past 1,000 artworks, the collection's parts (each a Collection)."""
    catalog, urls, label = state.collection.catalog, urls_for(request), state.collection.path.name
    total = catalog.count()
    if total <= COLLECTION_PAGE:
        items = [_reference(urls, images, record) for record in catalog.page(0, COLLECTION_PAGE)]
    else:
        items = [presentation.collection_ref(urls, label, page, first + 1, min(total, first + COLLECTION_PAGE))
                 for page, first in enumerate(range(0, total, COLLECTION_PAGE), start=1)]
    return _answer(presentation.collection(urls, label, items, total=total), presentation.MEDIA_TYPE, state)


@router.get("/collection/{page}", summary="One part of the IIIF Collection", response_class=Response,
            responses=_ld_json(presentation.MEDIA_TYPE, "A IIIF Presentation 3 Collection"))
def iiif_collection_page(request: Request, page: int = PathParam(ge=1, le=1_000_000),
                         state: ServerState = Depends(get_state),
                         images: ImageService = Depends(get_images)) -> Response:
    """Artworks ``(page - 1) * 1000 + 1`` to ``page * 1000``, in the order they were added."""
    catalog, urls = state.collection.catalog, urls_for(request)
    records = catalog.page((page - 1) * COLLECTION_PAGE, COLLECTION_PAGE)
    if not records:
        raise NotFoundError(f"The collection has no part {page}; see /iiif/collection for its parts.")
    items = [_reference(urls, images, record) for record in records]
    return _answer(presentation.collection(urls, state.collection.path.name, items, page=page),
                   presentation.MEDIA_TYPE, state)


def _reference(urls: Urls, images: ImageService, record: Any) -> dict[str, Any]:
    first = next((v for v in record.views if v.id is not None), None)
    thumb = None
    if first is not None:
        thumb = presentation.ViewImage(first.id, first.label, first.width or presentation.THUMB_SIZE,
                                       first.height or presentation.THUMB_SIZE)
    return presentation.manifest_ref(urls, record, thumb)


@router.get("/artworks/{artwork_id:path}/manifest", summary="An artwork as a IIIF manifest",
            response_class=Response, responses=_ld_json(presentation.MEDIA_TYPE, "A IIIF Presentation 3 Manifest"))
def iiif_manifest(request: Request, artwork_id: str = PathParam(max_length=500),
                  state: ServerState = Depends(get_state), images: ImageService = Depends(get_images)) -> Response:
    """One canvas per view, the record as label, summary, metadata, rights and required statement, the
    artscope record as ``seeAlso``, and a Content Search service over the passages about it."""
    record = state.collection.catalog.get(artwork_id)
    urls = urls_for(request)
    document = presentation.manifest(urls, record, images.views(record, urls), state.collection.path.name)
    return _answer(document, presentation.MEDIA_TYPE, state)


@router.get("/artworks/{artwork_id:path}/search", summary="Search within an artwork (IIIF Content Search 2)",
            response_class=Response,
            responses=_ld_json("application/ld+json", "A IIIF Content Search 2 AnnotationPage"))
def iiif_search(request: Request, artwork_id: str = PathParam(max_length=500),
                q: str = Query(default="", max_length=500, description="Words that every hit contains"),
                state: ServerState = Depends(get_state)) -> Response:
    """The passages about the artwork that contain every word of ``q`` (case does not matter)."""
    catalog, urls = state.collection.catalog, urls_for(request)
    record = catalog.get(artwork_id)
    words = q.lower().split()
    hits = [p for p in catalog.passages_for(record.id) if words and all(w in p.text.lower() for w in words)]
    first = urls.artwork(record.id, "canvas/1") if any(v.id is not None for v in record.views) else None
    document = presentation.search_results(urls, record.id, q, hits, first)
    return _answer(document, "application/ld+json", state, max_age=60)


@router.get("/3/{identifier}", summary="An image service's base address", status_code=303,
            response_class=RedirectResponse, responses={303: {"description": "To its info.json"}})
def iiif_image_base(request: Request, identifier: str = _IDENTIFIER,
                    images: ImageService = Depends(get_images)) -> RedirectResponse:
    """Redirects to the image's ``info.json``."""
    image = images.find(identifier)
    return RedirectResponse(f"{urls_for(request).image_service(image.identifier)}/info.json", status_code=303)


@router.get("/3/{identifier}/info.json", summary="An image's IIIF Image API information",
            response_class=Response, responses=_ld_json(image_api.MEDIA_TYPE, "A IIIF Image API 3 info.json"))
def iiif_image_info(request: Request, identifier: str = _IDENTIFIER, state: ServerState = Depends(get_state),
                    images: ImageService = Depends(get_images)) -> Response:
    """The image's size, the tiles and sizes to ask for, and the service's limits (level 2)."""
    image = images.find(identifier)
    return _answer(images.info(image, urls_for(request)), image_api.MEDIA_TYPE, state, max_age=86400)


@router.get("/3/{identifier}/{region}/{size}/{rotation}/{quality}.{format}", summary="An IIIF Image API request",
            response_class=Response, responses={
                **error_responses(400, 504),
                200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}, "description": "The image"}})
async def iiif_image(identifier: str = _IDENTIFIER,
                     region: str = PathParam(max_length=100, description=_REGION),
                     size: str = PathParam(max_length=100, description=_SIZE),
                     rotation: str = PathParam(max_length=20, description=_ROTATION),
                     quality: str = PathParam(max_length=20, description=_QUALITY),
                     format: str = PathParam(max_length=10, description=_FORMAT),
                     state: ServerState = Depends(get_state), images: ImageService = Depends(get_images)) -> Response:
    """A region of the image at a size, turned, in a quality and format; rendered tiles are kept on disk."""
    image = await state.heavy.run(images.find, identifier)
    data, media_type = await state.heavy.run(images.image, image, region, size, rotation, f"{quality}.{format}")
    headers = {"Cache-Control": "public, max-age=86400"}
    if state.config.public_reads:
        headers["Access-Control-Allow-Origin"] = "*"
    return Response(data, media_type=media_type, headers=headers)
