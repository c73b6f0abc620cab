"""Tiny collections for tests and examples, generated so that the right answers are known.

Every image is drawn from three independent, visible factors, each tied to a catalogue field:
the *artist* sets the palette (hue family), the *style* sets the texture (stripes, dots,
smooth gradient, checks) and the *genre* sets the layout (a landscape's horizon band, a
portrait's central figure, a still life's low cluster). Titles and descriptions name them in
words, so text search, image search and attribute heads all have a ground truth.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ARTISTS = {  # artist -> (hue family name, base RGB)
    "Ada Rossi": ("red", (200, 40, 35)),
    "Ben Blau": ("blue", (35, 60, 200)),
    "Cai Verde": ("green", (40, 160, 60)),
    "Dora Gold": ("yellow", (225, 190, 40)),
}
STYLES = ("stripes", "dots", "smooth", "checks")
GENRES = ("landscape", "portrait", "still life")


@dataclass(frozen=True)
class SyntheticArtwork:
    id: str
    artist: str
    style: str
    genre: str
    year: int
    file: str

    @property
    def colour(self) -> str:
        return ARTISTS[self.artist][0]

    @property
    def title(self) -> str:
        return f"{self.genre.title()} in {self.colour} no. {self.id.rsplit('-', 1)[-1]}"

    @property
    def description(self) -> str:
        return (f"A {self.genre} painted in {self.colour} tones with a {self.style} texture, "
                f"by {self.artist}.")


def _texture(style: str, size: int, rng: np.random.Generator) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    period = rng.uniform(7, 11)
    if style == "stripes":
        return 0.5 + 0.5 * np.sign(np.sin((x + y) * np.pi / period))
    if style == "dots":
        return ((np.sin(x * np.pi / period) * np.sin(y * np.pi / period)) > 0.5).astype(np.float32)
    if style == "checks":
        return ((np.floor(x / period) + np.floor(y / period)) % 2).astype(np.float32)
    return (x + y) / (2 * size)  # smooth gradient


def draw_artwork(art: SyntheticArtwork, size: int = 96, seed: int = 0) -> Image.Image:
    """The image of one synthetic artwork (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    base = np.array(ARTISTS[art.artist][1], dtype=np.float32) * rng.uniform(0.85, 1.1)
    texture = _texture(art.style, size, rng)[..., None]
    pixels = base * (0.55 + 0.45 * texture) + rng.normal(0, 6, (size, size, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    dark = tuple(int(c * 0.3) for c in ARTISTS[art.artist][1])
    light = (240, 235, 220)
    if art.genre == "landscape":
        horizon = int(size * rng.uniform(0.3, 0.4))
        draw.rectangle([0, 0, size, horizon], fill=light)
    elif art.genre == "portrait":
        w = size * rng.uniform(0.22, 0.3)
        draw.ellipse([size / 2 - w, size * 0.15, size / 2 + w, size * 0.85], fill=dark)
    else:
        for _ in range(3):
            cx, r = rng.uniform(0.25, 0.75) * size, size * 0.12
            draw.ellipse([cx - r, size * 0.62, cx + r, size * 0.62 + 2 * r], fill=dark)
    return image


def synthetic_artworks(n: int, seed: int = 0) -> list[SyntheticArtwork]:
    """``n`` artworks cycling through every (artist, style, genre) combination."""
    rng = np.random.default_rng(seed)
    artists = list(ARTISTS)
    items = []
    for i in range(n):
        artist = artists[i % len(artists)]
        style = STYLES[(i // len(artists)) % len(STYLES)]
        genre = GENRES[(i // (len(artists) * len(STYLES))) % len(GENRES)]
        year = 1800 + 40 * artists.index(artist) + int(rng.integers(0, 30))
        items.append(SyntheticArtwork(id=f"art-{i:04d}", artist=artist, style=style, genre=genre, year=year,
                                      file=f"images/art-{i:04d}.png"))
    return items


def write_synthetic_folder(root: Path, n: int = 48, seed: int = 0, size: int = 96,
                           with_passages: bool = True) -> list[SyntheticArtwork]:
    """A folder of images with ``catalog.csv`` (and ``passages.jsonl``), as a museum would export it."""
    root = Path(root)
    (root / "images").mkdir(parents=True, exist_ok=True)
    items = synthetic_artworks(n, seed)
    for i, art in enumerate(items):
        draw_artwork(art, size=size, seed=seed * 100_003 + i).save(root / art.file)
    with (root / "catalog.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "file", "title", "artist", "date", "type", "style", "genre", "description"])
        for art in items:
            writer.writerow([art.id, art.file, art.title, art.artist, str(art.year), "painting", art.style,
                             art.genre, art.description])
    if with_passages:
        with (root / "passages.jsonl").open("w", encoding="utf-8") as f:
            for art in items[:: max(1, n // 8)]:
                text = (f"{art.title} was painted by {art.artist} in {art.year}. Its {art.style} surface "
                        f"and {art.colour} palette are typical of the workshop.")
                f.write(json.dumps({"id": f"{art.id}-p1", "artwork_id": art.id, "text": text,
                                    "source": "synthetic wall text"}) + "\n")
    return items


def _copy_sparse(source: str, target: str) -> None:
    """Copy a file writing only its data extents: holes stay holes."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        size = os.fstat(src.fileno()).st_size
        offset = 0
        while offset < size:
            try:
                start = os.lseek(src.fileno(), offset, os.SEEK_DATA)
                end = os.lseek(src.fileno(), start, os.SEEK_HOLE)
            except OSError:  # no more data (ENXIO), or a file system without hole reporting
                break
            src.seek(start)
            dst.seek(start)
            dst.write(src.read(end - start))
            offset = end
        dst.truncate(size)
    shutil.copystat(source, target)


def copy_collection(source: Path, target: Path) -> Path:
    """Copy a closed collection directory. Qdrant Edge preallocates its write-ahead log as sparse
    64 MiB per index space; ``shutil.copytree`` would write those zeros out (456 MB a collection),
    this copy keeps them sparse (about 1 MB for an empty collection)."""
    shutil.copytree(source, target, copy_function=_copy_sparse)
    return Path(target)


def claimed_size_png(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header claims ``width`` x ``height`` (a decompression bomb's shape)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
            + chunk(b"IEND", b""))


def sample_subset(sample_dir: Path, root: Path, ids: tuple[str, ...], width: int
                  ) -> tuple[list[str], list[dict[str, str]]]:
    """Works ``ids`` of a sample collection (``catalog.csv`` + images) for a small test collection at
    ``root``: each picture shrunk to ``width`` px wide and saved under its catalogue path there; returns
    the catalogue's columns and the works' rows, in the order of ``ids`` (writing the catalogue is the
    caller's: tests add fields and works of their own)."""
    with (sample_dir / "catalog.csv").open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        by_id = {row["id"]: row for row in reader if row["id"] in ids}
        columns = list(reader.fieldnames or [])
    (root / "images").mkdir(parents=True, exist_ok=True)
    for artwork_id in ids:
        file = by_id[artwork_id]["file"]
        with Image.open(sample_dir / file) as image:
            image.convert("RGB").resize((width, width * image.height // image.width)).save(root / file, quality=90)
    return columns, [by_id[artwork_id] for artwork_id in ids]
