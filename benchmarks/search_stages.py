"""Where a text search's CPU goes, stage by stage, in the process (no HTTP):

    python benchmarks/search_stages.py --collection /tmp/gen100k
    python benchmarks/search_stages.py --collection /tmp/gen100k --threads 1 2 4

For each of the eight text queries of ``http_load.py``: the CPU milliseconds (of the whole process: the
index searches on threads of its own) of BM25 over the records and over the passages, embedding the
query, the dense query over the records and over the passages, all the rankings (``text_rankings``:
those, the measured words and what joins them) and the whole search, each the mean of ``--repeats``
runs after one warm-up. Build the collection with ``http_load.py --artworks 100000`` first.

``--threads``: instead, for each count, that many threads of one process search the eight queries in
turn for ``--seconds``: searches a second, p50 / p95 ms, CPU ms a search and the cores the process kept
busy. More threads than one can only use the cores for the parts of a search that release the
interpreter lock (ONNX Runtime, SQLite, numpy's large products).
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

from http_load import QUERIES

import artscope
from artscope.index import PASSAGES, RECORDS
from artscope.tasks.search.engine import search, text_rankings
from artscope.tasks.search.types import SearchRequest

DEPTH = 100
"""Candidates each signal gives, as ``search`` asks for a first page."""


def cpu_ms(run: Callable[[], object], repeats: int) -> float:
    """Mean CPU milliseconds of ``run`` after one warm-up call."""
    run()
    times = []
    for _ in range(repeats):
        start = time.process_time()
        run()
        times.append((time.process_time() - start) * 1000)
    return statistics.mean(times)


def stage_times(collection: artscope.Collection, text: str, repeats: int) -> list[float]:
    """CPU milliseconds of each stage of one query (the columns of the table)."""
    catalog, index, embedder = collection.catalog, collection.index, collection.embedder
    vector = embedder.embed_texts([text])[0]
    stages: list[Callable[[], object]] = [
        lambda: catalog.search_artworks_bm25(text, DEPTH),
        lambda: catalog.search_passages_bm25(text, DEPTH),
        lambda: embedder.embed_texts([text]),
        lambda: index.query(RECORDS, "text", vector, DEPTH),
        lambda: index.query(PASSAGES, "text", vector, DEPTH),
        lambda: text_rankings(collection, text, {}, DEPTH),
        lambda: search(collection, SearchRequest(text=text)),
    ]
    return [cpu_ms(stage, repeats) for stage in stages]


def concurrent_searches(collection: artscope.Collection, threads: int, seconds: float) -> str:
    """One row: ``threads`` threads searching the queries in turn for ``seconds``."""
    stop, latencies = threading.Event(), []

    def searching(first: int) -> None:
        i = first
        while not stop.is_set():
            started = time.perf_counter()
            search(collection, SearchRequest(text=QUERIES[i % len(QUERIES)]))
            latencies.append((time.perf_counter() - started) * 1000)
            i += 1

    workers = [threading.Thread(target=searching, args=(n,)) for n in range(threads)]
    cpu, started = time.process_time(), time.perf_counter()
    for worker in workers:
        worker.start()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    latencies.sort()
    return (f"| {threads} | {len(latencies) / wall:.1f} | {latencies[len(latencies) // 2]:.0f} / "
            f"{latencies[int(len(latencies) * 0.95)]:.0f} | {cpu * 1000 / len(latencies):.1f} | {cpu / wall:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, nargs="+", help="searching threads (instead of the stages)")
    parser.add_argument("--seconds", type=float, default=15.0, help="each count of threads searches this long")
    args = parser.parse_args()
    with artscope.open(args.collection) as collection:
        if args.threads:
            for text in QUERIES:  # warm-up: no row measures a first query's caches
                search(collection, SearchRequest(text=text))
            print("| threads | searches a second | p50 / p95 ms | CPU ms a search | cores busy |")
            print("|---|---|---|---|---|")
            for threads in args.threads:
                print(concurrent_searches(collection, threads, args.seconds), flush=True)
            return
        print("| query | BM25 records | BM25 passages | embedding | dense records | dense passages | rankings | "
              "search |")
        print("|---|---|---|---|---|---|---|---|")
        searches = []
        for text in QUERIES:
            row = stage_times(collection, text, args.repeats)
            searches.append(row[-1])
            print(f"| {text} | " + " | ".join(f"{ms:.1f}" for ms in row) + " |", flush=True)
        print(f"\nmean CPU a search: {statistics.mean(searches):.1f} ms")


if __name__ == "__main__":
    main()
