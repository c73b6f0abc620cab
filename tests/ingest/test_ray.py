"""``artscope index --ray`` and ``artscope embed --ray`` on a real Ray cluster: two nodes of one CPU
each on this machine (``ray.cluster_utils.Cluster``, on the loopback address). The collection built
(from a catalogue with passages, or from a Wikipedia dump) or re-embedded through Ray equals the one
built locally; a worker killed mid-run is replaced and its tasks retried; a driver killed mid-run is
resumed like any ingest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from same_collection import DriverEmbeds, check_a_wikipedia_dump_built_and_re_embedded, collection_differences

import artscope
from artscope.config import get_settings
from artscope.embedders.registry import create_embedder
from artscope.ingest.sources import SourceOptions
from artscope.testing import copy_collection

ray = pytest.importorskip("ray", reason="the [ray] extra is not installed")



@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """The address of a two-node cluster (head + one worker node, one CPU each)."""
    from ray.cluster_utils import Cluster

    # every Ray process of this cluster binds and connects to 127.0.0.1 only, not the machine's address
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    # no Ray Data usage poller: its thread would outlive the cluster in this process, logging a failed query of
    # localhost:9090 with its traceback every 10 s, and formatting a traceback parses source; on this CPython
    # (3.11.7) a parse beside another thread's parse can fail (python/cpython#106905: the AST constructor's
    # recursion count is the interpreter's), as pytest's did in later tests ("AST constructor recursion depth
    # mismatch", twice in CI runs)
    os.environ["RAY_DATA_USAGE_DISABLED"] = "1"
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    cluster.add_node(num_cpus=1)
    ray.init(address=cluster.address, log_to_driver=False, logging_level="WARNING")
    try:
        assert len([node for node in ray.nodes() if node["Alive"]]) == 2
        yield cluster.address
    finally:
        ray.shutdown()
        cluster.shutdown()
        del os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"]
        del os.environ["RAY_DATA_USAGE_DISABLED"]


@pytest.fixture()
def small_ray_batches(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Two images a task, so that a run has tasks left to retry when a worker dies."""
    monkeypatch.setenv("ARTSCOPE_RAY_BATCH", "2")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("ARTSCOPE_RAY_BATCH")
    get_settings.cache_clear()


def test_ray_builds_the_collection_a_local_run_builds(cluster: str, sources: list[str], one_process: Path,
                                                      tmp_path: Path, driver_embeds: DriverEmbeds) -> None:
    """... with every text embedded on the cluster too: the driver embeds none."""
    with artscope.create(tmp_path / "c") as collection:
        driver_embeds(collection.embedder)
        summary = collection.ingest(sources, ray=cluster)
    assert summary.images_indexed == 12 and summary.failed == 0 and summary.passages > 0
    assert driver_embeds.items == []
    assert collection_differences(one_process, tmp_path / "c") == []


def test_a_wikipedia_dump_through_ray_builds_and_re_embeds_what_a_local_run_builds(
        cluster: str, tmp_path: Path, astronomer: tuple[str, SourceOptions], driver_embeds: DriverEmbeds) -> None:
    """The knowledge corpus on the cluster: the driver embeds no text and no image."""
    check_a_wikipedia_dump_built_and_re_embedded(tmp_path, astronomer, driver_embeds, ray=cluster)


def test_ray_re_embeds_as_a_local_run_embeds(cluster: str, one_process: Path, one_process_nostyle: Path,
                                             tmp_path: Path, driver_embeds: DriverEmbeds) -> None:
    """``artscope embed --ray``: images, records and passages embedded on the cluster (the driver embeds
    nothing), and the collection the same as one built with the new embedder."""
    copy_collection(one_process, tmp_path / "moved")
    with artscope.open(tmp_path / "moved") as collection:
        summary = collection.embed(driver_embeds(create_embedder("builtin:nostyle")), ray=cluster)
    assert summary.images == 12 and summary.records > 0 and summary.passages > 0
    assert driver_embeds.items == []
    assert collection_differences(one_process_nostyle, tmp_path / "moved") == []


def test_a_window_grows_with_the_actors_that_start_for_it() -> None:
    """Each window's actors start afresh (about 12 s here): with eight actors a window holds four times the
    rows of one with two, so their start stays the same share of its work."""
    from artscope.ingest.ray_stage import _windows, window_limits
    from artscope.ingest.stages import Ahead

    batches = [(i, [], Ahead(texts=["a text"] * 512)) for i in range(64)]  # 32,768 rows
    sizes = {actors: [len(w) for w in _windows(batches, *window_limits(actors))] for actors in (2, 8)}
    assert sizes == {2: [8] * 8, 8: [32] * 2}
    few = [(i, [], Ahead()) for i in range(300)]  # a catalogue without images or new texts
    assert [len(w) for w in _windows(few, *window_limits(2))] == [64] * 4 + [44]


def _image_workers() -> list[int]:
    """Process ids of the Ray actors that embed images and texts (their process title names the class)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if command.startswith("ray::") and "RayWorker" in command:
                found.append(int(entry.name))
    return found


@pytest.mark.slow
def test_a_worker_killed_mid_run_is_replaced(cluster: str, sources: list[str], one_process: Path, tmp_path: Path,
                                             small_ray_batches: None) -> None:
    written = threading.Event()
    killed: list[int] = []

    def kill_a_worker() -> None:
        written.wait(300)
        deadline = time.monotonic() + 60
        while not killed and time.monotonic() < deadline:
            for pid in _image_workers()[:1]:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    with artscope.create(tmp_path / "c") as collection:
        collection.ingest(sources, ray=cluster, progress=lambda done, total: written.set())
    killer.join()
    assert killed, "no image worker was found to kill"
    assert collection_differences(one_process, tmp_path / "c") == []


@pytest.mark.slow
def test_a_driver_killed_mid_run_resumes(cluster: str, sources: list[str], one_process: Path, tmp_path: Path) -> None:
    target = tmp_path / "c"
    driver = (f"import artscope\nfrom artscope import faults\nfaults.kill_at('ingest.batch.committed', 3)\n"
              f"with artscope.create({str(target)!r}) as c:\n"
              f"    c.ingest({sources!r}, job_id='run', ray={cluster!r})\n")
    assert subprocess.run([sys.executable, "-c", driver], timeout=600).returncode == -signal.SIGKILL
    with artscope.open(target) as collection:
        assert 0 < collection.index.count("images") < 12
        collection.ingest(sources, job_id="run", ray=cluster)
    assert collection_differences(one_process, target) == []
