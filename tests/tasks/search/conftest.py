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
from artscope.testing import sample_subset

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
    columns, rows = sample_subset(sample_collection_dir, root, IDS, width=200)
    with (root / "catalog.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            if row["id"] in AT_NIGHT:
                night_file = f"images/{row['id']}-at-night.jpg"
                with Image.open(root / row["file"]) as small:
                    darken(small).save(root / night_file, quality=90)
                writer.writerow(row | {"id": f"{row['id']}-at-night", "file": night_file,
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
