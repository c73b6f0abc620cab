"""Files a curator uploads to add to the collection (``POST /api/jobs/files``): images, checked as query
uploads are (readable, within the pixel cap), and at most one catalogue (CSV, JSON, JSONL) that describes
them. They are written under the collection's ``uploads/`` folder and stay there: the catalog records
their paths, and the full-size images and IIIF tiles are read from them. All are checked before any is
written, and a batch appears whole or not at all."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from artscope.errors import ImageLoadError, InvalidInputError
from artscope.server.uploads import decode_upload

UPLOADS_DIR = "uploads"
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".gif", ".bmp"})
CATALOGUE_SUFFIXES = frozenset({".csv", ".json", ".jsonl"})
MAX_FILES = 100
SAFE_NAME = re.compile(r"^\w[\w .()+-]{0,199}$")
"""A file name kept as it is: letters, digits, spaces, ``._()+-``; no leading dot, no separator."""


@dataclass(frozen=True)
class AddedFiles:
    """A batch of files written under the collection's ``uploads/`` folder."""

    folder: Path
    catalogue: Path | None
    images: int


def uploads_dir(collection_path: Path) -> Path:
    """Where a collection keeps the files curators uploaded to it."""
    return collection_path / UPLOADS_DIR


def is_uploaded(location: str, collection_path: Path) -> bool:
    """Whether ``location`` lies in the collection's ``uploads/`` folder (a job may read it again)."""
    try:
        return Path(location).resolve().is_relative_to(uploads_dir(collection_path).resolve())
    except OSError:  # a name too long, a loop of links: not one of ours
        return False


def store_files(collection_path: Path, batch: str, files: list[tuple[str, bytes]], max_pixels: int
                ) -> AddedFiles:
    """Check ``files`` (name, content) and write them to ``uploads/<batch>/`` of the collection."""
    named, catalogue, images = _checked(files, max_pixels)
    folder = uploads_dir(collection_path) / batch
    partial = folder.with_name(f".{batch}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        for name, data in named:
            (partial / name).write_bytes(data)
        os.replace(partial, folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return AddedFiles(folder=folder, catalogue=folder / catalogue if catalogue else None, images=images)


def _checked(files: list[tuple[str, bytes]], max_pixels: int) -> tuple[list[tuple[str, bytes]], str | None, int]:
    """The files under their plain names, the catalogue's name, and how many images: refused with a
    message naming the file when one is not an image artscope reads nor a catalogue."""
    if len(files) > MAX_FILES:
        raise InvalidInputError(f"{len(files)} files in one upload; send at most {MAX_FILES} at a time.")
    named: list[tuple[str, bytes]] = []
    catalogue, images, seen = None, 0, set()
    for raw, data in files:
        name = PurePosixPath(raw.replace("\\", "/")).name
        if not SAFE_NAME.match(name):
            raise InvalidInputError(f"The file name {name!r} cannot be kept: rename it with letters, digits, "
                                    "spaces and ._()+- only.")
        if name.lower() in seen:
            raise InvalidInputError(f"Two files are named {name!r}; give each file its own name.")
        seen.add(name.lower())
        suffix = PurePosixPath(name).suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            try:
                decode_upload(data, max_pixels)
            except ImageLoadError as exc:
                raise ImageLoadError(f"{name}: {exc}") from None
            images += 1
        elif suffix in CATALOGUE_SUFFIXES:
            if catalogue is not None:
                raise InvalidInputError(f"Two catalogues ({catalogue}, {name}); send one that describes the images.")
            catalogue = name
        else:
            raise InvalidInputError(f"{name}: artscope adds images (JPEG, PNG, WebP, TIFF, GIF, BMP) and one "
                                    "catalogue describing them (CSV, JSON or JSONL).")
        named.append((name, data))
    if not images:
        raise InvalidInputError("No image among the files: choose the images to add (and, if you have one, "
                                "a catalogue describing them).")
    return named, catalogue, images
