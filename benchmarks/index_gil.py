"""Does a query to the embedded index (Qdrant Edge) let the service's other Python threads run?

    python benchmarks/index_gil.py                             # 50,000 random 896-d vectors, a temporary index
    python benchmarks/index_gil.py --collection /tmp/gen100k   # the records' text space of a built collection

A counting loop runs on the main thread for ``--seconds``, first alone, then beside a thread that sends
nearest-neighbour queries (limit 100, through ``EdgeStore.query`` as search does) one after another, then
beside a thread that only sleeps. Printed: the loop's speed beside each as a share of its speed alone,
and the queries a second alone and beside the loop. On two cores or more, a query that releases the
interpreter lock leaves the loop near 100 % (as the sleeping thread does); one that holds it for its
whole duration leaves it about half, and the two threads take turns. The service's searches run on
threads of one process, so the time a search spends in the index is time no other search's Python runs.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from artscope.index.base import Point, SpaceSpec, VectorSpec, VectorStore
from artscope.index.edge import EdgeStore


def count_for(seconds: float) -> int:
    """Loop iterations in ``seconds`` of pure Python."""
    n, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        n += 1
    return n


def beside(work: Callable[[], None], seconds: float) -> tuple[int, int]:
    """(loop iterations, calls of ``work`` done) while ``work`` runs again and again on another thread."""
    stop, done = threading.Event(), [0]

    def repeat() -> None:
        while not stop.is_set():
            work()
            done[0] += 1

    thread = threading.Thread(target=repeat)
    thread.start()
    loops = count_for(seconds)
    stop.set()
    thread.join()
    return loops, done[0]


def random_index(root: Path, points: int, dim: int) -> tuple[VectorStore, str, str]:
    rng = np.random.default_rng(0)
    store = EdgeStore(root)
    store.ensure_space(SpaceSpec(name="bench", vectors={"text": VectorSpec(size=dim)}))
    for start in range(0, points, 5000):
        vectors = rng.standard_normal((min(5000, points - start), dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.upsert("bench", [Point(start + i, {"text": v}, {"artwork_id": f"a{start + i}"})
                               for i, v in enumerate(vectors)])
    store.optimize()
    return store, "bench", "text"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", type=Path, help="a built collection (default: a temporary random index)")
    parser.add_argument("--points", type=int, default=50_000, help="vectors of the temporary index")
    parser.add_argument("--seconds", type=float, default=3.0, help="each measurement's length")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.collection:
            import artscope
            from artscope.index import RECORDS

            collection = artscope.open(args.collection)
            store, space, using = collection.index, RECORDS, "text"
            dim = collection.info.text_dim
        else:
            dim = 896
            print(f"building a temporary index of {args.points:,} random {dim}-d vectors ...")
            store, space, using = random_index(Path(folder), args.points, dim)
        queries = np.random.default_rng(1).standard_normal((64, dim)).astype(np.float32)
        turn = [0]

        def query() -> None:
            store.query(space, using, queries[turn[0] % len(queries)], 100)
            turn[0] += 1

        for _ in range(20):
            query()  # the first queries read the index's files
        alone = count_for(args.seconds)
        end, queries_alone = time.perf_counter() + args.seconds, 0
        while time.perf_counter() < end:
            query()
            queries_alone += 1
        loops_with_queries, queries_beside = beside(query, args.seconds)
        loops_with_sleep, _ = beside(lambda: time.sleep(0.005), args.seconds)
        print(f"Python loop beside a thread that queries the index: {loops_with_queries / alone:.0%} of its speed "
              f"alone; beside a thread that sleeps: {loops_with_sleep / alone:.0%}")
        print(f"queries a second: {queries_beside / args.seconds:.0f} beside the loop "
              f"(alone: {queries_alone / args.seconds:.0f})")


if __name__ == "__main__":
    main()
