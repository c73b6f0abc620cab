"""A small real collection for composed search, dialogue and facets: sixteen works of the bundled
sample collection (with its free-text and provenance columns: caption, origin, source) plus, for four
of them, a copy of the same picture darkened as at night, catalogued as another work of the same
kind. Built once per session; the tests only read it."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from artscope.collection import Collection

IDS = ("eiffel-tower", "notre-dame-de-paris", "colosseum", "arles-amphitheatre", "pont-du-gard",
       "neuschwanstein-castle", "egeskov-castle", "nagoya-castle", "castle-clinton", "taj-mahal", "charminar",
       "statue-of-liberty", "bent-pyramid", "van-gogh-the-harvest", "van-gogh-cafe-terrace-at-night",
       "van-gogh-church-at-auvers-sur-oise")
AT_NIGHT = ("eiffel-tower", "colosseum", "neuschwanstein-castle", "van-gogh-the-harvest")
"""Works that get a darkened copy, ``<id>-at-night``."""


def darken(image: Image.Image) -> Image.Image:
    """The picture as at night: much darker, with a blue cast."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    night = (pixels ** 2.2) * np.array([0.45, 0.5, 0.75], dtype=np.float32)
    return Image.fromarray(np.clip(night * 255, 0, 255).astype(np.uint8))


@pytest.fixture(scope="session")
def night_folder(tmp_path_factory: pytest.TempPathFactory, sample_collection_dir: Path) -> Path:
    root = tmp_path_factory.mktemp("night-source")
    (root / "images").mkdir()
    with (sample_collection_dir / "catalog.csv").open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        columns = list(reader.fieldnames or [])
        rows = {row["id"]: row for row in reader if row["id"] in IDS}
    with (root / "catalog.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for artwork_id in IDS:
            row = rows[artwork_id]
            with Image.open(sample_collection_dir / row["file"]) as image:
                small = image.convert("RGB").resize((200, 200 * image.height // image.width))
            small.save(root / row["file"], quality=90)
            writer.writerow(row)
            if artwork_id in AT_NIGHT:
                night_file = f"images/{artwork_id}-at-night.jpg"
                darken(small).save(root / night_file, quality=90)
                writer.writerow(row | {"id": f"{artwork_id}-at-night", "file": night_file,
                                       "title": f"{row['title']} by night", "description": "",
                                       "caption": f"{row['caption']} (night)"})
    return root


@pytest.fixture(scope="session")
def night_collection(tmp_path_factory: pytest.TempPathFactory, night_folder: Path) -> Iterator[Collection]:
    """The works indexed with the builtin embedder; open for the whole session, read-only."""
    import artscope

    path = tmp_path_factory.mktemp("night-built") / "collection"
    with artscope.create(path) as collection:
        summary = collection.ingest([str(night_folder)])
        assert summary.added == len(IDS) + len(AT_NIGHT) and summary.failed == 0
        yield collection
    shutil.rmtree(path, ignore_errors=True)
