"""Worker processes that read, decode and embed ahead of the writer build the collection a single process
builds; past two workers they embed the texts and the images passages show too, and the writer nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from same_collection import DriverEmbeds, check_a_wikipedia_dump_built_and_re_embedded, collection_differences

import artscope
from artscope.embedders.registry import create_embedder
from artscope.errors import InvalidInputError
from artscope.ingest.sources import SourceOptions
from artscope.ingest.stages import PARALLEL_FROM, default_workers
from artscope.testing import copy_collection


def test_two_workers_build_what_one_process_builds(tmp_path: Path, sources: list[str], one_process: Path,
                                                   driver_embeds: DriverEmbeds) -> None:
    with artscope.create(tmp_path / "c") as collection:
        driver_embeds(collection.embedder)
        first = collection.ingest(sources, workers=2)
        again = collection.ingest(sources, workers=2)
    assert first.images_indexed == 12 and first.failed == 0 and first.passages > 0
    assert driver_embeds.items and all(isinstance(item, str) for item in driver_embeds.items)  # texts only
    assert again.images_indexed == 0 and again.unchanged == first.added
    assert collection_differences(one_process, tmp_path / "c") == []


def test_a_negative_worker_count_is_refused(tmp_path: Path, sources: list[str]) -> None:
    with artscope.create(tmp_path / "c") as collection, pytest.raises(InvalidInputError, match="workers"):
        collection.ingest(sources, workers=-1)


def test_a_re_embedding_with_workers_builds_what_an_ingest_with_that_embedder_builds(
        tmp_path: Path, one_process: Path, one_process_nostyle: Path, driver_embeds: DriverEmbeds) -> None:
    """Three workers: they embed the images, records and passages, the driver nothing."""
    copy_collection(one_process, tmp_path / "moved")
    with artscope.open(tmp_path / "moved") as collection:
        summary = collection.embed(driver_embeds(create_embedder("builtin:nostyle")), workers=3)
    assert summary.images == 12 and summary.records > 0 and summary.passages > 0
    assert driver_embeds.items == []
    assert collection_differences(one_process_nostyle, tmp_path / "moved") == []


def test_a_wikipedia_dump_through_workers_builds_and_re_embeds_what_one_process_builds(
        tmp_path: Path, astronomer: tuple[str, SourceOptions], driver_embeds: DriverEmbeds) -> None:
    """The knowledge corpus through three worker processes: the driver embeds no text and no image."""
    check_a_wikipedia_dump_built_and_re_embedded(tmp_path, astronomer, driver_embeds, workers=3)


def test_by_default_workers_start_only_for_long_runs_on_machines_of_more_than_two_cores() -> None:
    assert default_workers(PARALLEL_FROM, cores=4, rebuildable=True) == 4
    assert default_workers(PARALLEL_FROM, cores=2, rebuildable=True) == 1  # one process keeps 1.6 cores busy
    assert default_workers(PARALLEL_FROM - 1, cores=4, rebuildable=True) == 1
    assert default_workers(PARALLEL_FROM, cores=4, rebuildable=False) == 1
