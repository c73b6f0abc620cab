"""``/health`` and ``/meta`` (at the root, where ArtiMuse's clients look for them)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from artscope import __version__
from artscope.config import get_settings
from artscope.heads.store import META_NAME, HeadEnvelope
from artscope.server.errors import error_responses
from artscope.server.ratelimit import limit_requests
from artscope.server.schemas import HeadSummary, Health, Limits, Meta
from artscope.server.state import ServerState, get_state, require_read
from artscope.tasks.aesthetics import DIMENSIONS
from artscope.tasks.search.facets import automatic_facets
from artscope.types import INTEGER_PAYLOAD_FIELDS, KEYWORD_PAYLOAD_FIELDS

log = logging.getLogger(__name__)

router = APIRouter(tags=["meta"])


@router.get("/health", response_model=Health, summary="Liveness and readiness",
            responses={503: {"model": Health, "description": "Not ready yet (asked with `ready=true`)."}})
def health(state: ServerState = Depends(get_state), ready: bool = Query(
        default=False, description="Answer 503 until the service is ready (a load balancer's readiness probe).")
           ) -> Health | JSONResponse:
    """``{"status": "ok", "ready": ...}`` while the service runs (public, even when reads need the token);
    ``ready`` turns true once the models are loaded and the index is open."""
    body = Health(collection=state.collection.path.name, ready=state.readiness.ready)
    if ready and not body.ready:
        return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": "1"})
    return body


@router.get("/meta", response_model=Meta, summary="The collection and the service",
            dependencies=[Depends(limit_requests), Depends(require_read)], responses=error_responses(401, 429))
def meta(state: ServerState = Depends(get_state)) -> Meta:
    """Models, counts, filterable fields, trained heads with their metrics, and the service's limits."""
    collection, config = state.collection, state.config
    fields = {name: "keyword" for name in KEYWORD_PAYLOAD_FIELDS if name != "artwork_id"}
    fields |= {name: "number" for name in INTEGER_PAYLOAD_FIELDS}
    fields |= collection.catalog.user_fields()
    allowed = collection.filter_fields()
    fields = {name: kind for name, kind in fields.items() if name in allowed}
    return Meta(name=collection.path.name, artscope_version=__version__, embedder=collection.info,
                index=collection.manifest.index.kind, counts=collection.catalog.counts(), fields=fields,
                facets=collection.manifest.facets, automatic_facets=automatic_facets(collection),
                heads=read_heads(collection.heads_dir), dimensions=DIMENSIONS, writable=config.writable,
                public_reads=config.public_reads, llm=bool(get_settings().llm_url),
                limits=Limits(max_upload_bytes=config.max_upload_bytes,
                              max_image_pixels=config.max_image_pixels,
                              request_timeout_s=config.request_timeout_s))


def read_heads(heads_dir: Path) -> list[HeadSummary]:
    """Every head folder's ``head.json``: kind, version, when, on which embedder, with which metrics."""
    heads = []
    for meta_file in sorted(heads_dir.glob(f"*/{META_NAME}")):
        if meta_file.parent.name.startswith("."):  # a head being swapped in
            continue
        try:
            envelope = HeadEnvelope.model_validate_json(meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:  # ValidationError is a ValueError
            log.warning("unreadable head metadata %s: %s", meta_file, exc)
            continue
        heads.append(HeadSummary(kind=envelope.kind, version=envelope.version, created_at=envelope.created_at,
                                 embedder=envelope.embedder.spec, metrics=_metrics(envelope.meta)))
    return heads


def _metrics(meta: dict[str, Any]) -> dict[str, Any]:
    """A head's held-out metrics: its ``metrics`` (aesthetics), or per field those of its training
    report (attributes)."""
    if meta.get("metrics"):
        return dict(meta["metrics"])
    fields = (meta.get("report") or {}).get("fields") or []
    return {f["field"]: f["head"] for f in fields if isinstance(f, dict) and f.get("field") and f.get("head")}
