"""The HTTP API's own request and response shapes. Task requests extend the tasks' pydantic types
(the Python API's), so the fields and their meanings are the same; images are referenced by upload
id, never by path or URL (a request can never make the service read a file or fetch a URL)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from artscope.embedders.base import EmbedderInfo
from artscope.heads.store import StoredPrediction
from artscope.media.fetch import is_url
from artscope.tasks.search.passages import PassageSearchRequest
from artscope.tasks.search.types import SearchRequest
from artscope.types import ArtworkRecord, Filters, ImageView, Passage

IMAGE_ID_DOC = "An uploaded image (the ``id`` that POST /api/uploads returned)."


class SearchQuery(SearchRequest):
    """A search: ``text``, an uploaded image (``image_id``), both (composed: the text says what to
    change), or ``artwork_id`` (more like this); with filters, facets, paging and a relevance cutoff."""

    model_config = ConfigDict(extra="forbid")

    image: SkipJsonSchema[None] = Field(default=None, exclude=True)
    image_id: str | None = Field(default=None, description=IMAGE_ID_DOC, max_length=64)


class PassageQuery(PassageSearchRequest):
    """Passages (wall texts, essays) for a text, an uploaded image, or an artwork."""

    model_config = ConfigDict(extra="forbid")

    image: SkipJsonSchema[None] = Field(default=None, exclude=True)
    image_id: str | None = Field(default=None, description=IMAGE_ID_DOC, max_length=64)


class ImageSubject(BaseModel):
    """What to describe or score: a stored artwork, or an uploaded image (exactly one)."""

    model_config = ConfigDict(extra="forbid")

    artwork_id: str | None = Field(default=None, max_length=500)
    image_id: str | None = Field(default=None, description=IMAGE_ID_DOC, max_length=64)


class DescribeQuery(ImageSubject):
    """Predicted attributes of a stored artwork or an uploaded image."""

    top_k: int = Field(default=5, ge=1, le=50)
    threshold: float | None = Field(default=None, ge=0, le=1)
    """Below this calibrated probability a field is "unknown" (the task's default when unset)."""
    fields: list[str] | None = Field(default=None, max_length=20)
    """Only these fields (every trained field when unset)."""


class AskQuery(BaseModel):
    """A question about the collection, optionally about one artwork or an uploaded image."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=2000)
    artwork_id: str | None = Field(default=None, max_length=500)
    image_id: str | None = Field(default=None, description=IMAGE_ID_DOC, max_length=64)


class DialogueStart(BaseModel):
    """The first query of a dialogue search: words, an uploaded image, or both."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, max_length=2000)
    image_id: str | None = Field(default=None, description=IMAGE_ID_DOC, max_length=64)
    filters: Filters = Field(default_factory=dict)
    limit: int = Field(default=10, ge=1, le=100)


class DialogueAnswer(BaseModel):
    """The answer to the last question: one of its quick answers, free words, or ``skip``."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(max_length=500)
    limit: int = Field(default=10, ge=1, le=100)


class UploadInfo(BaseModel):
    """An uploaded query image, kept in memory (never added to the collection)."""

    id: str
    width: int
    height: int
    bytes: int
    expires_in_s: int
    in_collection: str | None = None
    """The artwork that has this exact file as one of its images, if any."""


class ArtworkDetail(BaseModel):
    """One artwork: its record (images as API URLs), the passages tied to it, and the predictions
    stored for it (by a describe-all job; never part of the record)."""

    record: ArtworkRecord
    passages: list[Passage] = Field(default_factory=list)
    predictions: list[StoredPrediction] = Field(default_factory=list)


class ArtworkPage(BaseModel):
    items: list[ArtworkRecord]
    total: int
    offset: int
    limit: int


class HeadSummary(BaseModel):
    """A trained head of the collection, with the metrics measured when it was trained."""

    kind: str
    version: str | None = None
    created_at: str | None = None
    embedder: str | None = None
    metrics: dict[str, Any] = Field(default_factory=dict)


class Limits(BaseModel):
    max_upload_bytes: int
    max_image_pixels: int
    request_timeout_s: float


class Meta(BaseModel):
    """The collection, its models, counts and heads, and what this service allows."""

    name: str
    artscope_version: str
    embedder: EmbedderInfo
    index: str
    counts: dict[str, int]
    fields: dict[str, str]
    """Every field a filter or facet may name, with its kind (``keyword`` or ``number``)."""
    heads: list[HeadSummary]
    dimensions: dict[str, str]
    """The seven aesthetic dimensions: API key -> ArtiMuse's name."""
    writable: bool
    """False: the service has no write token, ingest jobs are refused."""
    public_reads: bool
    llm: bool
    """Whether a language model is configured (for ``ask``, composed and dialogue search)."""
    limits: Limits


class Health(BaseModel):
    status: str = "ok"
    collection: str


class ArtiMuseScores(BaseModel):
    """ArtiMuse's ``/infer`` response: total and per-dimension scores (0–100) and comments."""

    total_score: float
    aspect_scores: dict[str, float | None]
    aspect_comments: dict[str, str]


def image_url(view_id: int, size: str = "full") -> str:
    return f"/api/images/{view_id}?size={size}"


def hide_local_paths(value: Any) -> Any:
    """Replace every local image path inside a result by its API URL (``/api/images/{id}``): the
    service never tells where its files are, and a client can fetch the image by that URL."""
    if isinstance(value, ImageView):
        if value.id is not None and not is_url(value.uri):
            value.uri = image_url(value.id)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            hide_local_paths(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            hide_local_paths(item)
    elif isinstance(value, dict):
        for item in value.values():
            hide_local_paths(item)
    return value
