"""A collection: one directory that holds everything (catalog, index, heads, thumbnails, manifest).

``artscope.create(path, embedder=...)`` makes one; ``artscope.open(path)`` opens one. The task
methods (search, describe, score, ask) are thin calls into ``artscope.tasks``.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from artscope import faults
from artscope.catalog import Catalog, curation
from artscope.catalog.checks import checked_record
from artscope.catalog.curation import AuditEntry, DeletionKind
from artscope.catalog.schema import SCHEMA_VERSION
from artscope.config import get_settings
from artscope.embedders.base import Embedder, EmbedderInfo
from artscope.embedders.registry import create_embedder
from artscope.errors import CollectionError, InvalidInputError
from artscope.index import IMAGES, PASSAGES, RECORDS, VectorStore, open_store, space_specs
from artscope.index.base import check_filters
from artscope.manifest import MANIFEST_NAME, IndexLocation, Manifest
from artscope.media.dates import parse_date
from artscope.types import INTEGER_PAYLOAD_FIELDS, KEYWORD_PAYLOAD_FIELDS, ArtworkRecord, Filters

if TYPE_CHECKING:
    from artscope.ingest.pipeline import IngestSummary
    from artscope.ingest.reembed import ReembedSummary as EmbedSummary
    from artscope.ingest.sources.base import SourceOptions

log = logging.getLogger(__name__)

DEFAULT_TOKEN_BUDGET = 32
EDITABLE_FIELDS = frozenset(ArtworkRecord.model_fields) - {"id", "views"}


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
            for kind, item_id, actor in curation.unfinished_deletions(self.catalog.conn):
                log.warning("finishing the deletion of %s %s that a stopped process began", kind, item_id)
                try:
                    self._finish_deletion(kind, item_id, actor)
                except Exception:  # kept, and embedded again by the next ingest
                    log.exception("the deletion of %s %s could not be finished", kind, item_id)
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

    def save_thumbnail(self, view_id: int, jpeg: bytes) -> None:
        """Store a view's thumbnail (``media.images.thumbnail_jpeg`` of its image)."""
        self.thumbnail_path(view_id).write_bytes(jpeg)

    def payload_fields(self) -> set[str]:
        """Every field the index stores with the vectors (well-known and the sources' own)."""
        return set(KEYWORD_PAYLOAD_FIELDS) | set(INTEGER_PAYLOAD_FIELDS) | set(self.catalog.user_fields())

    def keyword_fields(self) -> list[str]:
        """The keyword fields records carry (the well-known ones, then the catalogue's own): what a facet
        of the web page may be."""
        known = [f for f in KEYWORD_PAYLOAD_FIELDS if f != "artwork_id"]
        return known + [name for name, kind in self.catalog.user_fields().items() if kind == "keyword"]

    def filter_fields(self) -> set[str]:
        """Every payload field a filter may name: the collection's ``filters`` setting, else all."""
        if self.manifest.filters is None:
            return self.payload_fields()
        return set(self.manifest.filters) | {"artwork_id"}

    def set_facets(self, facets: Sequence[str] | None, actor: str) -> list[str] | None:
        """Choose the keyword fields offered as facets, in order (None: chosen from what the catalogue
        holds). Kept in the manifest; logged in the audit log as ``actor``. A facet must be a filter field."""
        keyword = self.keyword_fields()
        chosen = list(dict.fromkeys(facets)) if facets is not None else None
        unknown = [f for f in chosen or [] if f not in keyword]
        if unknown:
            raise InvalidInputError(f"{', '.join(unknown)} cannot be a facet: choose among this collection's "
                                    f"keyword fields ({', '.join(keyword)}).")
        _facets_filter(chosen, self.manifest.filters)
        before, self.manifest.facets = self.manifest.facets, chosen
        self.manifest.write(self.path)
        self.log_write(actor, "collection.facets", self.path.name, {"before": before, "after": chosen})
        return chosen

    def set_filters(self, filters: Sequence[str] | None, actor: str) -> list[str] | None:
        """Name the fields filters may name (None: every payload field). Kept in the manifest; logged in
        the audit log as ``actor``. The chosen facets must stay among them."""
        known = self.payload_fields()
        chosen = list(dict.fromkeys(filters)) if filters is not None else None
        unknown = sorted(set(chosen or []) - known)
        if unknown:
            raise InvalidInputError(f"Unknown field(s) {unknown}. Fields here: {', '.join(sorted(known))}.")
        _facets_filter(self.manifest.facets, chosen)
        before, self.manifest.filters = self.manifest.filters, chosen
        self.manifest.write(self.path)
        self.log_write(actor, "collection.filters", self.path.name, {"before": before, "after": chosen})
        return chosen

    def check_filters(self, filters: Filters | None) -> Filters:
        return check_filters(filters, self.filter_fields())

    # -- life cycle -------------------------------------------------------------------------
    def close(self) -> None:
        self.close_index()
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
               cancel: threading.Event | None = None, embed: bool = True, workers: int | None = None,
               ray: str | None = None) -> IngestSummary:
        """Add sources (folders, CSV/JSON catalogues, IIIF manifests, museum exports, passages).
        ``embed=False`` stores them at catalogue speed and leaves their vectors to ``embed()``.
        ``workers``: processes that read, decode and embed the images (default ``ingest_workers``);
        ``ray``: a Ray cluster's address (or ``auto``, ``local``) whose workers do that instead."""
        from artscope.ingest.pipeline import ingest

        return ingest(self, [str(x) for x in locations], options=options, kind=kind, job_id=job_id,
                      progress=progress, cancel=cancel, embed=embed, workers=workers, ray=ray)

    def embed(self, embedder: str | Embedder | None = None,
              progress: Callable[[int, int | None], None] | None = None, workers: int | None = None,
              ray: str | None = None) -> EmbedSummary:
        """Compute the vectors that are still pending (after ``ingest(embed=False)`` or a kill). Naming
        another embedder re-embeds the whole collection with it, into a new index that replaces the old
        one when it is complete; a re-embedding that was stopped is finished by the same call again.
        A re-embedding reads and embeds images as ``ingest`` does (``workers``, ``ray``)."""
        from artscope.ingest.indexer import index_pending
        from artscope.ingest.reembed import ReembedSummary, reembed

        plan = self.manifest.reembedding
        spec = embedder if embedder is not None else plan.embedder.spec if plan else None
        instance = create_embedder(spec, device=get_settings().device) if isinstance(spec, str) else spec
        if plan is None and (instance is None or instance.info == self.info):
            pending = self.catalog.pending_counts()
            images = index_pending(self, {}, start_small=True)
            return ReembedSummary(embedder=self.info.spec, images=images, records=pending["artworks"],
                                  passages=pending["passages"])
        self.close_index()
        summary = reembed(self, instance, progress, workers=workers, ray=ray)
        self._embedder = instance
        return summary

    def close_index(self) -> None:
        """Close the vector store (the next use opens it again)."""
        if self._index is not None:
            self._index.close()
            self._index = None

    def optimize(self) -> None:
        """Build the approximate indexes (HNSW, quantization); searches are exact until then."""
        faults.reached("optimize.start")
        self.index.optimize()
        faults.reached("optimize.done")

    # -- curation ---------------------------------------------------------------------------
    def edit_artwork(self, artwork_id: str, changes: Mapping[str, Any], actor: str) -> ArtworkRecord:
        """Change a record's fields (``extra`` is merged key by key; a key set to None is removed), logged
        in the audit table as ``actor``. The index follows at once: the record's text is embedded again
        and its images' payload rewritten, without re-embedding the images."""
        from artscope.ingest.indexer import index_records

        unknown = set(changes) - EDITABLE_FIELDS
        if unknown:
            raise InvalidInputError(f"Cannot edit {sorted(unknown)}; editable fields: {sorted(EDITABLE_FIELDS)}.")
        with self.catalog.transaction() as conn:  # read and write under one lock: no edit is lost
            record = self.catalog.get(artwork_id)
            updated = edited_record(record, changes)
            diff = {name: {"from": getattr(record, name), "to": getattr(updated, name)}
                    for name in EDITABLE_FIELDS if getattr(record, name) != getattr(updated, name)}
            if not diff:
                return record
            rowid, _ = self.catalog.upsert_artwork(updated)
            curation.log_write(conn, actor, "artwork.edit", artwork_id, {"changes": diff})
        index_records(self, [rowid])
        return self.catalog.get(artwork_id)

    def delete_artwork(self, artwork_id: str, actor: str) -> AuditEntry:
        """Delete an artwork with everything it owns: its catalog rows (views, sources, passages tied to
        it, predictions), its vectors in every space and its thumbnails, all or nothing; logged as
        ``actor``. Returns the audit entry (what went, by whom, when)."""
        return self._delete("artwork", artwork_id, actor)

    def delete_passage(self, passage_id: str, actor: str) -> AuditEntry:
        """Delete a passage: its row, its text-search entry and its vector; logged as ``actor``."""
        return self._delete("passage", passage_id, actor)

    def audit(self, limit: int = 50, offset: int = 0, target: str | None = None) -> list[AuditEntry]:
        """The latest writes first: who (the token's or user's name), when, what, to which item."""
        return curation.audit_entries(self.catalog.conn, limit, offset, target)

    def log_write(self, actor: str, action: str, target: str, details: dict[str, Any]) -> None:
        """Record a write that is not a catalog edit (a job started or cancelled) in the audit log."""
        with self.catalog.transaction() as conn:
            curation.log_write(conn, actor, action, target, details)

    def _delete(self, kind: DeletionKind, item_id: str, actor: str) -> AuditEntry:
        with self.catalog.transaction() as conn:  # journaled first: a process that dies later is finished
            curation.require_rows(conn, kind, item_id)
            curation.journal_deletion(conn, kind, item_id, actor)
        self._finish_deletion(kind, item_id, actor)
        return self.audit(limit=1, target=item_id)[0]

    def _finish_deletion(self, kind: DeletionKind, item_id: str, actor: str) -> None:
        """Remove what the journal names; if that fails, nothing is deleted and the rows are embedded
        again by the next ingest (their vectors may be half gone)."""
        try:
            self._remove(kind, item_id, actor)
        except BaseException:
            with self.catalog.transaction() as conn:  # the failed transaction has rolled back
                owned = curation.owned_rows(conn, kind, item_id)
                if owned is not None:
                    curation.mark_pending(conn, owned)
                curation.clear_deletion(conn, kind, item_id)
            raise

    def _remove(self, kind: DeletionKind, item_id: str, actor: str) -> None:
        """Points, thumbnails and rows in one catalog transaction: no ingest batch writes (or reuses a row
        id) meanwhile, and the journal entry goes with the rows."""
        index = self.index
        with self.catalog.transaction() as conn:
            owned = curation.owned_rows(conn, kind, item_id)
            if owned is not None:
                index.delete(IMAGES, owned.view_ids)
                index.delete(PASSAGES, owned.passage_rowids)
                if owned.artwork_rowid is not None:
                    index.delete(RECORDS, [owned.artwork_rowid])
                for view_id in owned.view_ids:
                    self.thumbnail_path(view_id).unlink(missing_ok=True)
                curation.delete_rows(conn, kind, item_id, owned)
                curation.log_write(conn, actor, f"{kind}.delete", item_id, {
                    "title": owned.title, "images": len(owned.view_ids), "passages": len(owned.passage_rowids),
                    "predictions": owned.predictions})
            curation.clear_deletion(conn, kind, item_id)

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

    def train_attributes(self, **options: Any):
        """Train the attribute heads on the catalogue's labels (options: ``AttributesConfig`` fields)."""
        from artscope.tasks.attributes import AttributesConfig, train

        return train(self, AttributesConfig(**options))

    def score(self, image: Any = None, **options: Any):
        """Aesthetic total, seven dimensions, distribution and grounded comments of any image."""
        from artscope.tasks.aesthetics import score

        return score(self, image, **options)

    def ask(self, question: str, image: Any = None, artwork_id: str | None = None, **options: Any):
        """Answer a question from the collection's records and passages, with citations."""
        from artscope.tasks.ask import ask

        return ask(self, question, image=image, artwork_id=artwork_id, **options)


