"""A manifest whose images cannot be fetched keeps its record, says so, and fetches them on a later run
(a real HTTP server on 127.0.0.1 serving the IIIF Cookbook's book manifest and, later, its images)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

import artscope
from artscope.index import IMAGES, RECORDS

COOKBOOK = "https://iiif.io/api/cookbook/recipe"
IMAGE_SERVER = "https://iiif.io/api/image/3.0/example/reference"


def test_images_that_cannot_be_fetched_wait_for_a_later_run(http_root: tuple[Path, str], data_dir: Path,
                                                             tmp_path: Path) -> None:
    root, base = http_root
    text = (data_dir / "iiif/cookbook/0009-book-1/manifest.json").read_text(encoding="utf-8")
    (root / "manifest.json").write_text(text.replace(COOKBOOK, f"{base}/recipe").replace(IMAGE_SERVER, f"{base}/iiif"))
    with artscope.create(tmp_path / "c") as collection:
        first = collection.ingest([f"{base}/manifest.json"])
        assert (first.added, first.failed, first.images_indexed) == (1, 0, 0)
        [warning] = first.warnings
        assert "5 of 5 images could not be read" in warning.error and "404" in warning.error
        assert "ingesting this source again tries them again" in warning.error
        [record] = list(collection.catalog.iter_records())
        assert record.title == "Simple Manifest - Book" and record.views == []
        waiting = collection.catalog.failed_views(record.id)
        assert len(waiting) == 5 and all(uri.startswith(f"{base}/iiif/") for uri, _ in waiting)
        assert collection.index.count(RECORDS) == 1 and collection.index.count(IMAGES) == 0
        for number, (uri, _) in enumerate(waiting):  # the image server comes back
            path = root / uri.removeprefix(f"{base}/")
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (64, 48), (40 * number, 90, 30)).save(path, "JPEG")
        second = collection.ingest([f"{base}/manifest.json"])
        assert (second.unchanged, second.images_indexed, second.warnings) == (1, 5, [])
        views = collection.catalog.get(record.id).views
        assert [v.label for v in views] == ["Blank page", "Frontispiece", "Title page", "Blank page", "Bookplate"]
        assert collection.catalog.failed_views(record.id) == [] and collection.index.count(IMAGES) == 5
