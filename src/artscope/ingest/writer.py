"""Writing a batch of source items to the catalog: one transaction a batch, one savepoint an item.

Whatever goes wrong with one item (a value no check foresaw included) undoes that item alone and
becomes its error; the batch and the run go on. What an item keeps:

* a record whose images cannot be read (a server down, a broken file) is stored without them, with
  a warning; the images are remembered and tried again when the source is ingested again;
* an id that already names an artwork from another source is never written over: the record is
  stored under the id scoped by its source (``works-b:17``), with a warning, unless the ids are
  global (museum object ids, IIIF manifest addresses) or the user mapped the id column (``--map``);
* an image without a catalogue row that is already in the collection is a second source of that
  artwork, not a new one; an image of a catalogue row that another artwork already has is not
  attached twice (a warning names that artwork).
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image
from pydantic import BaseModel

from artscope import faults
from artscope.catalog import UpsertStatus
from artscope.catalog.checks import checked_record
from artscope.errors import ArtscopeError, ImageLoadError
from artscope.ingest.sources.base import SourceItem
from artscope.ingest.sources.records import slugify
from artscope.media.fetch import is_url
from artscope.media.images import content_hash, decode_with_size, dhash, read_bytes
from artscope.types import ArtworkRecord, ImageView

if TYPE_CHECKING:
    from artscope.collection import Collection
    from artscope.ingest.stages import EmbeddedImage

log = logging.getLogger(__name__)

DECODE_SIZE = 512
"""Images are decoded at about this size (JPEG draft mode): enough for every embedder's input."""


class ItemError(BaseModel):
    key: str
    error: str


@dataclass
class LoadedImage:
    view: ImageView
    image: Image.Image | None
    error: str | None = None
    refused: bool = False
    """Not read on purpose (outside the ingest root): the item fails rather than waiting for it."""
    embedded: EmbeddedImage | None = None
    """Its vectors and thumbnail, when a worker that read it also embedded it (``image`` is then None)."""

    @property
    def readable(self) -> bool:
        return self.error is None

    @property
    def ready(self) -> EmbeddedImage | Image.Image | None:
        """What the indexer needs of it: the vectors a worker made, else the decoded image (None: read again)."""
        return self.embedded if self.embedded is not None else self.image


@dataclass
class SourcePass:
    """One source as the writer sees it during a run."""

    name: str
    """``kind:location``, the provenance recorded with every artwork."""
    kind: str
    scope: str
    """The prefix of ids scoped by this source (its file or folder name, slugged)."""
    global_ids: bool
    """Its ids name the same object wherever they come from (museum object ids, IIIF addresses)."""
    ids: dict[str, str] = field(default_factory=dict)
    """Artwork id -> the item that gave it, in this run (an id given twice is the second item's error)."""
    keys: set[str] = field(default_factory=set)
    repeats: Counter[str] = field(default_factory=Counter)


def source_pass(name: str, location: str, global_ids: bool) -> SourcePass:
    stem = location.rstrip("/").rsplit("/", 1)[-1]
    scope = slugify(Path(stem).stem if "." in stem else stem) or "source"
    return SourcePass(name=name, kind=name.split(":", 1)[0], scope=scope, global_ids=global_ids)


def _outside(uri: str, root: Path | None) -> bool:
    """True for a local file that is not inside ``root`` (links and ``..`` resolved first)."""
    if root is None or is_url(uri):
        return False
    path = Path(uri.removeprefix("file://")).resolve()
    return not path.is_relative_to(root.resolve())


def load_view(view: ImageView, root: Path | None = None) -> LoadedImage:
    """Read, hash and decode one image (runs in a worker thread: decoding releases the GIL)."""
    if _outside(view.uri, root):
        return LoadedImage(view, None, f"{view.uri} is outside the ingest root {root}; it was not read.", True)
    try:
        data = read_bytes(view.uri)
        image, (width, height) = decode_with_size(data, draft_size=DECODE_SIZE, name=view.uri)
    except ImageLoadError as exc:
        return LoadedImage(view, None, str(exc))
    except Exception as exc:  # PIL raises many types for broken headers
        return LoadedImage(view, None, f"{view.uri} is not a readable image: {exc}")
    loaded = view.model_copy(update={"content_hash": content_hash(data), "dhash": dhash(image), "width": width,
                                     "height": height})
    return LoadedImage(loaded, image)


def views_of(items: Sequence[SourceItem]) -> list[ImageView]:
    """The images of a batch's items that are to be read, in order."""
    return [v for item in items if item.record and not item.error for v in item.record.views]


