"""Jobs: ingest and describe-all; start them (with the token), follow progress and per-item errors,
cancel, resume."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool

from artscope.server.errors import error_responses
from artscope.server.jobs import IngestRequest, JobView, PredictionsRequest, check_source, source_options
from artscope.server.state import ServerState, get_state, require_read, require_write

router = APIRouter(prefix="/api/jobs", tags=["jobs"])
JOB_ID = PathParam(min_length=1, max_length=64)


@router.get("", response_model=list[JobView], summary="Jobs", dependencies=[Depends(require_read)],
            responses=error_responses(401, 422))
def list_jobs(limit: int = Query(default=50, ge=1, le=500), state: ServerState = Depends(get_state)
              ) -> list[JobView]:
    """The latest jobs first, with their counts and errors."""
    return state.jobs.views(limit)


@router.get("/{job_id}", response_model=JobView, summary="One job",
            dependencies=[Depends(require_read)], responses=error_responses(401, 404, 422))
def get_job(job_id: str = JOB_ID, state: ServerState = Depends(get_state)) -> JobView:
    """State, progress counts, and the items that failed with the reason for each."""
    return state.jobs.view(job_id)


@router.post("", response_model=JobView, status_code=202, summary="Start an ingest job",
             dependencies=[Depends(require_write)], responses=error_responses(400, 401, 403, 409, 413, 422))
async def start_job(body: IngestRequest, state: ServerState = Depends(get_state)) -> JobView:
    """Add sources in the background: http(s) URLs (IIIF manifests, catalogues), or files and folders
    inside the service's ingest root. Answers at once with the queued job; poll GET /api/jobs/{id}."""
    root = state.config.ingest_root
    sources = [check_source(s, root) for s in body.sources]
    options = source_options(body, root)
    job_id = await run_in_threadpool(state.jobs.start, sources, options, body.kind, body.optimize)
    return await run_in_threadpool(state.jobs.view, job_id)


@router.post("/describe", response_model=JobView, status_code=202,
             summary="Predict every artwork's attributes", dependencies=[Depends(require_write)],
             responses=error_responses(400, 401, 403, 409, 413, 422))
async def start_predictions(body: PredictionsRequest, state: ServerState = Depends(get_state)) -> JobView:
    """Store the predicted attributes of every artwork in the catalogue (as predictions, never over its
    own metadata), in the background, as ``artscope describe --all`` does. 409 without a trained head."""
    job_id = await run_in_threadpool(state.jobs.start_predictions, body.top_k)
    return await run_in_threadpool(state.jobs.view, job_id)


@router.post("/{job_id}/cancel", response_model=JobView, status_code=202, summary="Cancel a job",
             dependencies=[Depends(require_write)], responses=error_responses(401, 403, 404, 409, 422))
async def cancel_job(job_id: str = JOB_ID, state: ServerState = Depends(get_state)) -> JobView:
    """Stop after the current batch; what was written stays, and resuming continues from there."""
    await run_in_threadpool(state.jobs.cancel, job_id)
    return await run_in_threadpool(state.jobs.view, job_id)


@router.post("/{job_id}/resume", response_model=JobView, status_code=202, summary="Resume a job",
             dependencies=[Depends(require_write)], responses=error_responses(401, 403, 404, 409, 422))
async def resume_job(job_id: str = JOB_ID, state: ServerState = Depends(get_state)) -> JobView:
    """Run a cancelled, failed or interrupted job again with its own sources (or settings); the items an
    ingest job finished are skipped."""
    await run_in_threadpool(state.jobs.resume, job_id, state.config.ingest_root)
    return await run_in_threadpool(state.jobs.view, job_id)
