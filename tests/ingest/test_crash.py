"""Kill -9 at chosen points (artscope.faults), then the same command again: the collection is
consistent (catalog against index, artwork by artwork and view by view) and equal to an
uninterrupted run. A few points here; every point in the slow test and in
benchmarks/kill_campaign.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import artscope
from artscope.crashtest import INGEST, OPTIMIZE, REEMBED, Campaign, consistency_problems, run_command, spread

CI_POINTS = [("create.manifest", 1), ("ingest.item.written", 9), ("index.views.upserted", 2)]


@pytest.fixture(scope="module")
def ingest_campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Campaign]:
    yield Campaign(tmp_path_factory.mktemp("campaign"), INGEST)


def test_the_points_of_creation_and_ingest_are_all_passed(ingest_campaign: Campaign) -> None:
    arrivals = ingest_campaign.arrivals
    assert {"create.folder", "create.index", "create.manifest", "create.renamed", "ingest.item.written",
            "ingest.batch.committed", "index.views.upserted", "index.records.marked",
            "index.passages.marked"} <= set(arrivals)
    assert arrivals["ingest.item.written"] == 6 + 8 + 6 + 4  # images, records, wall texts, texts
    assert set(CI_POINTS) <= set(ingest_campaign.points())


@pytest.mark.parametrize(("point", "arrival"), CI_POINTS)
def test_a_kill_then_the_same_command_again(ingest_campaign: Campaign, point: str, arrival: int) -> None:
    result = ingest_campaign.kill_and_resume(point, arrival)
    assert result.killed and result.problems == []


def test_the_checks_see_a_point_missing_a_row_changed_and_an_artwork_lost(ingest_campaign: Campaign,
                                                                           tmp_path: Path) -> None:
    from artscope.crashtest import differences, snapshot
    from artscope.index import IMAGES
    from artscope.testing import copy_collection

    broken = copy_collection(ingest_campaign.reference, tmp_path / "broken")
    assert consistency_problems(broken) == [] and differences(ingest_campaign.expected, snapshot(broken)) == []
    with artscope.open(broken) as collection:
        view = collection.catalog.get("art-0001").views[0].id
        collection.index.delete(IMAGES, [view])
        collection.catalog.conn.execute("UPDATE artworks SET title = 'changed' WHERE id = 'r3'")
        collection.catalog.conn.execute("DELETE FROM artworks WHERE id = 'r5'")
    assert f"images: rows without a point: [{view}]" in consistency_problems(broken)
    found = differences(ingest_campaign.expected, snapshot(broken))
    assert "artworks differ: missing ['r5'], extra []" in found and "artwork r3 differs" in found


def test_a_kill_during_creation_leaves_no_collection_and_no_blocked_directory(tmp_path: Path) -> None:
    target = tmp_path / "museum"
    assert run_command(INGEST, target, [], kill=("create.index", 1))
    [leftover] = list(tmp_path.iterdir())
    assert not target.exists() and leftover.name.startswith(".museum.artscope-building-")
    with artscope.create(target) as collection:  # the next creation clears what the killed one left
        assert collection.catalog.count() == 0
    assert [p.name for p in tmp_path.iterdir()] == ["museum"]


@pytest.mark.slow
@pytest.mark.parametrize("scenario", [INGEST, OPTIMIZE, REEMBED])
def test_every_kill_point(tmp_path: Path, scenario: str) -> None:
    campaign = Campaign(tmp_path, scenario)
    failures = [r for r in map(lambda p: campaign.kill_and_resume(*p), spread(campaign.points(), 60)) if r.problems]
    assert failures == []


@pytest.mark.slow
def test_restarts_killed_at_their_first_commit_still_make_progress(tmp_path: Path) -> None:
    campaign = Campaign(tmp_path, INGEST)
    target = tmp_path / "chain"
    counts = []
    for _ in range(4):
        assert run_command(INGEST, target, campaign.sources, kill=("ingest.batch.committed", 1))
        with artscope.open(target) as collection:
            counts.append(collection.catalog.count())
    assert counts == sorted(set(counts)) and counts[0] >= 1  # every run kept something
    run_command(INGEST, target, campaign.sources)
    assert consistency_problems(target) == []
