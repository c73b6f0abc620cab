"""Jobs run by the service (ingest, describe-all, training a head): one background worker thread, a cancel
event per job, resume by id, progress as it happens.

The catalog records every job and its per-item errors, so a job's progress survives the process;
what only this process knows (queued, whether a "running" job is really running, how fast it goes)
is overlaid. Sources from the API are restricted: http(s) URLs, or paths inside the ingest root.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from artscope.collection import Collection
from artscope.errors import ArtscopeError
from artscope.ingest.sources.base import SourceOptions
from artscope.server.added_files import is_uploaded
from artscope.server.errors import ServiceError
from artscope.server.job_views import (
    INGEST,
    PREDICTIONS,
    TRAINING,
    JobSummary,
    JobView,
    LiveProgress,
    TrainRequest,
    check_source,
    job_view,
    stored_progress,
)
from artscope.tasks.attributes import describe_all, load_attribute_head

Progress = Callable[[int, int | None], None]

log = logging.getLogger(__name__)


class JobConflictError(ServiceError):
    """A job that is (or is not) active, when the request needs the opposite."""

    status_code = 409


class _Cancelled(Exception):
    """Raised from a progress callback to stop a job that was asked to."""

    def __init__(self, done: int) -> None:
        super().__init__(f"cancelled after {done}")
        self.done = done


class JobRunner:
    """Runs jobs one at a time in a background thread owned by the service: ingest jobs, describe-all
    jobs that store predicted attributes for every artwork, and jobs that train a head."""

    def __init__(self, collection: Collection, ingest_root: Path | None = None) -> None:
        self.collection = collection
        self.root = ingest_root
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="artscope-jobs")
        self._cancel: dict[str, threading.Event] = {}  # jobs queued or running in this process
        self._queued: set[str] = set()
        self._live: dict[str, LiveProgress] = {}  # jobs running in this process: how far, how fast
        self._lock = threading.Lock()

    def start(self, sources: list[str], options: SourceOptions, kind: str | None, optimize: bool,
              actor: str, job_id: str | None = None) -> str:
        """Queue an ingest job (``job_id`` of an earlier job resumes it, skipping the items it finished);
        ``actor`` (the token's name) goes to the audit log."""
        job_id = self._register(job_id)
        # the row exists from now on, so the job can be looked up while it waits its turn
        self.collection.catalog.start_job(job_id, INGEST, {"locations": sources, "kind": kind,
                                                           "options": options.model_dump(mode="json")})
        self.collection.log_write(actor, "job.ingest", job_id, {"sources": sources, "kind": kind})
        self._queue(job_id, len(sources), partial(self._ingest, sources, options, kind, optimize))
        return job_id

    def start_predictions(self, top_k: int, actor: str, job_id: str | None = None) -> str:
        """Queue a job that predicts every artwork's attributes and stores them as predictions."""
        load_attribute_head(self.collection)  # no head: 409 now, not a failed job later
        job_id = self._register(job_id)
        self.collection.catalog.start_job(job_id, PREDICTIONS, {"top_k": top_k})
        self.collection.log_write(actor, "job.describe", job_id, {"top_k": top_k})
        self._queue(job_id, 1, partial(
            self._counted, partial(_predict_all, self.collection, top_k), "artworks", "predict them all"))
        return job_id

    def start_training(self, request: TrainRequest, actor: str, job_id: str | None = None) -> str:
        """Queue a job that trains a head on the catalogue's labels (its held-out metrics are stored
        with it); a cancelled or failed run leaves the previous head in place."""
        job_id = self._register(job_id)
        params = request.model_dump(mode="json")
        self.collection.catalog.start_job(job_id, TRAINING, params)
        self.collection.log_write(actor, "job.train", job_id, params)
        self._queue(job_id, 1, partial(
            self._counted, partial(train_head, self.collection, request), "steps", "train again"))
        return job_id

    def resume(self, job_id: str, actor: str) -> str:
        """Start an earlier job again: an ingest with its own sources (checked against today's ingest
        root), a describe-all or training job with its own settings."""
        job = self.collection.catalog.job(job_id)
        params = job["params"]
        if job["kind"] == PREDICTIONS:
            return self.start_predictions(int(params.get("top_k", 3)), actor, job_id=job_id)
        if job["kind"] == TRAINING:
            return self.start_training(TrainRequest.model_validate(params), actor, job_id=job_id)
        sources = [self._readable(s) for s in params.get("locations", [])]
        options = SourceOptions.model_validate(params.get("options") or {})
        for name in ("sidecar", "pages", "image_dir"):  # today's ingest root decides, as for the sources
            if getattr(options, name) is not None:
                setattr(options, name, Path(self._readable(str(getattr(options, name)))))
        return self.start(sources, options, params.get("kind"), True, actor, job_id=job_id)

    def _readable(self, location: str) -> str:
        """A source a resumed job may read: files curators uploaded to the collection, or what the API
        accepts today (a URL, a path under the ingest root)."""
        return location if is_uploaded(location, self.collection.path) else check_source(location, self.root)

    def cancel(self, job_id: str, actor: str) -> None:
        """Ask a running job to stop after its current batch (what it wrote stays; resume continues it);
        a job still waiting its turn is cancelled at once (it never starts, and can be resumed now)."""
        with self._lock:
            event = self._cancel.get(job_id)
            queued = job_id in self._queued
            if queued:  # its turn will find it gone
                self._queued.discard(job_id)
                del self._cancel[job_id]
        if event is None:
            state = self.view(job_id).state
            raise JobConflictError(f"Job {job_id} is not running (it is {state}); there is nothing to "
                                   "cancel.")
        event.set()
        if queued:
            self.collection.catalog.finish_job(job_id, "cancelled", {}, message="cancelled before it started")
        self.collection.log_write(actor, "job.cancel", job_id, {})

    def view(self, job_id: str, full: bool = True) -> JobView | JobSummary:
        """A job as token holders see it (``full``), or its public summary."""
        return self._view(self.collection.catalog.job(job_id), full)

    def views(self, limit: int = 50, full: bool = True) -> list[JobView | JobSummary]:
        return [self._view(job, full) for job in self.collection.catalog.jobs(limit)]

    def _view(self, job: dict[str, Any], full: bool) -> JobView | JobSummary:
        state, live = self._state(job)
        if state == "interrupted":  # or its thread finished it (and let it go) after the row was read
            job = self.collection.catalog.job(job["id"])
            state, live = self._state(job)
        progress = live.progress() if live is not None and state == "running" else stored_progress(job, state)
        return job_view(job, state, progress, self.root, full)

    def _state(self, job: dict[str, Any]) -> tuple[str, LiveProgress | None]:
        """The job's state, the catalog's row ``job`` overlaid with what this process knows, and its live
        progress if a thread of this process runs it."""
        with self._lock:
            live = self._live.get(job["id"])
            if job["id"] in self._queued:
                return "queued", live
            if job["state"] == "running" and job["id"] not in self._cancel:
                return "interrupted", live  # the catalog says running, but no thread of this process runs it
        return job["state"], live

    def _register(self, job_id: str | None) -> str:
        job_id = job_id or uuid.uuid4().hex[:12]
        with self._lock:
            if job_id in self._cancel:
                raise JobConflictError(f"Job {job_id} is already queued or running.")
            self._cancel[job_id] = threading.Event()
            self._queued.add(job_id)
        return job_id

    def _queue(self, job_id: str, sources: int, work: Callable[[str, threading.Event, LiveProgress], None]
               ) -> None:
        with self._lock:
            cancel = self._cancel[job_id]
        self._executor.submit(self._guarded, job_id, cancel, sources, work)

    def _guarded(self, job_id: str, cancel: threading.Event, sources: int,
                 work: Callable[[str, threading.Event, LiveProgress], None]) -> None:
        """Run one job in the worker thread; whatever happens, the worker lives on."""
        live = LiveProgress(sources=sources)
        with self._lock:
            if self._cancel.get(job_id) is not cancel:  # cancelled while it waited (perhaps queued again since)
                return
            self._queued.discard(job_id)
            self._live[job_id] = live
        try:
            if cancel.is_set():  # the service stopped while it waited
                self.collection.catalog.finish_job(job_id, "cancelled", {},
                                                   message="cancelled before it started")
                return
            work(job_id, cancel, live)
        except ArtscopeError as exc:  # bad input found on the way: the job has recorded it
            log.info("job %s failed: %s", job_id, exc)
        except Exception:  # the job has recorded its failure in the catalog
            log.exception("job %s failed", job_id)
        finally:
            with self._lock:
                self._cancel.pop(job_id, None)
                self._live.pop(job_id, None)

    def _ingest(self, sources: list[str], options: SourceOptions, kind: str | None, optimize: bool,
                job_id: str, cancel: threading.Event, live: LiveProgress) -> None:
        self.collection.ingest(sources, options=options, kind=kind, job_id=job_id, cancel=cancel,
                               progress=live.advance)
        if optimize and not cancel.is_set():
            self.collection.optimize()

    def _counted(self, work: Callable[[Progress], dict[str, int]], unit: str, resume_to: str, job_id: str,
                 cancel: threading.Event, live: LiveProgress) -> None:
        """Run ``work`` (which reports how many ``unit`` it did) as job ``job_id``; it returns the counts."""
        catalog = self.collection.catalog

        def progress(done: int, total: int | None) -> None:
            live.advance(done, total)
            catalog.update_job_progress(job_id, {unit: done}, total)
            if cancel.is_set():
                raise _Cancelled(done)

        try:
            counts = work(progress)
        except _Cancelled as stop:
            catalog.finish_job(job_id, "cancelled", {unit: stop.done},
                               message=f"cancelled after {stop.done} {unit}; resume to {resume_to}")
            return
        except Exception as exc:
            catalog.finish_job(job_id, "failed", {}, message=str(exc) or type(exc).__name__)
            raise
        catalog.finish_job(job_id, "done", counts)

    def shutdown(self) -> None:
        """Cancel what runs (it stops after its batch and can be resumed) and wait for the worker."""
        with self._lock:
            for event in self._cancel.values():
                event.set()
        self._executor.shutdown(wait=True)


def _predict_all(collection: Collection, top_k: int, progress: Progress) -> dict[str, int]:
    summary = describe_all(collection, top_k=top_k, progress=progress)
    return {"artworks": summary.artworks, "predictions": summary.predictions}


def train_head(collection: Collection, request: TrainRequest, progress: Progress) -> dict[str, int]:
    """Train the head ``request`` names on the catalogue's labels; what it learnt from, as counts."""
    if request.head == "attributes":
        from artscope.heads.attributes import HeadConfig
        from artscope.tasks.attributes import AttributesConfig, train

        head = HeadConfig(**({"epochs": request.epochs} if request.epochs else {}))
        config = AttributesConfig(head=head, **({"fields": request.fields} if request.fields else {}))
        report = train(collection, config, on_epoch=lambda epoch, _loss: progress(epoch, head.epochs))
        return {"steps": report.epochs, "epochs": report.epochs, "fields": len(report.fields),
                "images": report.images, "artworks": report.artworks}
    from artscope.tasks.aesthetics.training import from_collection
    from artscope.tasks.aesthetics.training import train as train_aesthetics

    data = from_collection(collection, request.score_field)
    result = train_aesthetics(collection, data, epochs=request.epochs or 200, progress=progress)
    return {"steps": result.train_items + result.test_items + result.skipped, "train_items": result.train_items,
            "test_items": result.test_items, "skipped": result.skipped}