def printable(text: str) -> str:
    """Text the catalog can store, whatever a file name or a source held (bad bytes escaped)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") \
        if any("\ud800" <= c <= "\udfff" for c in text) else text


class ItemWriter:
    """Writes the items of one run; counts go to ``summary`` (an ``IngestSummary``)."""

    def __init__(self, collection: Collection, job_id: str, summary, ids_mapped: bool) -> None:
        self.catalog = collection.catalog
        self.job_id = job_id
        self.summary = summary
        self.ids_mapped = ids_mapped
        self.images: dict[int, Image.Image | EmbeddedImage] = {}  # view id -> its image or vectors, until indexed

    def fail(self, key: str, error: str) -> None:
        key, error = printable(key), printable(error)
        self.summary.failed += 1
        self.summary.errors.append(ItemError(key=key, error=error))
        self.catalog.record_item(self.job_id, key, "failed", error=error)

    def write_batch(self, source: SourcePass, items: Sequence[SourceItem], images: Sequence[LoadedImage]) -> None:
        """Write the batch's items in one transaction; ``images`` are their ``views_of(items)``, loaded."""
        loaded = dict(zip((id(v) for v in views_of(items)), images, strict=True))
        with self.catalog.transaction():
            for item in items:
                key = f"{source.name}#{item.key}"
                images = [loaded[id(v)] for v in item.record.views] if item.record and not item.error else []
                try:
                    with self.catalog.savepoint():
                        self.write_item(source, key, item, images)
                except Exception as exc:  # this item's error, never the run's
                    log.debug("item %s", key, exc_info=True)
                    message = str(exc) if isinstance(exc, ArtscopeError) else f"{type(exc).__name__}: {exc}"
                    self.fail(key, f"{key}: {message}")
                faults.reached("ingest.item.written")
        faults.reached("ingest.batch.committed")

    def write_item(self, source: SourcePass, key: str, item: SourceItem, images: list[LoadedImage]) -> None:
        if item.error:
            self.fail(key, item.error)
            return
        for passage in item.passages:
            _, status = self.catalog.upsert_passage(passage)
            self.summary.passages += status != UpsertStatus.UNCHANGED
        if item.record is None:
            self.catalog.record_item(self.job_id, key, "passages")
            return
        record, warnings = checked_record(item.record)
        warnings = [*item.warnings, *warnings]
        good = [x for x in images if x.readable]
        bad = [x for x in images if not x.readable]
        if any(x.refused for x in bad) or (item.image_only and not good and bad):
            self.fail(key, "; ".join(x.error or "" for x in bad))
            return
        if item.image_only and good and self._second_source(source, key, item, good):
            return
        record, note = self._resolved(source, record)
        warnings += [note] if note else []
        rowid, status = self.catalog.upsert_artwork(record)
        self.catalog.add_source(rowid, source.name, item.key, record.views[0].uri if record.views else None)
        warnings += self._attach(rowid, record.id, good)
        for x in bad:
            self.catalog.add_failed_view(rowid, x.view, x.error or "not read")
        if bad:
            warnings.append(f"{len(bad)} of {len(images)} images could not be read ({bad[0].error}); the record is "
                            "kept without them, and ingesting this source again tries them again")
        setattr(self.summary, status.value, getattr(self.summary, status.value) + 1)
        if warnings:
            self.summary.warnings.append(ItemError(key=printable(key), error=printable("; ".join(warnings))))
        self.catalog.record_item(self.job_id, key, status.value, artwork_id=record.id,
                                 error=printable("; ".join(warnings)) if warnings else None)

    def _second_source(self, source: SourcePass, key: str, item: SourceItem, good: list[LoadedImage]) -> bool:
        """An image without a catalogue row that the collection already has under another artwork:
        recorded as a second source of that artwork. True when it was."""
        known = [self.catalog.view_by_hash(x.view.content_hash or "") for x in good]
        owners = sorted({k[1] for k in known if k})
        if not all(known) or item.record is None or item.record.id in owners:
            return False
        self.catalog.add_source(self.catalog.rowid_of(owners[0]), source.name, item.key, good[0].view.uri)
        self.summary.duplicates += 1
        self.catalog.record_item(self.job_id, key, "duplicate", artwork_id=owners[0],
                                 error=f"the same image as artwork {owners[0]!r}; recorded as a second source of it")
        return True

    def _attach(self, rowid: int, artwork_id: str, good: list[LoadedImage]) -> list[str]:
        """Add the record's readable images as views; warnings for images another artwork has."""
        warnings = []
        for loaded in good:
            owner = self.catalog.view_by_hash(loaded.view.content_hash or "")
            if owner and owner[1] != artwork_id:
                warnings.append(f"image {loaded.view.uri} is the same file as an image of artwork {owner[1]!r}; "
                                "it is not attached twice")
                continue
            view_id, new = self.catalog.add_view(rowid, loaded.view)
            if new and loaded.ready is not None:  # else the indexer reads it again
                self.images[view_id] = loaded.ready
        return warnings

    def _resolved(self, source: SourcePass, record: ArtworkRecord) -> tuple[ArtworkRecord, str | None]:
        """The record under the id it may be stored as, and a warning when that is not its own."""
        owner = self._owner(record.id, source)
        if owner is None:
            return record, None
        if self.ids_mapped:
            return record, (f"updates artwork {record.id!r}, which also comes from {owner} (the id column was "
                            "mapped, so ids name the same artworks in every source)")
        scoped = f"{source.scope}:{record.id}"
        if self._owner(scoped, source) is not None:
            digest = hashlib.sha256(source.name.encode()).hexdigest()[:6]
            scoped = f"{source.scope}-{digest}:{record.id}"
        note = (f"id {record.id!r} already belongs to an artwork from {owner}; this record is stored as "
                f"{scoped!r} (map the id column with --map COLUMN=id to make several sources update the same "
                "artworks)")
        return record.model_copy(update={"id": scoped}), note

    def _owner(self, artwork_id: str, source: SourcePass) -> str | None:
        """The other source an existing artwork with this id comes from, or None when the id is free or
        this source may update it (its own artwork, or the same global id)."""
        row = self.catalog.conn.execute("SELECT rowid FROM artworks WHERE id = ?", (artwork_id,)).fetchone()
        if row is None:
            return None
        names = [r[0] for r in self.catalog.conn.execute(
            "SELECT source FROM sources WHERE artwork_rowid = ? ORDER BY added_at, source", (row[0],))]
        if not names or source.name in names:
            return None
        if source.global_ids and any(n.split(":", 1)[0] == source.kind for n in names):
            return None
        return names[0]
