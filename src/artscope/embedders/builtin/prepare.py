"""The working copy every builtin feature is computed on: small, in CIE Lab, with its gradients.

Features of art (palette, light, brushwork, layout) survive downscaling to a few hundred pixels,
and computing them there is what makes the builtin embedder fast enough to index on a laptop.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

WORK_SIDE = 256
"""Longest side of the working copy (texture); colour uses half of it."""
MIN_SIDE = 32
"""Shortest side after resizing: tiny or extreme-aspect images are stretched up to this."""
GRID = 4
"""Tiles per side of the fixed grid behind the token vectors and the layout blocks."""


@dataclass
class Planes:
    """One image at one scale, in the forms the feature blocks read."""

    rgb: np.ndarray
    """[H, W, 3] float32 in [0, 1]."""
    lab: np.ndarray
    """[H, W, 3] float32: L in [0, 100], a and b roughly in [-100, 100]."""
    gx: np.ndarray
    """[H, W] float32 horizontal Sobel derivative of L."""
    gy: np.ndarray
    """[H, W] float32 vertical Sobel derivative of L."""
    magnitude: np.ndarray
    """[H, W] float32 gradient magnitude of L."""
    orientation: np.ndarray
    """[H, W] float32 unsigned gradient orientation in [0, pi)."""
    tiles: np.ndarray
    """[H*W] int64 index of each pixel's cell in the GRID x GRID grid (row-major)."""

    @property
    def lightness(self) -> np.ndarray:
        return self.lab[..., 0]


def working_size(width: int, height: int, side: int = WORK_SIDE) -> tuple[int, int]:
    """Target size with the longest side ``side`` and both sides at least MIN_SIDE."""
    scale = side / max(width, height)
    return (int(np.clip(round(width * scale), MIN_SIDE, side)),
            int(np.clip(round(height * scale), MIN_SIDE, side)))


def working_copy(image: Image.Image, side: int = WORK_SIDE) -> Image.Image:
    """An RGB copy with the longest side ``side``: box filter down (antialiased and fast), up for tiny."""
    if image.mode != "RGB":
        image = image.convert("RGB")
    size = working_size(image.width, image.height, side)
    if size == image.size:
        return image
    if image.width >= 2 * size[0] and image.height >= 2 * size[1]:
        # reduce() is an integer box average: a much cheaper first step for large inputs
        factor = min(image.width // size[0], image.height // size[1])
        image = image.reduce(factor)
    return image.resize(size, Image.BOX)


def planes_from_rgb(rgb: np.ndarray) -> Planes:
    """Lab conversion, Sobel gradients of L and the grid cell of each pixel."""
    rgb = np.ascontiguousarray(rgb, dtype=np.float32)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)
    lightness = lab[..., 0]
    gx = cv2.Sobel(lightness, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(lightness, cv2.CV_32F, 0, 1, ksize=3)
    magnitude, angle = cv2.cartToPolar(gx, gy)
    orientation = np.mod(angle, np.pi).astype(np.float32)
    height, width = lightness.shape
    rows = np.arange(height) * GRID // height
    cols = np.arange(width) * GRID // width
    tiles = (rows[:, None] * GRID + cols[None, :]).reshape(-1).astype(np.int64)
    return Planes(rgb=rgb, lab=lab, gx=gx, gy=gy, magnitude=magnitude, orientation=orientation, tiles=tiles)


def image_planes(image: Image.Image) -> tuple[Planes, Planes]:
    """The full working scale (texture, edges) and the half scale (colour, layout, second texture scale)."""
    full = working_copy(image)
    rgb = np.asarray(full).astype(np.float32) * np.float32(1 / 255)
    half_size = (max(full.width // 2, MIN_SIDE // 2), max(full.height // 2, MIN_SIDE // 2))
    half = cv2.resize(rgb, half_size, interpolation=cv2.INTER_AREA)
    return planes_from_rgb(rgb), planes_from_rgb(half)
