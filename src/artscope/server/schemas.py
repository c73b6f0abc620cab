"""The HTTP API's own request and response shapes. Task requests extend the tasks' pydantic types
(the Python API's), so the fields and their meanings are the same; images are referenced by upload
id, never by path or URL (a request can never make the service read a file or fetch a URL)."""

from __future__ import annotations

import re
import typing
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from artscope.embedders.base import EmbedderInfo
from artscope.heads.store import StoredPrediction
from artscope.media.dates import EARLIEST_YEAR, LATEST_YEAR
from artscope.media.fetch import is_url
from artscope.tasks.search.passages import PassageSearchRequest
from artscope.tasks.search.types import SearchRequest
from artscope.types import ArtworkRecord, ImageView, Passage

MAX_TEXT_CHARS = 2000
"""Longest query, question or record field a request may carry (descriptions: ``MAX_LONG_TEXT_CHARS``)."""
MAX_LONG_TEXT_CHARS = 20_000
IMAGE_ID_DOC = "An uploaded image (the ``id`` that POST /api/uploads returned)."


def _whole(value: Any) -> Any:
    """JSON Schema counts ``81.0`` as an integer; strict validation would not."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _takes_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    return any(_takes_int(arg) for arg in typing.get_args(annotation))


class ApiModel(BaseModel):
    """A request body, validated as its schema reads: unknown fields refused, JSON types taken as they
    are (``false`` is no number, ``"3"`` no integer, ``0`` no boolean), whole numbers such as ``81.0``
    taken as integers."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _whole_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        return _whole(value) if field is not None and _takes_int(field.annotation) else value


BLANK = r"\t\n\u000b\f\r \u001c-\u001f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
"""White space as a regular-expression class, spelt out: what Python, JavaScript and Rust call ``\\s``
differs at the edges (U+001C, U+0085, U+FEFF), and the schema and the server must agree."""
NOT_BLANK = f"[^{BLANK}]"
_NOT_BLANK = re.compile(NOT_BLANK)


def _not_blank(value: str) -> str:
    if not _NOT_BLANK.search(value):
        raise ValueError("must contain more than white space")
    return value


Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]
NonBlankText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_CHARS), AfterValidator(_not_blank),
                         Field(json_schema_extra={"pattern": NOT_BLANK})]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=500)]
UploadId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
FilterText = Annotated[str, StringConstraints(max_length=500)]


class RangeFilter(ApiModel):
    """An inclusive range (``gte``, ``lte`` or both, not null) on a numeric field."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": [name], "properties": {name: {"type": "number"}}} for name in ("gte", "lte")]})

    gte: float | None = None
    lte: float | None = None

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        if self.gte is None and self.lte is None:
            raise ValueError("a range filter needs 'gte' or 'lte' (a number)")
        return self


JSON_SAFE_WHOLE = 2**53 - 1
"""The largest whole number every JSON reader keeps exactly (a double's; RFC 7493): a schema bound near
2**63 reads as a rounded double, and clients would disagree about which numbers it allows."""
FilterWhole = Annotated[int, Field(ge=-JSON_SAFE_WHOLE, le=JSON_SAFE_WHOLE)]
FilterValue = Annotated[FilterText | FilterWhole | bool | Annotated[list[FilterText], Field(max_length=100)]
                        | RangeFilter, BeforeValidator(_whole)]
"""A value to match exactly (text, whole number, boolean), any of several texts, or a range."""
ApiFilters = Annotated[dict[FieldName, FilterValue], Field(max_length=20)]
"""``{"field": value}``; ``GET /openapi.json`` lists the fields of this collection."""


def _present(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or bool(_NOT_BLANK.search(value)))


def _branch(name: str) -> dict[str, Any]:
    return {"required": [name], "properties": {name: {"type": "string", "minLength": 1, "pattern": NOT_BLANK}}}


class Subject(ApiModel):
    """A request that needs ``SUBJECTS`` given (not null, not blank): at least one of them, or exactly one
    when ``EXACTLY_ONE``. The schema says the same (``anyOf``/``oneOf``), and the check runs before any work.
    """

    SUBJECTS: ClassVar[tuple[str, ...]] = ()
    EXACTLY_ONE: ClassVar[bool] = False

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema = handler(core_schema)
        schema = handler.resolve_ref_schema(schema)
        schema["oneOf" if cls.EXACTLY_ONE else "anyOf"] = [_branch(name) for name in cls.SUBJECTS]
        return schema

    @model_validator(mode="after")
    def _subjects(self) -> Self:
        given = [name for name in self.SUBJECTS if _present(getattr(self, name))]
        if not given or (self.EXACTLY_ONE and len(given) > 1):
            need = "exactly one" if self.EXACTLY_ONE else "at least one"
            raise ValueError(f"Give {need} of {', '.join(self.SUBJECTS)} (not null, not blank)")
        return self


class SearchQuery(Subject, SearchRequest):
    """A search: ``text``, an uploaded image (``image_id``), both (composed: the text says what to
    change), or ``artwork_id`` (more like this); with filters, facets, paging and a relevance cutoff.
    ``verify`` (identify mode) needs ``image_id``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"if": {
        "required": ["verify"], "properties": {"verify": {"const": True}}}, "then": _branch("image_id")})
    SUBJECTS: ClassVar[tuple[str, ...]] = ("text", "image_id", "artwork_id")

    text: Text | None = None
    image: SkipJsonSchema[None] = Field(default=None, exclude=True)
    image_id: UploadId | None = Field(default=None, description=IMAGE_ID_DOC)
    artwork_id: Identifier | None = None
    filters: ApiFilters = Field(default_factory=dict)
    facets: list[FieldName] = Field(default_factory=list, max_length=20)
    weights: dict[FieldName, float] = Field(default_factory=dict, max_length=20)
    min_score: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _verify_needs_an_image(self) -> Self:
        if self.verify and not _present(self.image_id):
            raise ValueError("verify (identify mode) needs image_id: a photo to identify")
        return self


