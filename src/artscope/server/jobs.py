"""Jobs run by the service (ingest, and describe-all): one background worker thread, a cancel event per
job, resume by id.

The catalog records every job and its per-item errors, so a job's progress survives the process;
what only this process knows (queued, and whether a "running" job is really running) is overlaid.
Sources from the API are restricted: http(s) URLs, or paths inside the configured ingest root.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from artscope.collection import Collection
from artscope.errors import InvalidInputError
from artscope.ingest.sources.base import SourceOptions
from artscope.media.fetch import is_url
from artscope.server.errors import ServiceError
from artscope.tasks.attributes import describe_all, load_attribute_head

log = logging.getLogger(__name__)

INGEST = "ingest"
PREDICTIONS = "describe"


class JobConflictError(ServiceError):
    """A job that is (or is not) active, when the request needs the opposite."""

    status_code = 409


class _Cancelled(Exception):
    """Raised from a progress callback to stop a job that was asked to."""

    def __init__(self, done: int) -> None:
        super().__init__(f"cancelled after {done}")
        self.done = done


class IngestRequest(BaseModel):
    """Sources to add: http(s) URLs (IIIF manifests, catalogues), or paths inside the ingest root."""

    model_config = ConfigDict(extra="forbid")

    sources: list[str] = Field(min_length=1, max_length=100)
    kind: str | None = None
    """The source kind when it cannot be told from the files (``folder``, ``csv``, ``iiif``...)."""
    sidecar: str | None = None
    """A CSV/JSON/JSONL catalogue for a folder of images (a path inside the ingest root)."""
    mapping: dict[str, str] = Field(default_factory=dict)
    join_on: str | None = None
    limit: int | None = Field(default=None, ge=1)
    category: str | None = Field(default=None, min_length=1, max_length=255)
    """Wikipedia dumps: keep the articles of this category and its subcategories."""
    depth: int = Field(default=5, ge=0, le=20)
    """Wikipedia dumps: levels of subcategories ``category`` takes in."""
    pages: str | None = None
    """Wikipedia dumps: a file of page titles to keep, one a line (a path inside the ingest root)."""
    images: str | None = None
    """Wikipedia dumps: a folder of the Commons files passages show (inside the ingest root)."""
    optimize: bool = True
    """Build the approximate index when the job is done."""


class PredictionsRequest(BaseModel):
    """Predict the attributes of every artwork and store them as predictions (never over curated
    metadata), as ``artscope describe --all`` does."""

    model_config = ConfigDict(extra="forbid")

    top_k: int = Field(default=3, ge=1, le=10)
    """Labels stored per field and artwork."""


class JobItemError(BaseModel):
    item_key: str
    error: str | None = None


class JobView(BaseModel):
    """An ingest job: its state, counts so far, and the items that failed."""

    id: str
    kind: str = INGEST
    """``ingest``, or ``describe`` (predictions for every artwork)."""
    state: str
    """``queued``, ``running``, ``done``, ``cancelled``, ``failed`` or ``interrupted`` (stopped with
    its process; resume it)."""
    sources: list[str] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    total: int | None = None
    """Items in the source being read (an estimate), when known."""
    message: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    errors: list[JobItemError] = Field(default_factory=list)


def check_source(location: str, root: Path | None) -> str:
    """A source the API may ingest: an http(s) URL, or an existing path inside ``root``."""
    location = location.strip()
    if is_url(location):
        return location
    if "://" in location or location.startswith("file:"):
        raise InvalidInputError(f"{location!r} is neither an http(s) URL nor a path; the service fetches "
                                "only http and https.")
    if root is None:
        raise InvalidInputError("This service ingests only http(s) URLs. Start it with --ingest-root DIR to "
                                "allow local folders and files under DIR.")
    base = root.resolve()
    path = (base / location).resolve()  # an absolute location replaces base; resolve() follows links
    if not path.is_relative_to(base):
        raise InvalidInputError(f"{location!r} is outside the ingest root; name a file or folder under it.")
    if not path.exists():
        raise InvalidInputError(f"No file or folder {location!r} under the ingest root.")
    return str(path)


def source_options(request: IngestRequest, root: Path | None) -> SourceOptions:
    sidecar, pages, images = (Path(check_source(path, root)) if path else None
                              for path in (request.sidecar, request.pages, request.images))
    return SourceOptions(sidecar=sidecar, mapping=request.mapping, join_on=request.join_on,
                         limit=request.limit, root=root, category=request.category, depth=request.depth,
                         pages=pages, image_dir=images)


class JobRunner:
    """Runs jobs one at a time in a background thread owned by the service: ingest jobs, and
    describe-all jobs that store predicted attributes for every artwork."""

    def __init__(self, collection: Collection, ingest_root: Path | None = None) -> None:
        self.collection = collection
        self._root_prefix = str(ingest_root.resolve()) + os.sep if ingest_root else ""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="artscope-jobs")
        self._cancel: dict[str, threading.Event] = {}  # jobs queued or running in this process
        self._queued: set[str] = set()
        self._lock = threading.Lock()

    def start(self, sources: list[str], options: SourceOptions, kind: str | None, optimize: bool,
              job_id: str | None = None) -> str:
        """Queue an ingest job (``job_id`` of an earlier job resumes it, skipping the items it finished)."""
        job_id = self._register(job_id)
        # the row exists from now on, so the job can be looked up while it waits its turn
        self.collection.catalog.start_job(job_id, INGEST, {"locations": sources, "kind": kind,
                                                           "options": options.model_dump(mode="json")})
        self._executor.submit(self._guarded, job_id, partial(self._ingest, sources, options, kind, optimize))
        return job_id

    def start_predictions(self, top_k: int, job_id: str | None = None) -> str:
        """Queue a job that predicts every artwork's attributes and stores them as predictions."""
        load_attribute_head(self.collection)  # no head: 409 now, not a failed job later
        job_id = self._register(job_id)
        self.collection.catalog.start_job(job_id, PREDICTIONS, {"top_k": top_k})
        self._executor.submit(self._guarded, job_id, partial(self._predict, top_k))
        return job_id

    def resume(self, job_id: str, root: Path | None) -> str:
        """Start an earlier job again: an ingest with its own sources (checked against today's ingest
        root), a describe-all job with its own settings."""
        job = self.collection.catalog.job(job_id)
        params = job["params"]
        if job["kind"] == PREDICTIONS:
            return self.start_predictions(int(params.get("top_k", 3)), job_id=job_id)
        sources = [check_source(s, root) for s in params.get("locations", [])]
        options = SourceOptions.model_validate(params.get("options") or {})
        if options.sidecar is not None:
            options.sidecar = Path(check_source(str(options.sidecar), root))
        return self.start(sources, options, params.get("kind"), True, job_id=job_id)

    def cancel(self, job_id: str) -> None:
        """Ask a job to stop after its current batch (what it wrote stays; resume continues it)."""
        with self._lock:
            event = self._cancel.get(job_id)
        if event is None:
            state = self.view(job_id).state
            raise JobConflictError(f"Job {job_id} is not running (it is {state}); there is nothing to "
                                   "cancel.")
        event.set()

    def view(self, job_id: str) -> JobView:
        return self._view(self.collection.catalog.job(job_id))

    def views(self, limit: int = 50) -> list[JobView]:
        return [self._view(job) for job in self.collection.catalog.jobs(limit)]

    def _view(self, job: dict[str, Any]) -> JobView:
        state = job["state"]
        with self._lock:
            if job["id"] in self._queued:
                state = "queued"
            elif state == "running" and job["id"] not in self._cancel:
                state = "interrupted"  # the catalog says running, but no thread of this process runs it
        shown = self._shown
        return JobView(id=job["id"], kind=job["kind"], state=state,
                       sources=[shown(s) for s in job["params"].get("locations", [])],
                       counts=job["counts"], total=job["total"], message=shown(job["message"]),
                       started_at=job["started_at"], finished_at=job["finished_at"],
                       errors=[JobItemError(item_key=shown(e["item_key"]), error=shown(e["error"]))
                               for e in job["errors"]])

    def _shown(self, text: str | None) -> str | None:
        """Paths under the ingest root as the API names them (relative): the public job list does not
        tell where the service's files are."""
        return text.replace(self._root_prefix, "") if text and self._root_prefix else text

    def _register(self, job_id: str | None) -> str:
        job_id = job_id or uuid.uuid4().hex[:12]
        with self._lock:
            if job_id in self._cancel:
                raise JobConflictError(f"Job {job_id} is already queued or running.")
            self._cancel[job_id] = threading.Event()
            self._queued.add(job_id)
        return job_id

    def _guarded(self, job_id: str, work: Callable[[str, threading.Event], None]) -> None:
        """Run one job in the worker thread; whatever happens, the worker lives on."""
        with self._lock:
            self._queued.discard(job_id)
            cancel = self._cancel[job_id]
        try:
            if cancel.is_set():  # cancelled while it waited
                self.collection.catalog.finish_job(job_id, "cancelled", {},
                                                   message="cancelled before it started")
                return
            work(job_id, cancel)
        except Exception:  # the job has recorded its failure in the catalog
            log.exception("job %s failed", job_id)
        finally:
            with self._lock:
                self._cancel.pop(job_id, None)

    def _ingest(self, sources: list[str], options: SourceOptions, kind: str | None, optimize: bool,
                job_id: str, cancel: threading.Event) -> None:
        self.collection.ingest(sources, options=options, kind=kind, job_id=job_id, cancel=cancel)
        if optimize and not cancel.is_set():
            self.collection.optimize()

    def _predict(self, top_k: int, job_id: str, cancel: threading.Event) -> None:
        catalog = self.collection.catalog

        def progress(done: int, total: int) -> None:
            catalog.update_job_progress(job_id, {"artworks": done}, total)
            if cancel.is_set():
                raise _Cancelled(done)

        try:
            summary = describe_all(self.collection, top_k=top_k, progress=progress)
        except _Cancelled as stop:
            catalog.finish_job(job_id, "cancelled", {"artworks": stop.done},
                               message=f"cancelled after {stop.done} artworks; resume to predict them all")
            return
        except Exception as exc:
            catalog.finish_job(job_id, "failed", {}, message=str(exc) or type(exc).__name__)
            raise
        catalog.finish_job(job_id, "done", {"artworks": summary.artworks, "predictions": summary.predictions})

    def shutdown(self) -> None:
        """Cancel what runs (it stops after its batch and can be resumed) and wait for the worker."""
        with self._lock:
            for event in self._cancel.values():
                event.set()
        self._executor.shutdown(wait=True)
