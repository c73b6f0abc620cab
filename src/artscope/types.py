"""Types shared by the catalog, the index and every task (pydantic, so the CLI, the Python API and
the HTTP API speak the same shapes)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

# The well-known catalogue fields, in display order. Anything else a source carries goes into
# ``ArtworkRecord.extra`` and stays filterable.
TEXT_FIELDS = ("title", "date", "type", "medium", "dimensions", "place", "institution",
               "description", "license", "credit")
LIST_FIELDS = ("artists", "subjects")
# Payload keys the vector index indexes as keywords (user fields are indexed as they appear).
KEYWORD_PAYLOAD_FIELDS = ("artwork_id", "artist", "type", "medium", "place", "institution", "license",
                          "subject")
INTEGER_PAYLOAD_FIELDS = ("year", "year_end")


class ImageView(BaseModel):
    """One image of an artwork: the front, a detail, one canvas of a IIIF manifest, ..."""

    id: int | None = None
    uri: str
    content_hash: str | None = None
    dhash: str | None = None
    """Perceptual (difference) hash: near-duplicates differ in a few bits."""
    label: str | None = None
    width: int | None = None
    height: int | None = None


class ArtworkRecord(BaseModel):
    """A catalogue record. ``id`` is the collection's stable identifier (a slug, an accession number)."""

    id: str
    title: str | None = None
    artists: list[str] = Field(default_factory=list)
    date: str | None = None
    year_start: int | None = None
    year_end: int | None = None
    type: str | None = None
    medium: str | None = None
    dimensions: str | None = None
    place: str | None = None
    institution: str | None = None
    description: str | None = None
    subjects: list[str] = Field(default_factory=list)
    license: str | None = None
    credit: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    views: list[ImageView] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("artwork id must not be empty")
        return value

    def field(self, name: str) -> Any:
        """A field by name, well-known or extra (``artist`` is accepted for ``artists``)."""
        if name == "artist":
            return self.artists
        if name in self.__class__.model_fields and name not in ("extra", "views"):
            return getattr(self, name)
        return self.extra.get(name)

    def text(self) -> str:
        """The record as one text, for BM25 and the text embedding."""
        parts = [self.title, ", ".join(self.artists), self.date, self.type, self.medium, self.place,
                 self.institution, "; ".join(self.subjects), self.description]
        parts += [str(v) for v in self.extra.values() if isinstance(v, str | int | float)]
        return ". ".join(p for p in parts if p)

    def payload(self) -> dict[str, Any]:
        """The filterable fields, as stored with every vector of this artwork."""
        payload: dict[str, Any] = {"artwork_id": self.id}
        for key, value in self.extra.items():
            if isinstance(value, str | int | float | bool) or (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                payload[key] = value
        payload.update({"artist": self.artists, "subject": self.subjects})
        for key in ("type", "medium", "place", "institution", "license"):
            if getattr(self, key):
                payload[key] = getattr(self, key)
        if self.year_start is not None:
            payload["year"] = self.year_start
            payload["year_end"] = self.year_end if self.year_end is not None else self.year_start
        return payload


class PassageImage(BaseModel):
    """An image a passage shows (a Wikipedia paragraph's pictures), with its caption."""

    file: str
    """Its file name (a Commons file: ``Mona Lisa.jpg``)."""
    caption: str | None = None
    url: str | None = None
    """Where it is published."""
    read_from: str | None = Field(default=None, exclude=True)
    """Where ingest reads it to embed it (a local file or a URL); None when it is not available: the
    caption and the link stay. Never shown (it may be a server path)."""


class Passage(BaseModel):
    """A text fragment: a wall text, an encyclopedia paragraph, an essay section."""

    id: str
    text: str
    artwork_id: str | None = None
    source: str | None = None
    """Where it comes from, as a citation names it (``Wikipedia: Art § History``)."""
    title: str | None = None
    section: str | None = None
    """The section path within its page (``History > Renaissance``)."""
    url: str | None = None
    categories: list[str] = Field(default_factory=list)
    images: list[PassageImage] = Field(default_factory=list)
    revision: str | None = None
    """The version of the text it was taken from (a wiki revision id): re-runs skip pages they have."""

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("passage text must not be empty")
        return value


def storable_whole(value: int) -> bool:
    """Whether a whole number fits the 64-bit integers the catalog and the index payloads store."""
    return -(2**63) <= value < 2**63


class Range(BaseModel):
    """An inclusive numeric range for filters (``year``)."""

    gte: float | None = None
    lte: float | None = None


FilterValue = str | int | float | bool | list[str] | Range
Filters = dict[str, FilterValue]
