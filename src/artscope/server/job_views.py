"""What the API says about jobs: the strict requests that start them, the sources they may name, and how a
job is shown (in full to token holders, as a public summary to everyone else), with its progress, the
time left, and warnings when it found nothing or stored artworks without images."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

import artscope.ingest.sources  # noqa: F401  (registers the built-in source kinds named below)
from artscope.errors import NotFoundError
from artscope.ingest.sources.base import SourceOptions, sources
from artscope.media.fetch import is_url
from artscope.server.errors import ServiceError
from artscope.server.redaction import redact
from artscope.server.schemas import BLANK, ApiModel

INGEST = "ingest"
PREDICTIONS = "describe"
TRAINING = "train"
COUNTED = {PREDICTIONS: "artworks", TRAINING: "steps"}
"""What the progress of a job that reads no sources counts."""
FINISHED = frozenset({"done", "failed", "cancelled"})

Location = Annotated[str, StringConstraints(min_length=1, max_length=2000,
                                            pattern=rf"^[^\x00-\x1f\x7f]*[^{BLANK}\x00-\x1f\x7f][^\x00-\x1f\x7f]*$")]
"""An http(s) URL or a path under the ingest root: not blank, no control characters (NUL included)."""
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
SourceKind = Literal[tuple(sources.names())]  # type: ignore[valid-type]


class SourceRefusedError(ServiceError):
    """A source the service may not read: a path outside the ingest root, a scheme other than http(s),
    or any local path when no ingest root is set."""

    status_code = 403


class IngestRequest(ApiModel):
    """Sources to add: http(s) URLs (IIIF manifests, catalogues), or paths inside the ingest root (strict:
    ``"optimize": 0`` is no boolean)."""

    sources: list[Location] = Field(min_length=1, max_length=100)
    kind: SourceKind | None = None
    """The source kind when it cannot be told from the files."""
    sidecar: Location | None = None
    """A CSV/JSON/JSONL catalogue for a folder of images (a path inside the ingest root)."""
    mapping: dict[Name, Name] = Field(default_factory=dict, max_length=100)
    """Source column -> record field."""
    join_on: Name | None = None
    limit: int | None = Field(default=None, ge=1, le=1_000_000_000)
    category: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None
    """Wikipedia dumps: keep the articles of this category and its subcategories."""
    depth: int = Field(default=5, ge=0, le=20)
    """Wikipedia dumps: levels of subcategories ``category`` takes in."""
    pages: Location | None = None
    """Wikipedia dumps: a file of page titles to keep, one a line (a path inside the ingest root)."""
    images: Location | None = None
    """Wikipedia dumps: a folder of the Commons files passages show (inside the ingest root)."""
    optimize: bool = True
    """Build the approximate index when the job is done."""


class PredictionsRequest(ApiModel):
    """Predict the attributes of every artwork and store them as predictions (never over curated
    metadata), as ``artscope describe --all`` does."""

    top_k: int = Field(default=3, ge=1, le=10)
    """Labels stored per field and artwork."""


class TrainRequest(ApiModel):
    """Train a head on the catalogue's own labels and keep its held-out metrics (``GET /meta``), as
    ``artscope train attributes`` or ``artscope train aesthetics`` does without ``--data``."""

    head: Literal["attributes", "aesthetics"]
    fields: list[Name] | None = Field(default=None, min_length=1, max_length=20)
    """attributes: the fields to learn (default artist, style, genre, medium, period)."""
    epochs: int | None = Field(default=None, ge=1, le=1000)
    """The most epochs (early stopping ends sooner); default 30 for attributes, 200 for aesthetics."""
    score_field: Name = "aesthetic_score"
    """aesthetics: the records' numeric field that holds each work's score."""


class JobItemError(BaseModel):
    item_key: str
    error: str | None = None


class JobProgress(BaseModel):
    """How far a job is: items done of the total, as a percentage, and an estimate of the time left."""

    done: int
    """Items read so far (of the current source, for a job with several)."""
    total: int | None = None
    """Items in the current source, when known."""
    percent: float | None = None
    """0-100 over the whole job (every source), when the totals are known."""
    eta_s: float | None = None
    """Seconds left, estimated from this run's pace; None until there is one."""
    rate: float | None = None
    """Items a second in this run."""


class JobSummary(BaseModel):
    """A job as anyone may see it: no sources, messages or item errors (they can name server files)."""

    id: str
    kind: Literal["ingest", "describe", "train"] = INGEST
    """``ingest``, ``describe`` (predictions for every artwork) or ``train`` (a head)."""
    state: Literal["queued", "running", "done", "cancelled", "failed", "interrupted"]
    """``interrupted``: stopped with its process; resume it."""
    counts: dict[str, int] = Field(default_factory=dict)
    progress: JobProgress
    warnings: list[str] = Field(default_factory=list)
    """What the result lacks though the job did not fail: nothing found, artworks without images."""
    started_at: str | None = None
    finished_at: str | None = None


class JobView(JobSummary):
    """A job in full (with the token): its sources (relative to the ingest root), message and the items
    that failed, each with its reason."""

    sources: list[str] = Field(default_factory=list)
    message: str | None = None
    errors: list[JobItemError] = Field(default_factory=list)
    item_warnings: list[JobItemError] = Field(default_factory=list)
    """Items stored with a warning, each with its reason (an image that could not be fetched, one that
    another artwork already has); their images are fetched again by the next run."""


