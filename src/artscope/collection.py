"""A collection: one directory that holds everything (catalog, index, heads, thumbnails, manifest).

``artscope.create(path, embedder=...)`` makes one; ``artscope.open(path)`` opens one. The task
methods (search, describe, score, ask) are thin calls into ``artscope.tasks``.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from artscope.catalog import Catalog
from artscope.catalog.schema import SCHEMA_VERSION
from artscope.config import get_settings
from artscope.embedders.base import Embedder, EmbedderInfo
from artscope.embedders.registry import create_embedder
from artscope.errors import CollectionError
from artscope.index import VectorStore, open_store, space_specs
from artscope.index.base import check_filters
from artscope.manifest import MANIFEST_NAME, IndexLocation, Manifest
from artscope.types import INTEGER_PAYLOAD_FIELDS, KEYWORD_PAYLOAD_FIELDS, Filters

if TYPE_CHECKING:
    from artscope.ingest.pipeline import IngestSummary
    from artscope.ingest.sources.base import SourceOptions

log = logging.getLogger(__name__)

DEFAULT_TOKEN_BUDGET = 32
THUMB_SIZE = 320


class Collection:
    """An open collection. Use as a context manager, or call ``close()``."""

    def __init__(self, path: Path, manifest: Manifest, embedder: Embedder | None = None) -> None:
        self.path = Path(path)
        self.manifest = manifest
        self.catalog = Catalog(self.path / "catalog.sqlite")
        self._embedder = embedder
        self._index: VectorStore | None = None

    # -- parts ------------------------------------------------------------------------------
    @property
    def info(self) -> EmbedderInfo:
        return self.manifest.embedder

    @property
    def embedder(self) -> Embedder:
        """The embedder that built the collection, loaded on first use."""
        if self._embedder is None:
            embedder = create_embedder(self.info.spec, device=get_settings().device)
            self.info.check_compatible(embedder.info)
            self._embedder = embedder
        return self._embedder

    @property
    def index(self) -> VectorStore:
        """The vector store, opened on first use (this process then owns an embedded index)."""
        if self._index is None:
            store = open_store(self.manifest.index, self.path)
            for spec in space_specs(self.info):
                store.ensure_space(spec)
            self._index = store
        return self._index

    @property
    def heads_dir(self) -> Path:
        return self.path / "heads"

    @property
    def thumbs_dir(self) -> Path:
        return self.path / "thumbs"

    def thumbnail_path(self, view_id: int) -> Path:
        """Where the stored thumbnail of one view (an image of an artwork) is."""
        return self.thumbs_dir / f"{view_id}.jpg"

    def save_thumbnail(self, view_id: int, image: Image.Image) -> None:
        thumb = image.copy()
        thumb.thumbnail((THUMB_SIZE, THUMB_SIZE))
        thumb.save(self.thumbnail_path(view_id), "JPEG", quality=85)

    def filter_fields(self) -> set[str]:
        """Every payload field a filter may name."""
        return set(KEYWORD_PAYLOAD_FIELDS) | set(INTEGER_PAYLOAD_FIELDS) | set(self.catalog.user_fields())

    def check_filters(self, filters: Filters | None) -> Filters:
        return check_filters(filters, self.filter_fields())

    # -- life cycle -------------------------------------------------------------------------
    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        self.catalog.close()

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Collection({str(self.path)!r}, embedder={self.info.spec!r})"

    # -- ingest -----------------------------------------------------------------------------
    def ingest(self, locations: Sequence[str | Path], options: SourceOptions | None = None,
               kind: str | None = None, job_id: str | None = None,
               progress: Callable[[int, int | None], None] | None = None,
               cancel: threading.Event | None = None) -> IngestSummary:
        """Add sources (folders, CSV/JSON catalogues, IIIF manifests, museum exports, passages)."""
        from artscope.ingest.pipeline import ingest

        return ingest(self, [str(x) for x in locations], options=options, kind=kind, job_id=job_id,
                      progress=progress, cancel=cancel)

    def optimize(self) -> None:
        """Build the approximate indexes (HNSW, quantization); searches are exact until then."""
        self.index.optimize()

    # -- tasks ------------------------------------------------------------------------------
    def search(self, query: str | None = None, image: Any = None, **options: Any):
        """Search artworks by text, image, or both (see ``artscope.tasks.search``)."""
        from artscope.tasks.search import SearchRequest, search

        return search(self, SearchRequest(text=query, image=image, **options))

    def passages(self, query: str | None = None, image: Any = None, artwork_id: str | None = None,
                 limit: int = 10, **options: Any):
        """Passages (wall texts, encyclopedia paragraphs) for words, an image, or an artwork."""
        from artscope.tasks.search.passages import PassageSearchRequest, search_passages

        return search_passages(self, PassageSearchRequest(text=query, image=image, artwork_id=artwork_id,
                                                          limit=limit, **options))

    def describe(self, image: Any = None, **options: Any):
        """Predicted attributes (artist, style, genre, period, medium) of any image."""
        from artscope.tasks.attributes import describe

        return describe(self, image, **options)

    def score(self, image: Any = None, **options: Any):
        """Aesthetic total, seven dimensions, distribution and grounded comments of any image."""
        from artscope.tasks.aesthetics import score

        return score(self, image, **options)

    def ask(self, question: str, image: Any = None, artwork_id: str | None = None, **options: Any):
        """Answer a question from the collection's records and passages, with citations."""
        from artscope.tasks.ask import ask

        return ask(self, question, image=image, artwork_id=artwork_id, **options)


def create(path: str | Path, embedder: str | Embedder = "builtin", index_url: str | None = None,
           token_budget: int = DEFAULT_TOKEN_BUDGET, exist_ok: bool = False) -> Collection:
    """Make a new collection directory (or open it if ``exist_ok`` and it was built the same way)."""
    path = Path(path)
    instance = create_embedder(embedder, device=get_settings().device) if isinstance(embedder, str) else embedder
    if (path / MANIFEST_NAME).exists():
        if not exist_ok:
            raise CollectionError(f"{path} already holds a collection; open it with artscope.open().")
        return open(path, embedder=instance)
    if path.exists() and any(path.iterdir()):
        raise CollectionError(f"{path} exists and is not empty; choose a new directory for the collection.")
    path.mkdir(parents=True, exist_ok=True)
    for sub in ("heads", "thumbs"):
        (path / sub).mkdir(exist_ok=True)
    location = IndexLocation(kind="qdrant", url=index_url, prefix=path.resolve().name) if index_url \
        else IndexLocation()
    manifest = Manifest(schema_version=SCHEMA_VERSION, embedder=instance.info, index=location,
                        token_budget=token_budget)
    try:
        collection = Collection(path, manifest, embedder=instance)
        collection.index  # noqa: B018  (creates the spaces now, so a bad URL fails here)
        manifest.write(path)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    return collection


def open(path: str | Path, embedder: str | Embedder | None = None) -> Collection:
    """Open a collection. Naming an embedder other than the one that built it is an error."""
    path = Path(path)
    manifest = Manifest.read(path)
    instance = None
    if embedder is not None:
        instance = create_embedder(embedder, device=get_settings().device) if isinstance(embedder, str) else embedder
        manifest.embedder.check_compatible(instance.info)
    collection = Collection(path, manifest, embedder=instance)
    if manifest.schema_version != SCHEMA_VERSION:  # Catalog() has migrated it; record that
        manifest.schema_version = SCHEMA_VERSION
        manifest.write(path)
    return collection


__all__ = ["Collection", "create", "open"]
