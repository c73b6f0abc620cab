"""Synthetic images whose aesthetic measurements are known by construction, and a scored dataset in
AVA's published layout with a planted relation, for tests, benchmarks and examples (no downloads).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

Colour = tuple[int, int, int]


def disc_image(
    size: tuple[int, int] = (600, 400),
    centre: tuple[float, float] = (0.5, 0.5),
    radius: float = 0.1,
    background: Colour = (205, 200, 190),
    colour: Colour = (30, 40, 120),
) -> Image.Image:
    """A flat background with one disc; ``centre`` as fractions of width and height, ``radius`` of height."""
    width, height = size
    image = Image.new("RGB", size, background)
    cx, cy, r = centre[0] * width, centre[1] * height, radius * height
    ImageDraw.Draw(image).ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    return image


def horizon_image(
    size: tuple[int, int] = (600, 400),
    horizon: float = 2 / 3,
    sky: Colour = (120, 170, 230),
    ground: Colour = (70, 110, 50),
) -> Image.Image:
    """Sky above, ground below a straight horizon at ``horizon`` (fraction of the height from the top)."""
    image = Image.new("RGB", size, sky)
    ImageDraw.Draw(image).rectangle([0, round(horizon * size[1]), size[0], size[1]], fill=ground)
    return image


def split_image(
    size: tuple[int, int] = (600, 400), left: Colour = (230, 60, 20), right: Colour = (20, 130, 230)
) -> Image.Image:
    """Two colours side by side (a complementary pair by default: orange-red and azure)."""
    image = Image.new("RGB", size, left)
    ImageDraw.Draw(image).rectangle([size[0] // 2, 0, size[0], size[1]], fill=right)
    return image


def texture_image(size: tuple[int, int] = (512, 384), seed: int = 0, blur: float = 0.0) -> Image.Image:
    """Detailed random texture (many edges); ``blur`` (px, Gaussian) softens it."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (size[1] // 4, size[0] // 4, 3), dtype=np.uint8)
    image = Image.fromarray(coarse).resize(size, Image.Resampling.NEAREST)
    return image.filter(ImageFilter.GaussianBlur(blur)) if blur > 0 else image


def add_noise(image: Image.Image, sigma: float, seed: int = 0) -> Image.Image:
    """The image with white Gaussian noise of standard deviation ``sigma`` grey levels (same on R, G, B)."""
    pixels = np.asarray(image, dtype=np.float32)
    noise = np.random.default_rng(seed).normal(0, sigma, pixels.shape[:2])[..., None]
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))


def planted_score(blur: float) -> float:
    """The planted truth of ``write_planted_ava``: the mean vote falls by one per pixel of blur."""
    return 7.5 - blur


def write_planted_ava(
    root: Path, n: int = 40, seed: int = 0, size: int = 96, test_share: float = 0.3
) -> dict[str, float]:
    """An AVA-layout dataset (``AVA.txt``, split lists, ``images/<id>.jpg``) whose mean votes follow
    ``planted_score`` of each image's blur. Returns image id -> planted mean score."""
    rng = np.random.default_rng(seed)
    root = Path(root)
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "aesthetics_image_lists").mkdir(exist_ok=True)
    lines, truth = [], {}
    for index in range(n):
        image_id = str(100000 + index)
        blur = float(rng.uniform(0, 4))
        picture = texture_image((size, size), seed=seed * 1000 + index, blur=blur)
        picture.save(root / "images" / f"{image_id}.jpg", quality=95)
        mean = planted_score(blur)
        weights = np.exp(-0.5 * ((np.arange(1, 11) - mean) / 1.2) ** 2)
        votes = np.round(200 * weights / weights.sum()).astype(int)
        truth[image_id] = float(votes @ np.arange(1, 11) / votes.sum())
        lines.append(f"{index + 1} {image_id} {' '.join(map(str, votes))} 0 0 1")
    (root / "AVA.txt").write_text("\n".join(lines) + "\n")
    ids = list(truth)
    cut = round(n * (1 - test_share))
    (root / "aesthetics_image_lists" / "generic_ls_train.jpgl").write_text("\n".join(ids[:cut]) + "\n")
    (root / "aesthetics_image_lists" / "generic_test.jpgl").write_text("\n".join(ids[cut:]) + "\n")
    return truth