@dataclass
class LiveProgress:
    """What this process knows of a job it runs: its sources, which one it reads, how far."""

    sources: int = 1
    started: float = 0.0
    index: int = 0
    seen: int = 0
    total: int | None = None

    def __post_init__(self) -> None:
        self.started = self.started or time.monotonic()

    def advance(self, seen: int, total: int | None) -> None:
        """Record a progress report; a count that starts over means the next source."""
        if self.seen and (seen <= self.seen or total != self.total) and self.index + 1 < self.sources:
            self.index += 1
        self.seen, self.total = seen, total

    def progress(self) -> JobProgress:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        if not self.total:
            return JobProgress(done=self.seen, total=self.total, rate=round(self.seen / elapsed, 3))
        fraction = min(1.0, (self.index + min(self.seen, self.total) / self.total) / self.sources)
        eta = elapsed * (1 - fraction) / fraction if fraction > 0 else None
        return JobProgress(done=self.seen, total=self.total, percent=round(100 * fraction, 1),
                           eta_s=round(eta, 1) if eta is not None else None, rate=round(self.seen / elapsed, 3))


def stored_progress(job: dict[str, Any], state: str) -> JobProgress:
    """Progress of a job this process does not run, from what the catalog recorded."""
    counted = COUNTED.get(job["kind"])
    done = int(job["counts"].get(counted, 0)) if counted else int(job.get("items", 0))
    total = job["total"]
    if state == "done":
        return JobProgress(done=done, total=total, percent=100.0, eta_s=0.0)
    percent = round(100 * min(1.0, done / total), 1) if total else (0.0 if state == "queued" else None)
    return JobProgress(done=done, total=total, percent=percent)


def job_warnings(job: dict[str, Any], state: str) -> list[str]:
    """Warnings of an ingest job: it found nothing, or stored artworks without (some of) their images."""
    if job["kind"] != INGEST or state == "queued":
        return []
    warnings = []
    if state == "done" and not job.get("items") and not any(job["counts"].values()):
        warnings.append("The sources held nothing to add: no images, records or passages were found in them. "
                        "Check the paths or URLs, and give `kind` if the files are of another kind.")
    if job.get("without_images"):
        warnings.append(f"{job['without_images']} artworks were stored without any usable image: they are "
                        "found by their text only. The item errors or the source's image URLs say why.")
    if job.get("partial"):
        warnings.append(f"{job['partial']} artworks were stored without some of their images (an image could "
                        "not be read).")
    return warnings


def job_view(job: dict[str, Any], state: str, progress: JobProgress, root: Path | None, full: bool
             ) -> JobView | JobSummary:
    """How a job is shown: in full to token holders (paths relative to ``root``), else as a summary."""
    summary = dict(id=job["id"], kind=job["kind"], state=state, counts=job["counts"], progress=progress,
                   warnings=job_warnings(job, state), started_at=job["started_at"], finished_at=job["finished_at"])
    if not full:
        return JobSummary(**summary)
    return JobView(**summary, sources=[redact(str(s), root) for s in job["params"].get("locations", [])],
                   message=redact(job["message"], root) if job["message"] else None,
                   errors=_item_errors(job["errors"], "error", root),
                   item_warnings=_item_errors(job.get("warnings", []), "warning", root))


def _item_errors(items: list[dict[str, Any]], field: str, root: Path | None) -> list[JobItemError]:
    """Per-item reasons with server paths made relative to ``root``."""
    return [JobItemError(item_key=redact(e["item_key"], root), error=redact(e[field], root) if e[field] else None)
            for e in items]


def check_source(location: str, root: Path | None) -> str:
    """A source the API may ingest: an http(s) URL, or an existing path inside ``root`` (as an absolute
    path). Refused (403) outside the root or of another scheme; 404 when it does not exist."""
    location = location.strip()
    if is_url(location):
        return location
    if "://" in location or location.startswith("file:"):
        raise SourceRefusedError(f"{location!r} is neither an http(s) URL nor a path; the service fetches only "
                                 "http and https.")
    if root is None:
        raise SourceRefusedError("This service ingests only http(s) URLs. Start it with --ingest-root DIR to "
                                 "allow local folders and files under DIR.")
    base = root.resolve()
    try:
        path = (base / location).resolve()  # an absolute location replaces base; resolve() follows links
        if not path.is_relative_to(base):
            raise SourceRefusedError(f"{location!r} is outside the ingest root; name a file or folder under it.")
        exists = path.exists()
    except OSError as exc:  # a name too long, a loop of links
        raise NotFoundError(f"No file or folder {location!r} under the ingest root ({exc.strerror}).") from None
    if not exists:
        raise NotFoundError(f"No file or folder {location!r} under the ingest root.")
    return str(path)


def source_options(request: IngestRequest, root: Path | None) -> SourceOptions:
    """The options of an ingest request, with its local files (sidecar, pages, images) checked."""
    local: dict[str, Path | None] = {}
    for name in ("sidecar", "pages", "images"):
        location = getattr(request, name)
        if location and is_url(location.strip()):
            raise SourceRefusedError(f"{name} names a file or folder under the ingest root, not a URL.")
        local[name] = Path(check_source(location, root)) if location else None
    return SourceOptions(sidecar=local["sidecar"], mapping=request.mapping, join_on=request.join_on,
                         limit=request.limit, root=root, category=request.category, depth=request.depth,
                         pages=local["pages"], image_dir=local["images"])
