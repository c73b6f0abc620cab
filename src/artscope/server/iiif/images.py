"""The collection's stored images behind the IIIF Image API: an image is named by the SHA-256 of its
file (the catalog's dedupe key), so its address stays the same as long as the file does, whatever is
re-ingested around it; tiles are rendered from the file the catalog recorded at ingest, never from a
path a request names."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from artscope.collection import Collection
from artscope.errors import NotFoundError
from artscope.media.fetch import is_url
from artscope.media.images import IMAGE_SUFFIXES
from artscope.media.tiles import FORMATS, DiskCache, SourceCache, oriented_size, render
from artscope.server.iiif.image_api import Limits, info, parse_request
from artscope.server.iiif.presentation import THUMB_SIZE, Urls, ViewImage, rights_uri
from artscope.types import ArtworkRecord, ImageView

IDENTIFIER_LENGTH = 64
_HEX = frozenset("0123456789abcdef")
_SIZES_KEPT = 4096


@dataclass(frozen=True)
class StoredImage:
    identifier: str
    path: Path
    size: tuple[int, int]
    rights: str | None


class ImageService:
    """Finds a collection's images by identifier and renders what the Image API asks of them: decoded
    sources in memory (``sources``), rendered results on disk under ``tiles/`` in the collection
    (``cache_bytes`` at most; 0 turns the disk cache off)."""

    def __init__(self, collection: Collection, max_pixels: int, cache_bytes: int) -> None:
        self.collection = collection
        self.limits = Limits.for_pixel_cap(max_pixels)
        self.sources = SourceCache(max_pixels=max_pixels)
        self.tiles = DiskCache(collection.path / "tiles", cache_bytes)
        self._sizes: dict[Path, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def find(self, identifier: str) -> StoredImage:
        """The stored image called ``identifier``; 404 for an unknown one or one only its source has."""
        if len(identifier) != IDENTIFIER_LENGTH or not set(identifier) <= _HEX:
            raise NotFoundError(f"No image {identifier!r} here: image identifiers are the 64 hexadecimal "
                                "digits a manifest gives.")
        catalog = self.collection.catalog
        found = catalog.view_by_hash(identifier)
        if found is None:
            raise NotFoundError(f"No image {identifier} in this collection (it may have been deleted).")
        view_id, artwork_id = found
        row = catalog.view_rows([view_id])[view_id]
        path = local_file(str(row["uri"]))
        if path is None:
            raise NotFoundError(f"Image {identifier} is not stored here; its source serves it.")
        return StoredImage(identifier, path, self.size_of(path), rights_uri(catalog.get(artwork_id).license))

    def size_of(self, path: Path) -> tuple[int, int]:
        """The picture's size as shown (read from its header once)."""
        with self._lock:
            if path in self._sizes:
                return self._sizes[path]
        size = oriented_size(path)
        with self._lock:
            if len(self._sizes) >= _SIZES_KEPT:
                self._sizes.clear()
            self._sizes[path] = size
        return size

    def info(self, image: StoredImage, urls: Urls) -> dict:
        return info(urls.image_service(image.identifier), image.size, self.limits, image.rights)

    def image(self, image: StoredImage, region: str, size: str, rotation: str, quality_format: str
              ) -> tuple[bytes, str]:
        """The encoded answer to one image request and its media type."""
        request = parse_request(region, size, rotation, quality_format, image.size, self.limits)
        data = self.tiles.get_or_make(f"{image.identifier}/{request.key()}", lambda: render(
            self.sources, image.identifier, image.path, image.size, request))
        return data, FORMATS[request.format][1]

    def views(self, record: ArtworkRecord, urls: Urls) -> list[ViewImage]:
        """The record's views as a manifest shows them (served here, or by their source)."""
        return [self.view(view, urls) for view in record.views if view.id is not None]

    def view(self, view: ImageView, urls: Urls) -> ViewImage:
        assert view.id is not None
        path = local_file(view.uri)
        if path is not None and view.content_hash:
            width, height = self.size_of(path)
            return ViewImage(view.id, view.label, width, height, service_id=urls.image_service(view.content_hash))
        width, height = view.width or THUMB_SIZE, view.height or THUMB_SIZE
        return ViewImage(view.id, view.label, width, height,
                         remote_uri=view.uri if is_url(view.uri) else urls.thumbnail(view.id))


def local_file(uri: str) -> Path | None:
    """The image file a view's recorded ``uri`` names on this machine, if it is one that exists."""
    if is_url(uri):
        return None
    path = Path(uri.removeprefix("file://"))
    return path if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file() else None
