"""What one window of a Ray ingest costs besides its work: the actors' start.

    python benchmarks/ray_window.py                     # Ray started here (local), the builtin embedder
    python benchmarks/ray_window.py --address auto --sizes 1 64 1024 4096

``artscope index --ray`` hands the cluster a window of rows at a time (``window_limits``), each one Ray
Dataset whose actor pool starts afresh (Ray Data keeps an actor pool for one Dataset only): every actor
starts a process and loads the embedder again. This times windows of texts only through ``RayStage``,
one after another: a window of one text is almost all start-up; the larger ones show what a text adds.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from artscope.ingest.ray_stage import RayStage
from artscope.ingest.stages import Ahead


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", default="local", help="A Ray cluster's address, auto, or local.")
    parser.add_argument("--embedder", default="builtin")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 64, 1024])
    args = parser.parse_args()
    os.environ.setdefault("RAY_DATA_USAGE_DISABLED", "1")
    stage = RayStage(args.address, args.embedder, np.zeros(0, np.uint64))
    print(f"{stage.workers} actors at most")
    try:
        for size in [1, *args.sizes]:  # the first window also starts Ray's own workers: not counted
            texts = [f"painting {i}: a red landscape with trees by a river" for i in range(size)]
            start = time.perf_counter()
            for _ in stage.stream([(size, [], Ahead(texts=texts))], None):
                pass
            print(f"window of {size} texts: {time.perf_counter() - start:.1f} s", flush=True)
    finally:
        stage.close()


if __name__ == "__main__":
    main()
