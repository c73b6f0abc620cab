"""What every ingest source yields, and how a path or URL finds its source."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from artscope.errors import SourceFormatError
from artscope.registry import Registry
from artscope.types import ArtworkRecord, Passage

if TYPE_CHECKING:
    from artscope.collection import Collection


@dataclass
class SourceItem:
    """One unit of a source: an artwork record (with its image URIs in ``record.views``), passages,
    or a per-item error (a malformed row) that is recorded, never raised."""

    key: str
    """Stable within the source (relative file path, object id, manifest id): resuming skips done keys."""
    record: ArtworkRecord | None = None
    passages: list[Passage] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    """Problems that did not stop the item (a date range written backwards, no image to read)."""
    image_only: bool = False
    """An image without a catalogue row: when the collection already holds the same image, this is a
    second source of that artwork rather than a new one."""


class SourceOptions(BaseModel):
    """Options a user may give any source (the CLI's flags)."""

    sidecar: Path | None = None
    """A CSV, JSON or JSONL catalogue for a folder of images."""
    mapping: dict[str, str] = Field(default_factory=dict)
    """Source column -> artscope field (``{"Artist Name": "artists"}``)."""
    join_on: str | None = None
    """Sidecar column holding the file name or id that joins it to the images."""
    limit: int | None = None
    root: Path | None = None
    """When set, local files (images a catalogue names included) are read only inside this directory;
    the HTTP service sets it to its ingest root. URLs stay http(s) only, with size and time limits."""
    category: str | None = None
    """Wikipedia dumps: keep the articles of this category and its subcategories."""
    depth: int = Field(default=5, ge=0)
    """Wikipedia dumps: how many levels of subcategories ``category`` takes in."""
    pages: Path | None = None
    """Wikipedia dumps: a file of page titles to keep, one a line."""
    image_dir: Path | None = None
    """Wikipedia dumps: a folder of the files passages show (Commons files, matched by file name),
    read instead of fetched."""


class Source(Protocol):
    name: str
    """Kind and location, recorded as the provenance of every artwork it yields."""

    def __iter__(self) -> Iterator[SourceItem]: ...

    def __len__(self) -> int:
        """Number of items, for the progress bar (an estimate is fine)."""
        ...


@runtime_checkable
class CollectionAware(Protocol):
    """A source that reads the collection it is ingested into (the Wikipedia dump links pages to its
    artworks and skips pages it already has); the pipeline calls ``attach`` before iterating."""

    def attach(self, collection: Collection) -> None: ...


SourceFactory = Callable[[str, SourceOptions], Source]
Detector = Callable[[str], bool]

sources: Registry[SourceFactory] = Registry("sources")
_detectors: list[tuple[str, Detector]] = []


def register_source(name: str, detect: Detector) -> Callable[[SourceFactory], SourceFactory]:
    """Register a source kind and the test that recognises its files (tried in registration order)."""

    def decorate(factory: SourceFactory) -> SourceFactory:
        sources.register(name)(factory)
        _detectors.append((name, detect))
        return factory

    return decorate


def open_source(location: str, options: SourceOptions | None = None, kind: str | None = None) -> Source:
    """The source for a path or URL: ``kind`` if given, else the first kind that recognises it."""
    import artscope.ingest.sources  # noqa: F401  (registers the built-in kinds)

    options = options or SourceOptions()
    if kind:
        return sources.get(kind)(location, options)
    for name, detect in _detectors:
        if detect(location):
            return sources.get(name)(location, options)
    raise SourceFormatError(
        f"Cannot tell what kind of source {location!r} is. Give --kind with one of: "
        f"{', '.join(sources.names())}."
    )