class PassageQuery(Subject, PassageSearchRequest):
    """Passages (wall texts, essays) for a text, an uploaded image, or an artwork."""

    SUBJECTS: ClassVar[tuple[str, ...]] = ("text", "image_id", "artwork_id")

    text: Text | None = None
    image: SkipJsonSchema[None] = Field(default=None, exclude=True)
    image_id: UploadId | None = Field(default=None, description=IMAGE_ID_DOC)
    artwork_id: Identifier | None = None
    min_score: float | None = Field(default=None, ge=0, le=1)


class ImageSubject(Subject):
    """What to describe or score: a stored artwork, or an uploaded image (exactly one)."""

    SUBJECTS: ClassVar[tuple[str, ...]] = ("artwork_id", "image_id")
    EXACTLY_ONE: ClassVar[bool] = True

    artwork_id: Identifier | None = None
    image_id: UploadId | None = Field(default=None, description=IMAGE_ID_DOC)


class DescribeQuery(ImageSubject):
    """Predicted attributes of a stored artwork or an uploaded image."""

    top_k: int = Field(default=5, ge=1, le=50)
    threshold: float | None = Field(default=None, ge=0, le=1)
    """Below this calibrated probability a field is "unknown" (the task's default when unset)."""
    fields: list[FieldName] | None = Field(default=None, max_length=20)
    """Only these fields (every trained field when unset)."""


class AskQuery(ApiModel):
    """A question about the collection, optionally about one artwork or an uploaded image."""

    question: NonBlankText
    artwork_id: Identifier | None = None
    image_id: UploadId | None = Field(default=None, description=IMAGE_ID_DOC)


class DialogueStart(Subject):
    """The first query of a dialogue search: words, an uploaded image, or both."""

    SUBJECTS: ClassVar[tuple[str, ...]] = ("text", "image_id")

    text: Text | None = None
    image_id: UploadId | None = Field(default=None, description=IMAGE_ID_DOC)
    filters: ApiFilters = Field(default_factory=dict)
    limit: int = Field(default=10, ge=1, le=100)


class DialogueAnswer(ApiModel):
    """The answer to the last question: one of its quick answers, free words, or ``skip``."""

    answer: Annotated[str, StringConstraints(max_length=500)]
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
    facets: list[str] | None = None
    """The keyword fields a curator chose as the web page's facets, in order; null: ``automatic_facets``."""
    automatic_facets: list[str] = []
    """The facets when none are chosen: the keyword fields with few, short values (never free text or
    provenance)."""
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
    ready: bool
    """Models loaded and index open (the start-up warm-up is done): searches answer at full speed."""


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


ShortText = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]
ExtraValue = ShortText | int | float | bool | Annotated[list[ShortText], Field(max_length=100)] | None


class FacetChoice(ApiModel):
    """The keyword fields the web page offers as facets, in order; ``null``: the page chooses."""

    facets: Annotated[list[FieldName], Field(max_length=20)] | None


class ArtworkEdit(ApiModel):
    """The record fields to change (the others stay). ``null`` clears a field; in ``extra`` it removes the
    key. The images and the id cannot be changed."""

    title: ShortText | None = None
    artists: Annotated[list[ShortText], Field(max_length=100)] | None = None
    date: ShortText | None = None
    year_start: int | None = Field(default=None, ge=EARLIEST_YEAR, le=LATEST_YEAR)
    year_end: int | None = Field(default=None, ge=EARLIEST_YEAR, le=LATEST_YEAR)
    """Set from a new ``date`` unless given."""
    type: ShortText | None = None
    medium: ShortText | None = None
    dimensions: ShortText | None = None
    place: ShortText | None = None
    institution: ShortText | None = None
    description: Annotated[str, StringConstraints(max_length=MAX_LONG_TEXT_CHARS)] | None = None
    subjects: Annotated[list[ShortText], Field(max_length=500)] | None = None
    license: ShortText | None = None
    credit: ShortText | None = None
    extra: Annotated[dict[FieldName, ExtraValue], Field(max_length=100)] | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the request named, as ``Collection.edit_artwork`` takes them (lists: null is empty)."""
        changes = self.model_dump(exclude_unset=True)
        for name in ("artists", "subjects"):
            if name in changes and changes[name] is None:
                changes[name] = []
        return changes
