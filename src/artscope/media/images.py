"""Defensive image loading: every image that enters artscope comes through here.

Pixel caps (decompression bombs), EXIF orientation, CMYK / 16-bit / alpha / palette / animated
inputs to 8-bit RGB, corrupt or non-image files -> ``ImageLoadError`` with the reason. URLs go
through ``artscope.media.fetch``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from artscope.config import get_settings
from artscope.errors import ImageLoadError
from artscope.media.fetch import fetch_url, is_url

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".gif", ".bmp"})
ImageFile.LOAD_TRUNCATED_IMAGES = False

ImageInput = str | Path | bytes | Image.Image


def read_bytes(uri: str | Path) -> bytes:
    """The raw bytes behind a local path, a ``file://`` URI or an http(s) URL."""
    text = str(uri)
    if is_url(text):
        return fetch_url(text)
    if text.startswith("file://"):
        text = text[len("file://"):]
    path = Path(text)
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise ImageLoadError(f"Image file not found: {path}") from exc
    except OSError as exc:
        raise ImageLoadError(f"Cannot read {path}: {exc.strerror or exc}") from exc


def dhash(image: Image.Image, size: int = 8) -> str:
    """64-bit difference hash (hex): survives re-encoding, resizing and small colour shifts, so that
    near-duplicate files of one picture are recognised where global features cannot tell them from
    other works of the same kind."""
    gray = np.asarray(image.convert("L").resize((size + 1, size), Image.Resampling.BILINEAR), dtype=np.int16)
    bits = (gray[:, 1:] > gray[:, :-1]).flatten()
    return f"{int(''.join('1' if b else '0' for b in bits), 2):0{size * size // 4}x}"


def hamming(a: str, b: str) -> int:
    """Differing bits of two hex hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def content_hash(data: bytes) -> str:
    """Identity of an image file's bytes (the dedupe key)."""
    return hashlib.sha256(data).hexdigest()


def decode_image(data: bytes, max_pixels: int | None = None, draft_size: int | None = None,
                 name: str = "The file") -> Image.Image:
    """Bytes -> 8-bit RGB, upright. ``draft_size`` lets JPEG decode at a reduced scale (fast). Images
    over ``max_pixels`` (``ARTSCOPE_MAX_IMAGE_PIXELS``) are refused before decoding, and the message
    quotes that cap (Pillow's own bomb limit follows it)."""
    max_pixels = max_pixels or get_settings().max_image_pixels
    if Image.MAX_IMAGE_PIXELS is not None and max_pixels > Image.MAX_IMAGE_PIXELS:
        Image.MAX_IMAGE_PIXELS = max_pixels  # artscope's cap decides, also when raised above Pillow's
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > max_pixels:
                raise ImageLoadError(_too_many_pixels(name, f"{image.width} × {image.height} pixels", max_pixels))
            if draft_size and image.format == "JPEG":
                image.draft("RGB", (draft_size, draft_size))
            image.seek(0)  # animated: first frame
            image.load()
    except ImageLoadError:
        raise
    except UnidentifiedImageError as exc:
        raise ImageLoadError(f"{name} is not an image artscope can open: use a JPEG, PNG, WebP, TIFF, GIF or "
                             "BMP file.") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(pixels.group(1)):,} pixels" if pixels else "larger than that"
        raise ImageLoadError(_too_many_pixels(name, size, max_pixels)) from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageLoadError(f"{name} is corrupt or truncated: {exc}") from exc
    return to_rgb(image)


def _too_many_pixels(name: str, size: str, max_pixels: int) -> str:
    return (f"{name} is {size}, over the limit of {max_pixels:,} pixels (about {max_pixels / 1e6:.0f} "
            "megapixels) accepted here. Use a smaller image (where artscope runs, ARTSCOPE_MAX_IMAGE_PIXELS "
            "sets the limit).")


def decode_with_size(data: bytes, draft_size: int | None = None, name: str = "image"
                     ) -> tuple[Image.Image, tuple[int, int]]:
    """``decode_image`` plus the picture's full size as stored (before draft-mode reduction),
    oriented as the decoded image is (EXIF rotation swaps width and height)."""
    image = decode_image(data, draft_size=draft_size, name=name)
    with Image.open(io.BytesIO(data)) as probe:  # decoded fine above, so the header reads
        width, height = probe.size
    if (width > height) != (image.width > image.height):
        width, height = height, width
    return image, (width, height)


def to_rgb(image: Image.Image) -> Image.Image:
    """Any mode -> RGB: EXIF orientation applied, 16-bit scaled, alpha composited on white."""
    with contextlib.suppress(Exception):  # a malformed EXIF block must not lose the image
        image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float64)
        top = 65535.0 if array.max() > 255 else 255.0
        image = Image.fromarray(np.clip(array / top * 255.0, 0, 255).astype(np.uint8), "L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image


def load_image(source: ImageInput, max_pixels: int | None = None, draft_size: int | None = None) -> Image.Image:
    """Any image input (path, URL, bytes, PIL image) -> safe RGB image, or ``ImageLoadError``."""
    if isinstance(source, Image.Image):
        return to_rgb(source)
    if isinstance(source, bytes | bytearray):
        return decode_image(bytes(source), max_pixels, draft_size)
    return decode_image(read_bytes(source), max_pixels, draft_size, name=str(source))


THUMB_SIZE = 320


def thumbnail_jpeg(image: Image.Image) -> bytes:
    """The stored thumbnail of an image: at most ``THUMB_SIZE`` px a side, JPEG quality 85."""
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIZE, THUMB_SIZE))
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=85)
    return out.getvalue()
