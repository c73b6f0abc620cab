"""A folder of images, with an optional catalogue beside them (the commonest layout of all).

Images are found recursively and sorted, so ids and order are the same on every run. A sidecar
catalogue (CSV, JSON array or JSONL; ``--sidecar`` or ``catalog.csv``/``metadata.csv``/``catalog.json``
/... in the folder) is joined to the images by file name (relative path, base name or stem) or by id.
Rows without an image are still records; images without a row get a title from their file name.
``passages.jsonl`` in the folder is read too.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from artscope.errors import InvalidInputError
from artscope.ingest.sources.base import SourceItem, SourceOptions, register_source
from artscope.ingest.sources.passages import passage_items
from artscope.ingest.sources.records import (
    BaseSource,
    catalogue_fields,
    plan_for_file,
    row_item,
    slugify,
    title_from_filename,
)
from artscope.ingest.sources.tables import count_rows, read_table
from artscope.media.fetch import is_url
from artscope.media.images import IMAGE_SUFFIXES
from artscope.types import ArtworkRecord, ImageView

logger = logging.getLogger(__name__)

_NOT_UTF8 = re.compile("[\udc80-\udcff]")
"""Bytes of a file name that are not UTF-8, as ``os.walk`` keeps them."""
SIDECAR_NAMES = ("catalog.csv", "metadata.csv", "catalog.json", "catalog.jsonl", "metadata.json",
                 "metadata.jsonl")
PASSAGES_NAME = "passages.jsonl"


def scan_images(folder: Path) -> list[str]:
    """Relative POSIX paths of the images under ``folder``, sorted. Hidden files and folders are
    skipped: macOS ``._name.jpg`` resource forks and ``.thumbnails`` are not artworks."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in IMAGE_SUFFIXES:
                found.append((Path(root) / name).relative_to(folder).as_posix())
    return sorted(found)


def id_for_image(relative: str) -> str:
    """The artwork id of an image that the catalogue gives none: its relative path without suffix."""
    return slugify(str(PurePosixPath(relative).with_suffix("")))


class ImageIndex:
    """Finds a folder's image by what a catalogue row calls it: relative path, file name, stem or id."""

    def __init__(self, folder: Path, relative_paths: list[str]) -> None:
        self.folder = folder.absolute()
        self.paths = set(relative_paths)
        self._tables: list[dict[str, list[str]]] = [{}, {}, {}]  # by name, by stem, by id
        for rel in relative_paths:
            pure = PurePosixPath(rel)
            for table, key in zip(self._tables, (pure.name, pure.stem, id_for_image(rel)), strict=True):
                table.setdefault(key, []).append(rel)

    def find(self, reference: str) -> str | None:
        """The relative path ``reference`` names, None if none; several candidates are an error."""
        ref = reference.strip().replace("\\", "/")
        if Path(ref).is_absolute():
            try:
                ref = Path(ref).relative_to(self.folder).as_posix()
            except ValueError:
                return None
        ref = ref.removeprefix("./")
        if ref in self.paths:
            return ref
        pure = PurePosixPath(ref)
        # "IMG_1.tif" finds IMG_1.jpg (JPEG derivatives of TIFF masters); "1993.132" is not a file name
        bare = pure.with_suffix("") if pure.suffix.lower() in IMAGE_SUFFIXES else pure
        for table, key in zip(self._tables, (pure.name, bare.name, slugify(str(bare))), strict=True):
            hits = table.get(key, [])
            if len(hits) > 1:
                raise InvalidInputError(f"{reference!r} matches several images ({', '.join(hits[:3])}); "
                                        "give its path relative to the folder")
            if hits:
                return hits[0]
        return None


def _is_folder(location: str) -> bool:
    return not is_url(location) and Path(location).is_dir()


@register_source("folder", _is_folder)
class FolderSource(BaseSource):
    """Images under a folder, joined to an optional sidecar catalogue and ``passages.jsonl``."""

    kind = "folder"

    def __init__(self, location: str, options: SourceOptions) -> None:
        super().__init__(location, options)
        self.folder = Path(location)
        if not self.folder.is_dir():
            raise InvalidInputError(f"Not a folder: {self.folder}")
        self.images = scan_images(self.folder)
        self.index = ImageIndex(self.folder, self.images)
        self.sidecar = self._find_sidecar()
        self.plan = plan_for_file(self.sidecar, options) if self.sidecar else None
        passages = self.folder / PASSAGES_NAME
        self.passages = passages if passages.is_file() and passages != self.sidecar else None

    def _find_sidecar(self) -> Path | None:
        if self.options.sidecar:
            if not self.options.sidecar.is_file():
                raise InvalidInputError(f"Sidecar catalogue not found: {self.options.sidecar}")
            return self.options.sidecar
        return next((self.folder / n for n in SIDECAR_NAMES if (self.folder / n).is_file()), None)

    def items(self) -> Iterator[SourceItem]:
        used: set[str] = set()
        missing: list[str] = []
        if self.sidecar:
            for number, row in enumerate(read_table(self.sidecar), start=1):
                default_id = f"{slugify(self.sidecar.stem)}-{number}"
                yield row_item(row, self.sidecar.name,
                               lambda values, d=default_id: self._joined(values, d, used, missing))
        if missing:
            logger.warning("%d catalogue rows name an image that is not in %s (first: %r); they are "
                           "indexed without an image.", len(missing), self.folder, missing[0])
        for rel in self.images:
            if rel in used:
                continue
            if _NOT_UTF8.search(rel):
                shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                yield SourceItem(key=shown, error=f"{self.folder / shown}: the file name is not UTF-8 text; "
                                                  "rename the file")
                continue
            record = ArtworkRecord(id=id_for_image(rel), title=title_from_filename(rel),
                                   views=[ImageView(uri=self._uri(rel))])
            yield SourceItem(key=rel, record=record, image_only=True)
        if self.passages:
            yield from passage_items(self.passages)

    def count(self) -> int:
        if self.sidecar:  # how many images the rows claim is known only by joining them
            return super().count()
        return len(self.images) + (count_rows(self.passages) if self.passages else 0)

    def _uri(self, relative: str) -> str:
        return str((self.folder / relative).absolute())

    def _joined(self, values: dict[str, Any], default_id: str, used: set[str],
                missing: list[str]) -> SourceItem:
        """A row's record with the folder's images it names."""
        fields, refs = catalogue_fields(values, self.plan, self.options)
        matched, urls = self._match(refs, fields.id, missing)
        views = [ImageView(uri=self._uri(rel)) for rel in matched] + [ImageView(uri=u) for u in urls]
        if matched:
            record = fields.record(id_for_image(matched[0]), views, title_from_filename(matched[0]))
        else:
            record = fields.record(default_id, views)
        used.update(matched)
        # keyed by the row's own id where it has one: two rows naming one image are two items
        return SourceItem(key=fields.id or (matched[0] if matched else record.id), record=record)

    def _match(self, refs: list[str], row_id: str | None, missing: list[str]) -> tuple[list[str], list[str]]:
        """(relative paths of the folder's images, image URLs) that a row's references name."""
        matched, urls = [], []
        for ref in refs:
            found = self.index.find(ref)
            if found:
                matched.append(found)
            elif is_url(ref):
                urls.append(ref)
            else:
                missing.append(ref)
        if not refs and row_id:  # no file column: the id may name the image ("0001" -> 0001.jpg)
            found = self.index.find(row_id)
            matched += [found] if found else []
        return matched, urls
