"""Kill-and-resume campaigns: a collection command killed at a chosen point, then run again, must
leave the collection consistent and equal to an uninterrupted run.

A *scenario* is one command (create + ingest, optimize, re-embed with another embedder) run in a
child process. A first, uninterrupted run counts the named points (``artscope.faults``) the command
passes and is the reference; every kill point is then a fresh child armed with ``faults.kill_at``
(the process sends itself SIGKILL there: deterministic, nothing raced), followed by the same
command run again to completion, and by the checks: the catalog against the index artwork by
artwork and view by view, nothing pending, and the same records, images, passages and vectors
counts as the reference. Used by the test suite (a few points) and by
``benchmarks/kill_campaign.py`` (all of them).
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import signal
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from artscope.testing import copy_collection, write_synthetic_folder

INGEST, OPTIMIZE, REEMBED = "ingest", "optimize", "reembed"
SCENARIOS = (INGEST, OPTIMIZE, REEMBED)
OTHER_EMBEDDER = "builtin:nostyle"
_COMMANDS = {
    INGEST: "with artscope.create(TARGET, exist_ok=True) as c:\n    c.ingest(SOURCES, job_id='campaign')",
    OPTIMIZE: "with artscope.open(TARGET) as c:\n    c.optimize()",
    REEMBED: f"with artscope.open(TARGET) as c:\n    c.embed({OTHER_EMBEDDER!r})",
}



@dataclass
class KillResult:
    scenario: str
    point: str
    arrival: int
    killed: bool
    delay: float = 0.0
    problems: list[str] = field(default_factory=list)


def write_sources(root: Path, images: int = 6) -> list[str]:
    """The campaign's input: a folder of images with its catalogue and passages, a catalogue of records
    without images, and a passages file."""
    folder = root / "folder"
    write_synthetic_folder(folder, n=images)
    (root / "records.csv").write_text("id,title,date\n" + "".join(
        f"r{i},Record {i},{1700 + 10 * i}\n" for i in range(8)), encoding="utf-8")
    (root / "texts.jsonl").write_text("".join(json.dumps({"id": f"t{i}", "text": f"A wall text, number {i}."}) + "\n"
                                              for i in range(4)), encoding="utf-8")
    return [str(folder), str(root / "records.csv"), str(root / "texts.jsonl")]


PRELOAD = ["artscope.collection", "artscope.ingest.pipeline", "artscope.embedders.builtin", "sentence_transformers"]
"""Imported once by the fork server, so that each killed child starts in a second, not in twenty."""
_context: Any = None


def _command(scenario: str, target: Path, sources: list[str], arm: str = "") -> str:
    return (f"import artscope\nfrom artscope import faults\nTARGET = {str(target)!r}\nSOURCES = {sources!r}\n"
            f"{arm}{_COMMANDS[scenario]}\n")


def _execute(code: str) -> None:
    exec(code, {})


def run_command(scenario: str, target: Path, sources: list[str], kill: tuple[str, int] | None = None,
                count_into: Path | None = None, timeout: float = 600, delay: float = 0.0) -> bool:
    """Run a scenario's command in a child process (forked from a server that imported artscope);
    True when it was killed (at the point, or ``delay`` seconds after it)."""
    global _context
    arm = f"faults.kill_at({kill[0]!r}, {kill[1]}, {delay})\n" if kill else ""
    arm += f"faults.count_into({str(count_into)!r})\n" if count_into else ""
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    child = _context.Process(target=_execute, args=(_command(scenario, target, sources, arm),))
    child.start()
    child.join(timeout)
    if child.exitcode is None:
        child.kill()
        child.join()
        raise RuntimeError(f"the {scenario} command did not finish in {timeout} s")
    if child.exitcode == -signal.SIGKILL:
        return True
    if child.exitcode != 0:
        raise RuntimeError(f"the {scenario} command failed (exit code {child.exitcode}); its error is above")
    return False


def resume(scenario: str, target: Path, sources: list[str]) -> None:
    """Run the command again, to completion, in this process (its models stay loaded between runs)."""
    _execute(_command(scenario, target, sources))


def snapshot(path: Path) -> dict[str, Any]:
    """What a collection holds, independent of row ids: records, their images, passages, point counts."""
    import artscope
    from artscope.index import IMAGES, PASSAGES, RECORDS

    with artscope.open(path) as collection:
        records = {}
        for record in collection.catalog.iter_records():
            data = record.model_dump(exclude={"views"})
            data["views"] = sorted((v.uri, v.content_hash) for v in record.views)
            records[record.id] = data
        passages = {p.id: p.text for p in collection.catalog.passages_by_rowids(
            collection.catalog.rowids_after("passages", 0, 1 << 30)).values()}
        counts = {space: collection.index.count(space) for space in (IMAGES, RECORDS, PASSAGES)}
        return {"records": records, "passages": passages, "points": counts, "embedder": collection.info.spec}


def consistency_problems(path: Path) -> list[str]:
    """The catalog against the index: every artwork, view and passage has its point with the right
    artwork, no point lacks its row, nothing is pending or half re-embedded."""
    import artscope
    from artscope.index import IMAGES, PASSAGE_IMAGES, PASSAGES, RECORDS

    problems = []
    with artscope.open(path) as collection:
        catalog, index = collection.catalog, collection.index
        if collection.manifest.reembedding is not None:
            problems.append("a re-embedding is still under way")
        pending = catalog.pending_counts()
        problems += [f"{n} {table} still pending" for table, n in pending.items() if n]
        artworks = {r: i for r, i in catalog.ids_for_rowids(catalog.rowids_after("artworks", 0, 1 << 30)).items()}
        views = {v[0]: artworks[v[1]] for v in catalog.views_after(0, 1 << 30)}
        passages = set(catalog.rowids_after("passages", 0, 1 << 30))
        passage_images = dict.fromkeys(r[0] for r in catalog.passage_images_after(0, 1 << 30))
        for space, expected in ((RECORDS, artworks), (IMAGES, views), (PASSAGES, dict.fromkeys(passages)),
                                (PASSAGE_IMAGES, passage_images)):
            points = {hit.id: hit.payload for hit in index.scroll(space)}
            if missing := sorted(set(expected) - set(points)):
                problems.append(f"{space}: rows without a point: {missing[:5]}")
            if extra := sorted(set(points) - set(expected)):
                problems.append(f"{space}: points without a row: {extra[:5]}")
            if space in (RECORDS, IMAGES):
                wrong = [i for i in set(points) & set(expected) if points[i].get("artwork_id") != expected[i]]
                if wrong:
                    problems.append(f"{space}: points whose artwork is not the catalog's: {wrong[:5]}")
        if not collection.thumbnail_path(0).parent.is_dir():
            problems.append("no thumbs folder")
    return problems


def differences(reference: dict[str, Any], other: dict[str, Any]) -> list[str]:
    out = []
    for key in ("embedder", "points", "passages"):
        if reference[key] != other[key]:
            out.append(f"{key}: {reference[key]!r} != {other[key]!r}"[:300])
    ref, got = reference["records"], other["records"]
    if set(ref) != set(got):
        missing, extra = sorted(set(ref) - set(got))[:5], sorted(set(got) - set(ref))[:5]
        out.append(f"artworks differ: missing {missing}, extra {extra}")
    out += [f"artwork {i} differs" for i in sorted(set(ref) & set(got)) if ref[i] != got[i]][:5]
    return out


class Campaign:
    """One scenario's reference run and its kill points, in a working directory."""

    def __init__(self, work: Path, scenario: str, images: int = 6) -> None:
        self.work, self.scenario = Path(work), scenario
        self.sources = write_sources(self.work / "sources", images)
        self.base = self.work / "base"  # what the command starts from
        self.reference = self.work / "reference"
        if scenario != INGEST:
            run_command(INGEST, self.base, self.sources)
        self._prepare(self.reference)
        log = self.work / "points.log"
        run_command(scenario, self.reference, self.sources, count_into=log)
        self.arrivals = Counter(log.read_text().split())
        self.expected = snapshot(self.reference)

    def _prepare(self, target: Path) -> None:
        shutil.rmtree(target, ignore_errors=True)
        for leftover in target.parent.glob(f".{target.name}.artscope-building-*"):
            shutil.rmtree(leftover)
        if self.scenario != INGEST:
            copy_collection(self.base, target)

    def points(self) -> list[tuple[str, int]]:
        """Every (point, arrival) the uninterrupted command passes, in a stable order."""
        return [(name, n) for name in sorted(self.arrivals) for n in range(1, self.arrivals[name] + 1)]

    def kill_and_resume(self, point: str, arrival: int, delay: float = 0.0) -> KillResult:
        """Kill a fresh run at a point (or ``delay`` seconds after it: such a run may finish first,
        which is then reported by ``killed``), run the command again, and check."""
        target = self.work / "run"
        self._prepare(target)
        killed = run_command(self.scenario, target, self.sources, kill=(point, arrival), delay=delay)
        result = KillResult(self.scenario, point, arrival, killed, delay)
        if not killed and not delay:
            result.problems.append("the process was not killed at the point")
        resume(self.scenario, target, self.sources)  # the same command again
        result.problems += consistency_problems(target) + differences(self.expected, snapshot(target))
        return result


def spread(points: list[tuple[str, int]], limit: int) -> list[tuple[str, int]]:
    """At most ``limit`` points, every point name first (its first arrival), then evenly over the rest."""
    if len(points) <= limit:
        return points
    firsts = [p for p in points if p[1] == 1]
    rest = [p for p in points if p[1] != 1]
    chosen = firsts[:limit]
    room = limit - len(chosen)
    if room > 0 and rest:
        step = len(rest) / room
        chosen += [rest[int(i * step)] for i in range(room)]
    return sorted(chosen)


def temporary_campaign(scenario: str, images: int = 6) -> tuple[Campaign, tempfile.TemporaryDirectory]:
    """A campaign in a temporary directory (the caller cleans it up)."""
    holder = tempfile.TemporaryDirectory(prefix=f"artscope-{scenario}-")
    return Campaign(Path(holder.name), scenario, images), holder
