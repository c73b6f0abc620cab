"""A labelled synthetic collection, built and trained once per session and copied per test.

120 artworks whose artist, style and genre are drawn into their pixels (``artscope.testing``), with
every 10th record's style left blank (missing labels) and one artwork of a genre nobody else has
(a class with one example). The builtin embedder is created once and shared by every collection.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from artscope.testing import copy_collection

N_ARTWORKS = 120
RARE_GENRE = "seascape"


def _label_catalogue(folder: Path) -> None:
    path = folder / "catalog.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for i, row in enumerate(rows):
        if i % 10 == 5:
            row["style"] = ""
    rows[7]["genre"] = RARE_GENRE
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="session")
def builtin_embedder():
    """One builtin embedder for every collection of these tests (its models load once)."""
    from artscope.embedders.registry import create_embedder

    return create_embedder("builtin")


@pytest.fixture(scope="session")
def labelled_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from artscope.testing import write_synthetic_folder

    folder = tmp_path_factory.mktemp("labelled")
    write_synthetic_folder(folder, n=N_ARTWORKS, with_passages=False)
    _label_catalogue(folder)
    return folder


@pytest.fixture(scope="session")
def untrained_dir(tmp_path_factory: pytest.TempPathFactory, labelled_folder: Path, builtin_embedder) -> Path:
    """The labelled collection, indexed, without a head (tests only read it)."""
    import artscope

    path = tmp_path_factory.mktemp("untrained") / "collection"
    with artscope.create(path, embedder=builtin_embedder) as collection:
        collection.ingest([str(labelled_folder)])
    return path


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory, untrained_dir: Path, builtin_embedder):
    """(directory, training report) of the labelled collection with its attributes head."""
    import artscope
    from artscope.tasks.attributes import train

    path = tmp_path_factory.mktemp("trained") / "collection"
    copy_collection(untrained_dir, path)
    with artscope.open(path, embedder=builtin_embedder) as collection:
        report = train(collection)
    return path, report


# An index on disk is large (its write-ahead logs are preallocated), so copies are kept for the
# tests that write; the others share one open collection per module and only read it.
@pytest.fixture(scope="module")
def trained_collection(trained, builtin_embedder) -> Iterator:
    """The trained collection, for tests that only read it."""
    import artscope

    with artscope.open(trained[0], embedder=builtin_embedder) as collection:
        yield collection


@pytest.fixture(scope="module")
def untrained_collection(untrained_dir: Path, builtin_embedder) -> Iterator:
    """The labelled collection without a head, for tests that only read it."""
    import artscope

    with artscope.open(untrained_dir, embedder=builtin_embedder) as collection:
        yield collection


@pytest.fixture()
def writable_collection(trained, tmp_path: Path, builtin_embedder) -> Iterator:
    """A copy of the trained collection that the test may change."""
    import artscope

    path = tmp_path / "collection"
    copy_collection(trained[0], path)
    with artscope.open(path, embedder=builtin_embedder) as collection:
        yield collection
