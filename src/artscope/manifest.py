"""The collection manifest: which artscope, schema, embedder and index built a collection, and the facets
its curators chose for the web page."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from artscope import __version__
from artscope.embedders.base import EmbedderInfo
from artscope.embedders.registry import current_info
from artscope.errors import CollectionError

MANIFEST_NAME = "artscope.json"


class IndexLocation(BaseModel):
    kind: str = "edge"
    """``edge`` (in-process, under ``index/``) or ``qdrant`` (a server or cluster by ``url``)."""
    url: str | None = None
    prefix: str | None = None
    """Collection-name prefix on the server (several artscope collections can share one)."""
    directory: str = "index"
    """Where an ``edge`` index lives inside the collection (re-embedding builds the next one beside it)."""


class Reembedding(BaseModel):
    """A re-embedding under way: the embedder and the index it is building (``artscope embed``)."""

    embedder: EmbedderInfo
    index: IndexLocation


class Manifest(BaseModel):
    artscope_version: str = __version__
    schema_version: int
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    embedder: EmbedderInfo
    index: IndexLocation = Field(default_factory=IndexLocation)
    token_budget: int
    """Token vectors stored per image at most: the per-artwork storage budget, see docs/storage.md."""
    pooled_tokens: int = 4
    reembedding: Reembedding | None = None
    """Set while the collection is re-embedded; the same command run again finishes it."""
    facets: list[str] | None = None
    """The keyword fields offered as facets (counted by search, shown by the web page, asked about by
    dialogue), in order (``Collection.set_facets``); None: chosen from what the catalogue holds (keyword
    fields with few, short values; never free text or provenance)."""
    filters: list[str] | None = None
    """The fields filters may name (``Collection.set_filters``); None: every payload field."""

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = Path(directory) / MANIFEST_NAME
        if not path.exists():
            raise CollectionError(
                f"{directory} is not an artscope collection (no {MANIFEST_NAME}). "
                f"Create one with `artscope index SOURCE -c {directory}`."
            )
        try:
            manifest = cls.model_validate_json(path.read_text())
        except (ValidationError, json.JSONDecodeError) as exc:
            raise CollectionError(f"{path} is damaged: {exc}") from exc
        manifest.embedder = current_info(manifest.embedder)
        return manifest

    def write(self, directory: Path) -> None:
        path = Path(directory) / MANIFEST_NAME
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.model_dump_json(indent=2))
        os.replace(tmp, path)
