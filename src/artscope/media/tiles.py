"""Regions of large images at any scale, with bounded work per request.

A deep-zoom viewer asks for many small pieces of one big image: the whole picture small, then tiles of
it at finer and finer scales. Decoding a 60-megapixel master for each 512-pixel tile would cost seconds
a tile, so decoded sources are kept in memory (a byte budget, least recently used out) at the
reduction a request needs: a JPEG decodes directly at 1/2, 1/4 or 1/8 of its size (``draft``), other
formats are reduced once after decoding. Concurrent requests for one source wait for a single decode.
Rendered results are kept on disk (``DiskCache``), so a tile is computed once.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import math
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from artscope.media.images import decode_image, read_bytes

log = logging.getLogger(__name__)

Box = tuple[int, int, int, int]
"""x, y, width, height in the full-resolution image's pixels."""
FORMATS = {"jpg": ("JPEG", "image/jpeg"), "png": ("PNG", "image/png"), "webp": ("WEBP", "image/webp")}
"""Output formats: name -> (Pillow format, media type)."""
QUALITIES = ("default", "color", "gray", "bitonal")
# EXIF orientations 5-8 turn the picture a quarter: the stored width is the shown height
_QUARTER_TURNS = frozenset({5, 6, 7, 8})


@dataclass(frozen=True)
class Render:
    """One rendering of a region: cut ``box``, scale it to ``size``, mirror, turn ``rotation`` degrees
    clockwise, then apply ``quality`` (colour, gray or black and white) and encode as ``format``."""

    box: Box
    size: tuple[int, int]
    mirror: bool = False
    rotation: float = 0.0
    quality: str = "default"
    format: str = "jpg"

    def key(self) -> str:
        """The same for any two equal renderings (a cache key)."""
        x, y, w, h = self.box
        return (f"{x},{y},{w},{h}/{self.size[0]},{self.size[1]}/{'!' if self.mirror else ''}{self.rotation:g}/"
                f"{self.quality}.{self.format}")


def oriented_size(path: Path) -> tuple[int, int]:
    """Width and height of the picture as shown (EXIF orientation applied), from its header only."""
    try:
        with Image.open(path) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1)
    except (OSError, ValueError, SyntaxError) as exc:
        raise OSError(f"{path.name} cannot be read as an image: {exc}") from exc
    return (height, width) if orientation in _QUARTER_TURNS else (width, height)


