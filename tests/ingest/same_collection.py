"""Whether two collections built from the same sources hold the same thing: records, images and
passages (``crashtest.snapshot``), and the same vectors for each image, record, passage and image a
passage shows within float tolerance (row ids may differ between runs, so images are matched by
content hash, records and passages by id, passages' images by file name)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import artscope
from artscope.crashtest import consistency_problems, differences, snapshot
from artscope.index import IMAGES, PASSAGE_IMAGES, PASSAGES, RECORDS


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
