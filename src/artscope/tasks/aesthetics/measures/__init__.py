"""Measured quantities of an image, per dimension: composition, colour and value, technique, affect.

Every measure runs on downscaled copies (``ANALYSIS_SIZE`` for layout and colour, ``DETAIL_SIZE`` for
sharpness and noise), so an image costs the same whatever its resolution; the original size is
kept for the resolution measure.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from artscope.errors import InvalidInputError
from artscope.tasks.aesthetics.result import Measurement

ANALYSIS_SIZE = 256
"""Long side (px) of the copy that layout, saliency and colour are measured on."""
DETAIL_SIZE = 512
"""Long side (px) of the copy that sharpness and noise are measured on (the viewing scale)."""
MIN_SIZE = 16


@dataclass
class PreparedImage:
    """The downscaled arrays that every measure reads."""

    rgb: np.ndarray
    """uint8 [h, w, 3] at ``ANALYSIS_SIZE``."""
    lab: np.ndarray
    """float32 CIELAB [h, w, 3] (L* 0..100) at ``ANALYSIS_SIZE``."""
    gray: np.ndarray
    """float32 luma 0..255 [h, w] at ``DETAIL_SIZE``."""
    width: int
    height: int
    """Size of the image as given (before any downscaling)."""


def _fit(image: Image.Image, long_side: int) -> Image.Image:
    scale = long_side / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


def prepare(image: Image.Image, original_size: tuple[int, int] | None = None) -> PreparedImage:
    """Downscaled RGB, Lab and grey copies of an RGB image.

    ``original_size`` is the size of the file when ``image`` was decoded at reduced scale (JPEG draft).
    """
    if min(image.size) < MIN_SIZE:
        raise InvalidInputError(
            f"The image is {image.width}x{image.height} px; aesthetic measures need at least "
            f"{MIN_SIZE} px on each side."
        )
    detail = _fit(image.convert("RGB"), DETAIL_SIZE)
    analysis = _fit(detail, ANALYSIS_SIZE)
    rgb = np.asarray(analysis, dtype=np.uint8)
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    gray = cv2.cvtColor(np.asarray(detail, dtype=np.uint8), cv2.COLOR_RGB2GRAY).astype(np.float32)
    width, height = original_size or image.size
    return PreparedImage(rgb=rgb, lab=lab, gray=gray, width=int(width), height=int(height))


def measure_image(image: Image.Image, original_size: tuple[int, int] | None = None) -> dict[str, Measurement]:
    """Every builtin measurement of one image, as a flat ``{key: Measurement}`` dict."""
    from artscope.tasks.aesthetics.measures import colour, composition, technical

    prepared = prepare(image, original_size)
    measurements: dict[str, Measurement] = {}
    for module in (composition, colour, technical):
        measurements.update(module.measure(prepared))
    return measurements


def m(value: float | str | list, unit: str, about: str) -> Measurement:
    """A measurement with floats rounded for display (4 significant decimals are plenty)."""
    if isinstance(value, float | np.floating):
        value = round(float(value), 4)
    elif isinstance(value, list):
        value = [round(float(v), 4) if isinstance(v, float | np.floating) else v for v in value]
    return Measurement(value=value, unit=unit, about=about)
