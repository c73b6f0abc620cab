"""Jobs: ingest (sources by URL or under the ingest root, or files uploaded with the request), describe-all
and training a head; start them (with a token), follow progress (also live, as server-sent events) and
per-item errors, cancel, resume. Without a token, a job is shown as a summary (or not at all, by setting)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import anyio
from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.convertors import StringConvertor, register_url_convertor
from starlette.exceptions import HTTPException

from artscope.ingest.sources.base import SourceOptions
from artscope.server.added_files import MAX_FILES, store_files
from artscope.server.errors import error_responses
from artscope.server.job_views import (
    FINISHED,
    IngestRequest,
    JobSummary,
    JobView,
    PredictionsRequest,
    TrainRequest,
    check_source,
    source_options,
)
from artscope.server.ratelimit import limit_heavy, limit_requests
from artscope.server.sse import sse_frame, sse_responses
from artscope.server.state import ServerState, get_state, is_curator, require_write
from artscope.server.uploads import parsed_form, read_upload


class JobIdConvertor(StringConvertor):
    """A job id in a path: any segment but ``describe``, ``train`` and ``files``, so ``/api/jobs/describe``
    is only the describe-all route (and its ``Allow`` says ``POST``), never a job named "describe" (405 for
    other methods there); the same for the others."""

    regex = "(?!(?:describe|train|files)$)[^/]+"


register_url_convertor("job_id", JobIdConvertor())
router = APIRouter(prefix="/api/jobs", tags=["jobs"], dependencies=[Depends(limit_requests)])
JOB_ID = PathParam(min_length=1, max_length=64, json_schema_extra={"not": {"enum": ["describe", "train", "files"]}})
POLL_S = 0.25
"""How often a live stream looks at its job."""
KEEP_ALIVE_S = 15.0
OPTIONAL_TOKEN = {"security": [{}, {"token": []}]}
"""Reads of jobs take the token when sent (full views) and answer without it (summaries)."""


async def job_reader(request: Request, state: ServerState = Depends(get_state)) -> bool:
    """Whether the caller sees jobs in full (a right token); without one, summaries, or a 401 where the
    service shows jobs to token holders only (``ARTSCOPE_PUBLIC_JOBS=none``)."""
    full = await is_curator(request, state)
    if not full and state.config.public_jobs == "none":
        raise HTTPException(401, "This service shows jobs to token holders only: send "
                                 "'Authorization: Bearer <token>'.", headers={"WWW-Authenticate": "Bearer"})
    return full


@router.get("", response_model=list[JobView | JobSummary], summary="Jobs", responses=error_responses(401, 422, 429),
            openapi_extra=OPTIONAL_TOKEN)
def list_jobs(limit: int = Query(default=50, ge=1, le=500), full: bool = Depends(job_reader),
              state: ServerState = Depends(get_state)) -> list[JobView | JobSummary]:
    """The latest jobs first: in full with the token, else summaries (no sources, messages or errors)."""
    return state.jobs.views(limit, full)


@router.get("/{job_id:job_id}", response_model=JobView | JobSummary, summary="One job",
            responses=error_responses(401, 404, 405, 422, 429), openapi_extra=OPTIONAL_TOKEN)
def get_job(job_id: str = JOB_ID, full: bool = Depends(job_reader), state: ServerState = Depends(get_state)
            ) -> JobView | JobSummary:
    """State, progress (percent, time left), warnings, and with the token the items that failed."""
    return state.jobs.view(job_id, full)


@router.get("/{job_id:job_id}/events", summary="Follow a job live", response_class=StreamingResponse,
            responses=sse_responses("progress", "end", description=(
                "`progress` with the job (as `GET /api/jobs/{job_id}` shows it) whenever it changes, then "
                "`end` with its final view when it is done, failed, cancelled or interrupted")) |
            error_responses(401, 404, 405, 422, 429), openapi_extra=OPTIONAL_TOKEN)
async def follow_job(request: Request, job_id: str = JOB_ID, full: bool = Depends(job_reader),
                     state: ServerState = Depends(get_state)) -> StreamingResponse:
    """Server-sent events with the job's progress until it ends (an unknown job is a 404 before any)."""
    view = await run_in_threadpool(state.jobs.view, job_id, full)
    return StreamingResponse(_follow(request, state, job_id, full, view), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _follow(request: Request, state: ServerState, job_id: str, full: bool,
                  view: JobView | JobSummary) -> AsyncIterator[str]:
    last, quiet = "", 0.0
    while True:
        data = view.model_dump_json()
        if view.state in FINISHED or view.state == "interrupted":
            yield sse_frame("end", data)
            return
        if data != last:
            yield sse_frame("progress", data)
            last, quiet = data, 0.0
        elif quiet >= KEEP_ALIVE_S:
            yield ": keep-alive\n\n"
            quiet = 0.0
        await anyio.sleep(POLL_S)
        quiet += POLL_S
        if request.app.state.artscope is None:  # the service is stopping
            return
        view = await run_in_threadpool(state.jobs.view, job_id, full)


@router.post("", response_model=JobView, status_code=202, summary="Start an ingest job",
             dependencies=[Depends(limit_heavy)], responses=error_responses(400, 401, 403, 404, 409, 413, 422, 429))
async def start_job(body: IngestRequest, actor: str = Depends(require_write), state: ServerState = Depends(get_state)
                    ) -> JobView:
    """Add sources in the background: http(s) URLs (IIIF manifests, catalogues), or files and folders
    inside the service's ingest root. Answers at once with the queued job; follow it with
    GET /api/jobs/{id} or /api/jobs/{id}/events."""
    root = state.config.ingest_root
    sources = [check_source(s, root) for s in body.sources]
    options = source_options(body, root)
    job_id = await run_in_threadpool(state.jobs.start, sources, options, body.kind, body.optimize, actor)
    return await run_in_threadpool(state.jobs.view, job_id)


@router.post("/files", response_model=JobView, status_code=202, summary="Add uploaded files",
             dependencies=[Depends(limit_heavy), Depends(require_write), Depends(parsed_form)],
             responses=error_responses(400, 401, 403, 409, 413, 422, 429))
async def add_files(files: list[UploadFile] = File(min_length=1, description=(
                        f"Images (JPEG, PNG, WebP, TIFF, GIF, BMP) and at most one catalogue describing them (CSV, "
                        f"JSON, JSONL): {MAX_FILES} files at most")),
                    actor: str = Depends(require_write), state: ServerState = Depends(get_state)) -> JobView:
    """Add files sent with the request: they are checked (every image readable and within the pixel
    limit, names kept plain), written under the collection's ``uploads/`` folder, where they stay, and
    ingested as a folder (the catalogue, if any, joined to the images). Answers at once with the queued
    job."""
    contents = [(file.filename or "", await read_upload(file)) for file in files]
    added = await state.heavy.run(store_files, state.collection.path, uuid.uuid4().hex[:12], contents,
                                  state.config.max_image_pixels)
    options = SourceOptions(sidecar=added.catalogue, root=added.folder)
    job_id = await run_in_threadpool(state.jobs.start, [str(added.folder)], options, "folder", True, actor)
    return await run_in_threadpool(state.jobs.view, job_id)


@router.post("/describe", response_model=JobView, status_code=202,
             summary="Predict every artwork's attributes", dependencies=[Depends(limit_heavy)],
             responses=error_responses(400, 401, 403, 409, 413, 422, 429))
async def start_predictions(body: PredictionsRequest, actor: str = Depends(require_write),
                            state: ServerState = Depends(get_state)) -> JobView:
    """Store the predicted attributes of every artwork in the catalogue (as predictions, never over its
    own metadata), in the background, as ``artscope describe --all`` does. 409 without a trained head."""
    job_id = await run_in_threadpool(state.jobs.start_predictions, body.top_k, actor)
    return await run_in_threadpool(state.jobs.view, job_id)


@router.post("/train", response_model=JobView, status_code=202, summary="Train a head",
             dependencies=[Depends(limit_heavy)], responses=error_responses(400, 401, 403, 409, 413, 422, 429))
async def start_training(body: TrainRequest, actor: str = Depends(require_write),
                         state: ServerState = Depends(get_state)) -> JobView:
    """Train the attributes or the aesthetics head on the catalogue's own labels, in the background, as
    ``artscope train attributes|aesthetics`` does; its held-out metrics then show in ``GET /meta``. A run
    that fails or is cancelled leaves the previous head in place."""
    job_id = await run_in_threadpool(state.jobs.start_training, body, actor)
    return await run_in_threadpool(state.jobs.view, job_id)


@router.post("/{job_id:job_id}/cancel", response_model=JobView, status_code=202, summary="Cancel a job",
             responses=error_responses(401, 403, 404, 405, 409, 422, 429))
async def cancel_job(job_id: str = JOB_ID, actor: str = Depends(require_write),
                     state: ServerState = Depends(get_state)) -> JobView:
    """Stop after the current batch; what was written stays, and resuming continues from there."""
    await run_in_threadpool(state.jobs.cancel, job_id, actor)
    return await run_in_threadpool(state.jobs.view, job_id)


@router.post("/{job_id:job_id}/resume", response_model=JobView, status_code=202, summary="Resume a job",
             dependencies=[Depends(limit_heavy)], responses=error_responses(401, 403, 404, 405, 409, 422, 429))
async def resume_job(job_id: str = JOB_ID, actor: str = Depends(require_write),
                     state: ServerState = Depends(get_state)) -> JobView:
    """Run a cancelled, failed or interrupted job again with its own sources (or settings); the items an
    ingest job finished are skipped."""
    await run_in_threadpool(state.jobs.resume, job_id, actor)
    return await run_in_threadpool(state.jobs.view, job_id)
