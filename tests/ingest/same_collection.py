"""Whether two collections built from the same sources hold the same thing: records, images and
passages (``crashtest.snapshot``), and the same vectors for each image, record, passage and image a
passage shows within float tolerance (row ids may differ between runs, so images are matched by
content hash, records and passages by id, passages' images by file name)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import artscope
from artscope.crashtest import consistency_problems, differences, snapshot
from artscope.embedders.base import Embedder
from artscope.embedders.registry import create_embedder
from artscope.index import IMAGES, PASSAGE_IMAGES, PASSAGES, RECORDS
from artscope.ingest.sources import SourceOptions


def _vectors(path: Path) -> dict[tuple[str, str], np.ndarray]:
    with artscope.open(path) as collection:
        catalog = collection.catalog
        hashes = {row["rowid"]: row["content_hash"] for row in catalog.conn.execute(
            "SELECT rowid, content_hash FROM views WHERE state = 'indexed'")}
        ids = catalog.ids_for_rowids(catalog.rowids_after("artworks", 0, 1 << 30))
        out = {("image", hashes[hit.id]): np.asarray(hit.vectors["image"])
               for hit in collection.index.scroll(IMAGES, vectors=["image"])}
        out |= {("tokens", hashes[hit.id]): np.asarray(hit.vectors["tokens"])
                for hit in collection.index.scroll(IMAGES, vectors=["tokens"])}
        out |= {("text", ids[hit.id]): np.asarray(hit.vectors["text"])
                for hit in collection.index.scroll(RECORDS, vectors=["text"])}
        passages = dict(catalog.conn.execute("SELECT rowid, id FROM passages").fetchall())
        out |= {("passage", passages[hit.id]): np.asarray(hit.vectors["text"])
                for hit in collection.index.scroll(PASSAGES, vectors=["text"])}
        files = dict(catalog.conn.execute("SELECT rowid, file FROM passage_images").fetchall())
        out |= {("passage image", files[hit.id]): np.asarray(hit.vectors["image"])
                for hit in collection.index.scroll(PASSAGE_IMAGES, vectors=["image"])}
        return out


def collection_differences(reference: Path, other: Path, atol: float = 1e-5) -> list[str]:
    """What differs between two collections (empty when they are the same); ``other``'s consistency
    problems (pending rows, points without rows) count as differences."""
    problems = differences(snapshot(reference), snapshot(other)) + consistency_problems(other)
    expected, got = _vectors(reference), _vectors(other)
    if set(expected) != set(got):
        problems.append(f"vectors of different items: {sorted(set(expected) ^ set(got))[:5]}")
    for key in sorted(set(expected) & set(got)):
        if expected[key].shape != got[key].shape or not np.allclose(expected[key], got[key], atol=atol):
            problems.append(f"the {key[0]} vector of {key[1]} differs")
    thumbs = [sorted(p.stat().st_size for p in (path / "thumbs").glob("*.jpg")) for path in (reference, other)]
    if thumbs[0] != thumbs[1]:
        problems.append(f"thumbnails differ: {len(thumbs[0])} against {len(thumbs[1])}")
    return problems


class DriverEmbeds:
    """Watches embedders of this process (the driver of a run): what they embed, texts and images, is
    listed in ``items``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.items: list[object] = []

    def __call__(self, embedder: Embedder) -> Embedder:
        for method in ("embed_texts", "embed_images"):
            self.monkeypatch.setattr(embedder, method, lambda items, real=getattr(embedder, method):
                                     self.items.extend(items) or real(items))
        return embedder


def check_a_wikipedia_dump_built_and_re_embedded(where: Path, astronomer: tuple[str, SourceOptions],
                                                 driver_embeds: DriverEmbeds, **stage: Any) -> None:
    """The knowledge corpus through a stage that embeds ahead (``stage``: ``workers`` or ``ray``): an article
    of a real enwiki excerpt, its paragraphs and the pictures they show, built by ``index`` and re-embedded by
    ``embed`` with another embedder, each the same as a one-process build with that embedder, and the
    driver embeds no text and no image."""
    dump, options = astronomer
    for name, spec in (("local", "builtin"), ("local-nostyle", "builtin:nostyle")):
        with artscope.create(where / name, embedder=spec) as collection:
            local = collection.ingest([dump], options=options, workers=1)
    with artscope.create(where / "staged") as collection:
        driver_embeds(collection.embedder)
        staged = collection.ingest([dump], options=options, **stage)
        shown = dict(collection.catalog.conn.execute("SELECT file, state FROM passage_images").fetchall())
    assert staged.passages == local.passages > 5 and staged.failed == 0
    assert shown == {"JohannesVermeer-TheAstronomer(1668).jpg": "indexed", "Galileo.arp.300pix.jpg": "missing",
                     "Br Guy in Lab.jpg": "missing", "Emily Lakdawalla at FameLab at LPSC 2013.jpg": "missing"}
    assert driver_embeds.items == []
    assert collection_differences(where / "local", where / "staged") == []
    with artscope.open(where / "staged") as collection:
        summary = collection.embed(driver_embeds(create_embedder("builtin:nostyle")), **stage)
    assert (summary.images, summary.passages) == (1, local.passages)
    assert driver_embeds.items == []
    assert collection_differences(where / "local-nostyle", where / "staged") == []