class SourceCache:
    """Decoded sources by key and reduction, in memory up to ``max_bytes`` (least recently used out)."""

    def __init__(self, max_bytes: int = 768_000_000, max_pixels: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self._images: OrderedDict[tuple[str, int], Image.Image] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._decoding: dict[tuple[str, int], threading.Lock] = {}

    def reduced(self, key: str, path: Path, full: tuple[int, int], reduce: int) -> Image.Image:
        """The picture at ``path`` (``full`` its size as shown) decoded at about 1/``reduce`` of it:
        never smaller than that, so cutting from it loses nothing a request at that scale needs."""
        slot = (key, reduce)
        with self._lock:
            if slot in self._images:
                self._images.move_to_end(slot)
                return self._images[slot]
            decoding = self._decoding.setdefault(slot, threading.Lock())
        with decoding:  # one decode per source and reduction, however many requests wait for it
            with self._lock:
                if slot in self._images:
                    return self._images[slot]
            try:
                image = self._decode(path, full, reduce)
            except BaseException:
                with self._lock:
                    self._decoding.pop(slot, None)
                raise
            with self._lock:
                self._keep(slot, image)
                self._decoding.pop(slot, None)
        return image

    def _decode(self, path: Path, full: tuple[int, int], reduce: int) -> Image.Image:
        draft = math.ceil(min(full) / reduce) if reduce > 1 else None
        image = decode_image(read_bytes(path), self.max_pixels, draft_size=draft, name=path.name)
        factor = int(image.width / (full[0] / reduce))  # what draft mode left to do (all of it for PNG)
        return image.reduce(factor) if factor >= 2 else image

    def _keep(self, slot: tuple[str, int], image: Image.Image) -> None:
        size = image.width * image.height * len(image.getbands())
        if size > self.max_bytes:
            return
        self._images[slot] = image
        self._bytes += size
        while self._bytes > self.max_bytes:
            _, dropped = self._images.popitem(last=False)
            self._bytes -= dropped.width * dropped.height * len(dropped.getbands())


def render(sources: SourceCache, key: str, path: Path, full: tuple[int, int], request: Render) -> bytes:
    """The encoded image ``request`` asks of the picture at ``path``."""
    x, y, w, h = request.box
    out_w, out_h = request.size
    ratio = min(w / out_w, h / out_h)
    reduce = 1 << max(0, int(math.log2(ratio))) if ratio >= 2 else 1
    source = sources.reduced(key, path, full, reduce)
    sx, sy = source.width / full[0], source.height / full[1]
    crop = (x * sx, y * sy, (x + w) * sx, (y + h) * sy)
    image = source.resize((out_w, out_h), Image.Resampling.LANCZOS, box=crop, reducing_gap=3.0)
    if request.mirror:
        image = ImageOps.mirror(image)
    image = _rotate(image, request.rotation, transparent=request.format != "jpg")
    image = _quality(image, request.quality)
    return encode(image, request.format)


def _rotate(image: Image.Image, degrees: float, transparent: bool) -> Image.Image:
    turns = {90.0: Image.Transpose.ROTATE_270, 180.0: Image.Transpose.ROTATE_180,
             270.0: Image.Transpose.ROTATE_90}
    degrees = degrees % 360
    if degrees == 0:
        return image
    if degrees in turns:  # exact, no resampling
        return image.transpose(turns[degrees])
    if transparent:  # the corners the turn uncovers stay see-through where the format can say so
        image = image.convert("RGBA")
    return image.rotate(-degrees, Image.Resampling.BICUBIC, expand=True,
                        fillcolor=(0, 0, 0, 0) if transparent else (255, 255, 255))


def _quality(image: Image.Image, quality: str) -> Image.Image:
    if quality == "gray":
        return image.convert("LA" if image.mode == "RGBA" else "L")
    if quality == "bitonal":
        return image.convert("L").point(lambda v: 255 if v >= 128 else 0, mode="1")
    return image


def encode(image: Image.Image, fmt: str) -> bytes:
    """``image`` in one of ``FORMATS`` (JPEG has no alpha or 1-bit mode: those become RGB or gray)."""
    pillow_format, _ = FORMATS[fmt]
    if pillow_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("L" if image.mode in ("1", "LA") else "RGB")
    buffer = io.BytesIO()
    options = {"JPEG": {"quality": 88}, "WEBP": {"quality": 85}, "PNG": {}}[pillow_format]
    image.save(buffer, pillow_format, **options)
    return buffer.getvalue()


class DiskCache:
    """Rendered results in files under ``root``, at most ``max_bytes`` in all (least recently used
    out). Files are written whole or not at all; a cache folder may be deleted at any time."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Path, int] | None = None  # read from disk at first use
        self._bytes = 0
        self._lock = threading.Lock()

    def get_or_make(self, key: str, make: Callable[[], bytes]) -> bytes:
        """The cached bytes of ``key``, or ``make()``'s, kept for next time."""
        if self.max_bytes <= 0:
            return make()
        path = self._path(key)
        with self._lock:
            entries = self._index()
            if path in entries:
                entries.move_to_end(path)
                with contextlib.suppress(OSError):
                    return path.read_bytes()
                self._forget(path)
        data = make()
        if len(data) <= self.max_bytes:
            self._store(path, data)
        return data

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode()).hexdigest()
        return self.root / digest[:2] / f"{digest[2:40]}.bin"

    def _index(self) -> OrderedDict[Path, int]:
        if self._entries is None:
            found = []
            if self.root.is_dir():
                for path in self.root.glob("*/*.bin"):
                    with contextlib.suppress(OSError):
                        stat = path.stat()
                        found.append((stat.st_mtime, path, stat.st_size))
            self._entries = OrderedDict((path, size) for _, path, size in sorted(found))
            self._bytes = sum(self._entries.values())
        return self._entries

    def _store(self, path: Path, data: bytes) -> None:
        temporary: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except OSError as exc:  # a full or read-only disk costs speed, never the answer
            log.warning("could not cache a rendered image in %s: %s", self.root, exc)
            if temporary:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
            return
        with self._lock:
            entries = self._index()
            self._bytes += len(data) - entries.pop(path, 0)
            entries[path] = len(data)
            while self._bytes > self.max_bytes and entries:
                oldest = next(iter(entries))
                with contextlib.suppress(OSError):
                    oldest.unlink()
                self._forget(oldest)

    def _forget(self, path: Path) -> None:
        assert self._entries is not None
        self._bytes -= self._entries.pop(path, 0)
