"""Composed search on the sample collection: do the change words do real work?

Every work of the sample collection is the reference image once, with each change ("the same, but at
night", "... in black and white", ...). For the top 5 results the benchmark measures, from the image
files themselves (its own measurements, not the engine's), the property the change asks for, and the
share of results of the reference's own kind (record ``type``). It compares the composed query with
the reference image alone: a change that works moves the property the asked way while the results stay
of the same kind.

    python benchmarks/composed.py                     # builds the sample collection in a temporary folder
    python benchmarks/composed.py --collection DIR    # reuses one built from src/artscope/demo/sample-collection
"""

from __future__ import annotations

import argparse
import functools
import statistics
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from sample import sample_collection

import artscope
from artscope.demo import SAMPLE_COLLECTION

TOP = 5


@functools.cache
def _lab(artwork_id: str) -> tuple[np.ndarray, float]:
    """The image at 256 px as Lab (L 0..100), and its width / height."""
    with Image.open(SAMPLE_COLLECTION / "images" / f"{artwork_id}.jpg") as image:
        picture = image.convert("RGB")
    aspect = picture.width / picture.height
    picture.thumbnail((256, 256))
    rgb = np.asarray(picture).astype(np.float32) / 255.0
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab), aspect


def lightness(artwork_id: str) -> float:
    return float(_lab(artwork_id)[0][..., 0].mean())


def chroma(artwork_id: str) -> float:
    lab = _lab(artwork_id)[0]
    return float(np.hypot(lab[..., 1], lab[..., 2]).mean())


def white(artwork_id: str) -> float:
    """Share of bright, nearly neutral pixels (snow, white stone, overcast sky)."""
    lab = _lab(artwork_id)[0]
    return float(((lab[..., 0] > 75) & (np.hypot(lab[..., 1], lab[..., 2]) < 12)).mean())


def warmth(artwork_id: str) -> float:
    lab = _lab(artwork_id)[0]
    return float(lab[..., 1].mean() + lab[..., 2].mean())


def hue_share(low: float, high: float) -> Callable[[str], float]:
    def share(artwork_id: str) -> float:
        lab = _lab(artwork_id)[0]
        hue = np.degrees(np.arctan2(lab[..., 2], lab[..., 1])) % 360
        return float(((hue >= low) & (hue < high) & (np.hypot(lab[..., 1], lab[..., 2]) > 15)).mean())
    return share


def aspect(artwork_id: str) -> float:
    return _lab(artwork_id)[1]


def edges(artwork_id: str) -> float:
    grey = np.clip(_lab(artwork_id)[0][..., 0] * 2.55, 0, 255).astype(np.uint8)
    return float((cv2.Canny(grey, 60, 150) > 0).mean())


CHANGES: list[tuple[str, str, Callable[[str], float], int]] = [
    ("the same, but at night", "mean L*", lightness, -1),
    ("the same, but bright and high-key", "mean L*", lightness, +1),
    ("the same, in snow in winter", "share of bright neutral pixels", white, +1),
    ("the same, in black and white", "mean chroma", chroma, -1),
    ("the same, at sunset", "mean a* + b*", warmth, +1),
    ("the same, but blue", "share of blue pixels", hue_share(225, 300), +1),
    ("the same, but red", "share of red pixels", hue_share(0, 50), +1),
    ("the same, but vertical", "width / height", aspect, -1),
    ("the same, but crowded and busy", "edge density", edges, +1),
]
"""(change words, the property, its measure, the direction the change asks for)."""


def top(collection: artscope.Collection, reference: str, text: str | None) -> list[str]:
    image = SAMPLE_COLLECTION / "images" / f"{reference}.jpg"
    hits = collection.search(text, image=image, limit=TOP + 1).hits
    return [h.artwork.id for h in hits if h.artwork.id != reference][:TOP]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", type=Path, help="a collection built from the sample collection")
    args = parser.parse_args()
    with sample_collection(args.collection) as collection:
        records = list(collection.catalog.iter_records())
        kinds = {r.id: r.type for r in records}
        alone = {r.id: top(collection, r.id, None) for r in records}
        print(f"| change | property | image alone (top {TOP}) | composed (top {TOP}) | moved the asked way "
              "(references) | same kind, image alone | same kind, composed |")
        print("|---|---|---|---|---|---|---|")
        for text, name, measure, sign in CHANGES:
            before, after, moved, kind_before, kind_after = [], [], 0, [], []
            for record in records:
                composed = top(collection, record.id, text)
                b = statistics.mean(measure(i) for i in alone[record.id])
                a = statistics.mean(measure(i) for i in composed)
                before.append(b)
                after.append(a)
                moved += (a - b) * sign > 0
                kind_before.append(statistics.mean(kinds[i] == record.type for i in alone[record.id]))
                kind_after.append(statistics.mean(kinds[i] == record.type for i in composed))
            print(f"| {text} | {name} | {statistics.mean(before):.3f} | {statistics.mean(after):.3f} | "
                  f"{moved}/{len(records)} | {statistics.mean(kind_before):.2f} | "
                  f"{statistics.mean(kind_after):.2f} |")


if __name__ == "__main__":
    main()
