"""The IIIF Image API 3.0 (https://iiif.io/api/image/3.0/): image requests
``{region}/{size}/{rotation}/{quality}.{format}`` parsed into a ``Render``, and the ``info.json`` that
describes an image to viewers (its size, the tiles and sizes to ask for, the service's limits).

Compliance level 2 (regions by pixels, percent and ``square``; sizes ``max``, ``w,``, ``,h``, ``pct:n``,
``w,h``, ``!w,h``; rotation by multiples of 90; qualities ``color``, ``gray``, ``bitonal``; PNG) plus
mirroring, arbitrary rotation, upscaling with ``^`` and WebP. Every request stays within ``maxArea``,
``maxWidth`` and ``maxHeight``, so one request's work is bounded whatever it asks.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from artscope.media.tiles import FORMATS, QUALITIES, Box, Render
from artscope.server.errors import ServiceError

CONTEXT = "http://iiif.io/api/image/3/context.json"
PROFILE = "level2"
MEDIA_TYPE = f'application/ld+json;profile="{CONTEXT}"'
TILE = 512
"""Tile width and height offered to viewers."""
MAX_SIDE = 10_000
"""The longest side the service renders (``maxWidth``/``maxHeight``)."""
MAX_AREA = 16_777_216
"""The most pixels one answer has (``maxArea``; 4096 x 4096), unless the pixel cap is lower."""
EXTRA_FEATURES = ["mirroring", "regionByPct", "regionByPx", "regionSquare", "rotationArbitrary",
                  "rotationBy90s", "sizeByConfinedWh", "sizeByH", "sizeByPct", "sizeByW", "sizeByWh",
                  "sizeUpscaling"]

_NUMBER = r"\d+(?:\.\d+)?"
_REGION_PX = re.compile(r"^(\d+),(\d+),(\d+),(\d+)$")
_REGION_PCT = re.compile(rf"^pct:({_NUMBER}),({_NUMBER}),({_NUMBER}),({_NUMBER})$")
_SIZE_WH = re.compile(r"^(!)?(\d+)?,(\d+)?$")
_SIZE_PCT = re.compile(rf"^pct:({_NUMBER})$")
_ROTATION = re.compile(rf"^(!)?({_NUMBER})$")


class ImageRequestError(ServiceError):
    """An image request the Image API does not allow (400, as the specification asks)."""

    status_code = 400


@dataclass(frozen=True)
class Limits:
    """What one answer may be: at most ``max_width`` x ``max_height`` and ``max_area`` pixels."""

    max_width: int = MAX_SIDE
    max_height: int = MAX_SIDE
    max_area: int = MAX_AREA

    @classmethod
    def for_pixel_cap(cls, max_pixels: int) -> Limits:
        return cls(max_area=min(MAX_AREA, max_pixels))

    def fit(self, width: float, height: float) -> tuple[int, int]:
        """The largest size of this shape up to its own within the limits (what ``max`` and ``^max``
        mean here: upscaling is for sizes a request names)."""
        scale = min(1.0, self.max_width / width, self.max_height / height, math.sqrt(self.max_area / (width * height)))
        return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))

    def check(self, width: int, height: int) -> None:
        if width > self.max_width or height > self.max_height or width * height > self.max_area:
            raise ImageRequestError(
                f"{width} x {height} pixels is more than this service renders at once (at most "
                f"{self.max_width} x {self.max_height} and {self.max_area:,} pixels); ask for a smaller size "
                "or for tiles.")


def parse_request(region: str, size: str, rotation: str, quality_format: str, full: tuple[int, int],
                  limits: Limits) -> Render:
    """One image request against a picture of size ``full``; ``ImageRequestError`` when it is malformed,
    asks for nothing, or asks for more than ``limits``."""
    box = parse_region(region, full)
    out = parse_size(size, box[2], box[3], limits)
    mirror, degrees = parse_rotation(rotation)
    quality, _, fmt = quality_format.partition(".")
    if quality not in QUALITIES:
        raise ImageRequestError(f"Unknown quality {quality!r}; use one of {', '.join(QUALITIES)}.")
    if fmt not in FORMATS:
        raise ImageRequestError(f"Unknown or unsupported format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if degrees % 90:
        turned = math.radians(degrees)
        width = abs(out[0] * math.cos(turned)) + abs(out[1] * math.sin(turned))
        height = abs(out[0] * math.sin(turned)) + abs(out[1] * math.cos(turned))
        limits.check(math.ceil(width), math.ceil(height))
    return Render(box=box, size=out, mirror=mirror, rotation=degrees, quality=quality, format=fmt)


def parse_region(region: str, full: tuple[int, int]) -> Box:
    """``full``, ``square``, ``x,y,w,h`` or ``pct:x,y,w,h`` -> a box inside the picture."""
    width, height = full
    if region == "full":
        return 0, 0, width, height
    if region == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    if match := _REGION_PX.match(region):
        x, y, w, h = (int(v) for v in match.groups())
    elif match := _REGION_PCT.match(region):
        px, py, pw, ph = (float(v) for v in match.groups())
        x, y = round(px * width / 100), round(py * height / 100)
        w, h = round(pw * width / 100), round(ph * height / 100)
    else:
        raise ImageRequestError(f"Unknown region {region!r}; use full, square, x,y,w,h or pct:x,y,w,h.")
    if w <= 0 or h <= 0:
        raise ImageRequestError(f"The region {region!r} is empty.")
    if x >= width or y >= height:
        raise ImageRequestError(f"The region {region!r} lies outside the image ({width} x {height} pixels).")
    return x, y, min(w, width - x), min(h, height - y)


def parse_size(size: str, width: int, height: int, limits: Limits) -> tuple[int, int]:
    """``max``, ``w,``, ``,h``, ``pct:n``, ``w,h`` or ``!w,h`` (each may start with ``^`` to allow
    upscaling) of a region ``width`` x ``height`` -> the output size."""
    upscale = size.startswith("^")
    spec = size[1:] if upscale else size
    if spec == "max":
        return limits.fit(width, height)
    if match := _SIZE_PCT.match(spec):
        scale = float(match.group(1)) / 100
        out = (round(width * scale), round(height * scale))
    elif (match := _SIZE_WH.match(spec)) and (match.group(2) or match.group(3)):
        confined, w, h = match.group(1), match.group(2), match.group(3)
        out = _sized(width, height, int(w) if w else None, int(h) if h else None, bool(confined))
    else:
        raise ImageRequestError(f"Unknown size {size!r}; use max, w,, ,h, pct:n, w,h or !w,h (with ^ in front "
                                "to allow upscaling).")
    if out[0] < 1 or out[1] < 1:
        raise ImageRequestError(f"The size {size!r} leaves no pixels.")
    if not upscale and (out[0] > width or out[1] > height):
        raise ImageRequestError(f"The size {size!r} is larger than the region ({width} x {height}); put ^ in "
                                "front of the size to allow upscaling.")
    limits.check(*out)
    return out


def _sized(width: int, height: int, w: int | None, h: int | None, confined: bool) -> tuple[int, int]:
    if confined:
        if w is None or h is None:
            raise ImageRequestError("A size !w,h needs both a width and a height.")
        scale = min(w / width, h / height)  # more than 1 needs ^ (as IIIF's image validator reads 4.2)
        return min(w, max(1, round(width * scale))), min(h, max(1, round(height * scale)))
    if w is not None and h is not None:
        return w, h
    if w is not None:
        return w, max(1, round(height * w / width))
    assert h is not None
    return max(1, round(width * h / height)), h


def parse_rotation(rotation: str) -> tuple[bool, float]:
    """``n`` or ``!n`` (mirrored first), n from 0 to 360 degrees clockwise."""
    match = _ROTATION.match(rotation)
    if not match or float(match.group(2)) > 360:
        raise ImageRequestError(f"Unknown rotation {rotation!r}; use degrees from 0 to 360, with ! in front "
                                "to mirror.")
    return bool(match.group(1)), float(match.group(2)) % 360


def info(service_id: str, full: tuple[int, int], limits: Limits, rights: str | None = None) -> dict[str, Any]:
    """The ``info.json`` of an image service: what an image is and how to ask for it."""
    width, height = full
    factors = [1]
    while max(width, height) / factors[-1] > TILE:
        factors.append(factors[-1] * 2)
    sizes = []
    for factor in reversed(factors):
        w, h = math.ceil(width / factor), math.ceil(height / factor)
        if w * h <= limits.max_area and w <= limits.max_width and h <= limits.max_height:
            sizes.append({"width": w, "height": h})
    document: dict[str, Any] = {
        "@context": CONTEXT, "id": service_id, "type": "ImageService3", "protocol": "http://iiif.io/api/image",
        "profile": PROFILE, "width": width, "height": height, "maxWidth": limits.max_width,
        "maxHeight": limits.max_height, "maxArea": limits.max_area, "sizes": sizes,
        "tiles": [{"width": TILE, "height": TILE, "scaleFactors": factors}],
        "extraQualities": [q for q in QUALITIES if q != "default"],
        "extraFormats": [f for f in FORMATS if f != "jpg"], "extraFeatures": EXTRA_FEATURES,
    }
    if rights:
        document["rights"] = rights
    return document
