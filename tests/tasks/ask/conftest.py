"""A small real collection for the ask tests: ten works of the bundled sample collection (four Van
Goghs, six monuments) with their passages, shrunk images, and catalogue fields the sample lacks (medium,
dimensions, institution, subjects, style, inscription, language), so every question kind has an answer
to find. Built once per session; the tests only read it."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from artscope.collection import Collection
from artscope.testing import sample_subset

IDS = ("van-gogh-cafe-terrace-at-night", "van-gogh-the-night-cafe", "van-gogh-the-harvest",
       "van-gogh-portrait-of-pere-tanguy", "colosseum", "eiffel-tower", "charminar", "bent-pyramid",
       "taj-mahal", "great-wall-of-china")
EXTRA_COLUMNS = ("medium", "dimensions", "institution", "subjects", "style", "inscription", "language")
EXTRA = {
    "van-gogh-cafe-terrace-at-night": {
        "place": "Arles, France", "medium": "oil on canvas", "dimensions": "80.7 × 65.3 cm",
        "institution": "Kröller-Müller Museum", "subjects": "café terrace|night sky|stars",
        "style": "Post-Impressionism"},
    "van-gogh-the-night-cafe": {"medium": "oil on canvas", "institution": "Yale University Art Gallery",
                                "subjects": "billiard table|interior|lamps", "inscription": "Le café de nuit",
                                "language": "French"},
}
CAFE = "van-gogh-cafe-terrace-at-night"


@pytest.fixture(scope="session")
def ask_folder(tmp_path_factory: pytest.TempPathFactory, sample_collection_dir: Path) -> Path:
    """catalog.csv, passages.jsonl and images (at most 160 px) for the ten works."""
    root = tmp_path_factory.mktemp("ask-source")
    _, rows = sample_subset(sample_collection_dir, root, IDS, width=160)
    columns = ["id", "file", "title", "artist", "date", "type", "place", "description", "license", "credit",
               *EXTRA_COLUMNS]
    with (root / "catalog.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({**row, **EXTRA.get(row["id"], {})} for row in rows)
    with (sample_collection_dir / "passages.jsonl").open(encoding="utf-8") as src, \
            (root / "passages.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(line for line in src if json.loads(line)["artwork_id"] in IDS)
    return root


@pytest.fixture(scope="session")
def ask_collection(tmp_path_factory: pytest.TempPathFactory, ask_folder: Path) -> Iterator[Collection]:
    """The ten works, indexed with the builtin embedder; open for the whole session, read-only."""
    import artscope

    path = tmp_path_factory.mktemp("ask-built") / "collection"
    with artscope.create(path) as collection:
        summary = collection.ingest([str(ask_folder)])
        assert summary.added == len(IDS) and summary.failed == 0
        yield collection
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def cafe_image(ask_folder: Path) -> Path:
    """The very file the collection holds for Cafe Terrace at Night."""
    return ask_folder / "images" / f"{CAFE}.jpg"