def edited_record(record: ArtworkRecord, changes: Mapping[str, Any]) -> ArtworkRecord:
    """``record`` with ``changes`` applied and checked as an ingest checks a record (what the catalog
    or the index cannot hold is an error; a year range written backwards is turned round); a new date
    sets the year range unless the changes give it."""
    values = record.model_dump()
    extra = dict(values["extra"])
    for key, value in (changes.get("extra") or {}).items():
        if value is None:
            extra.pop(key, None)
        else:
            extra[key] = value
    values.update({k: v for k, v in changes.items() if k != "extra"}, extra=extra)
    if "date" in changes and not {"year_start", "year_end"} & set(changes):
        years = parse_date(values["date"])
        values["year_start"], values["year_end"] = years if years else (None, None)
    try:
        edited = ArtworkRecord.model_validate(values)
    except ValueError as exc:
        raise InvalidInputError(f"The edit of {record.id} is not a valid record: {exc}") from exc
    try:
        return checked_record(edited)[0]
    except InvalidInputError as exc:
        raise InvalidInputError(f"The edit of {record.id} cannot be stored: {exc}") from exc


def create(path: str | Path, embedder: str | Embedder = "builtin", index_url: str | None = None,
           token_budget: int = DEFAULT_TOKEN_BUDGET, exist_ok: bool = False) -> Collection:
    """Make a new collection directory (or open it if ``exist_ok`` and it was built the same way).

    The collection is built in a hidden directory beside ``path`` and renamed into place when it is
    complete, so a process killed at any moment leaves either no collection or a whole one; what a
    killed creation left behind is cleared by the next one."""
    path = Path(path)
    instance = create_embedder(embedder, device=get_settings().device) if isinstance(embedder, str) else embedder
    if (path / MANIFEST_NAME).exists():
        if not exist_ok:
            raise CollectionError(f"{path} already holds a collection; open it with artscope.open().")
        return open(path, embedder=instance)
    _check_free(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _clear_unfinished(path)
    building = path.parent / f".{path.name}{_BUILDING}{os.getpid()}"
    building.mkdir()
    faults.reached("create.folder")
    location = IndexLocation(kind="qdrant", url=index_url, prefix=path.resolve().name) if index_url \
        else IndexLocation()
    manifest = Manifest(schema_version=SCHEMA_VERSION, embedder=instance.info, index=location,
                        token_budget=token_budget)
    try:
        for sub in ("heads", "thumbs"):
            (building / sub).mkdir()
        with Collection(building, manifest, embedder=instance) as draft:
            draft.index  # noqa: B018  (creates the spaces now, so a bad URL fails here)
            faults.reached("create.index")
        manifest.write(building)
        faults.reached("create.manifest")
        if path.exists():
            path.rmdir()  # empty, or an unfinished collection cleared above
        os.rename(building, path)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    faults.reached("create.renamed")
    return Collection(path, manifest, embedder=instance)


_BUILDING = ".artscope-building-"


def _unfinished_part(entry: Path) -> bool:
    """True for what a creation killed before its manifest leaves (older versions built in place):
    empty ``heads``/``thumbs``, an ``index`` of index spaces, a SQLite catalog, the manifest's temp file."""
    name = entry.name
    if name in ("heads", "thumbs"):
        return entry.is_dir() and not any(entry.iterdir())
    if name == "index":
        return entry.is_dir() and all(c.name in ("images", "records", "passages") for c in entry.iterdir())
    if name == "catalog.sqlite":
        with entry.open("rb") as handle:
            head = handle.read(16)
        return head in (b"", b"SQLite format 3\x00")
    return name in ("catalog.sqlite-wal", "catalog.sqlite-shm", "catalog.sqlite-journal", "artscope.tmp")


def _check_free(path: Path) -> None:
    """Refuse a directory that holds anything but an unfinished collection, saying what it holds."""
    if path.exists() and not path.is_dir():
        raise CollectionError(f"{path} is a file, not a directory; choose a new directory for the collection.")
    if not path.exists():
        return
    foreign = sorted(p.name + ("/" if p.is_dir() else "") for p in path.iterdir() if not _unfinished_part(p))
    if foreign:
        shown = ", ".join(foreign[:8]) + (f" and {len(foreign) - 8} more" if len(foreign) > 8 else "")
        raise CollectionError(f"{path} exists and holds files that are not an artscope collection ({shown}); "
                              "choose a new directory for the collection, or empty this one.")


def _clear_unfinished(path: Path) -> None:
    """Remove what killed creations left: the contents of an unfinished collection at ``path`` (no
    manifest: nothing was ever ingested into it) and hidden build directories of dead processes."""
    if path.is_dir():
        for child in path.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for leftover in path.parent.glob(f".{path.name}{_BUILDING}*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a directory of this process is from an earlier, failed call
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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


def _facets_filter(facets: list[str] | None, filters: list[str] | None) -> None:
    """Facets must be filter fields: a visitor narrows a search by clicking a facet value."""
    outside = sorted(set(facets or []) - set(filters)) if filters is not None else []
    if outside:
        raise InvalidInputError(f"Facet field(s) {outside} must also be filter fields: a visitor narrows by "
                                "clicking a facet value. Choose the facets among the filter fields first.")
