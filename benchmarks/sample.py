"""The sample collection the question, composed-search and dialogue benchmarks run on: built from
the package's sample folder in a temporary folder, or opened where ``--collection`` names one."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import artscope
from artscope.demo import SAMPLE_COLLECTION


@contextmanager
def sample_collection(path: Path | None) -> Iterator[artscope.Collection]:
    """The collection at ``path``, or the sample collection ingested into a temporary folder (removed
    afterwards); open while the block runs."""
    with tempfile.TemporaryDirectory() as tmp:
        if path is None:
            collection = artscope.create(Path(tmp) / "sample")
            collection.ingest([str(SAMPLE_COLLECTION)])
        else:
            collection = artscope.open(path)
        with collection:
            yield collection
