"""Benchmark aesthetic scoring: images per second for the builtin scoring on this machine's cores.

    python benchmarks/aesthetics.py                     # score_image on the sample collection's JPEGs
    python benchmarks/aesthetics.py --collection DIR    # collection.score (embedding + originality) too

Three figures, each on the 70 sample images (800-px JPEGs), after one warm-up pass:
  * measures: the measurements of already-decoded images, per stage (composition, colour, technique);
  * score_image, 1 thread: decode + measure + dimensions + comments, one image after another;
  * score_image, N threads: the same over a thread pool (OpenCV and NumPy release the GIL).
Wall and CPU seconds are both printed: on a busy machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image
from timing import Timer

from artscope.tasks.aesthetics import score_image
from artscope.tasks.aesthetics.measures import colour, composition, prepare, technical

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "artscope" / "demo" / "sample-collection"


def report(label: str, count: int, timer: Timer) -> None:
    print(
        f"{label:<34} {count / timer.wall:7.1f} images/s  ({timer.wall:.2f} s wall, {timer.cpu:.2f} s CPU "
        f"for {count})"
    )


def stages(images: list[Image.Image]) -> None:
    prepared = [prepare(image) for image in images]
    for name, function in (
        ("prepare (downscale, Lab, grey)", prepare),
        ("composition", composition.measure),
        ("colour and value", colour.measure),
        ("technique", technical.measure),
    ):
        inputs = images if function is prepare else prepared
        with Timer() as timer:
            for item in inputs:
                function(item)
        report(f"  {name}", len(inputs), timer)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--images", type=Path, default=SAMPLE / "images", help="a folder of JPEGs")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--collection", type=Path, help="also time collection.score against this collection")
    args = parser.parse_args()
    files = sorted(args.images.glob("*.jpg"))
    print(
        f"{len(files)} images from {args.images}; load average {os.getloadavg()[0]:.2f} on "
        f"{os.cpu_count()} cores"
    )
    for path in files:  # warm-up: imports, caches, the page cache
        score_image(path)
    stages([Image.open(path).convert("RGB") for path in files])
    with Timer() as timer:
        for path in files:
            score_image(path)
    report("score_image, 1 thread", len(files), timer)
    with Timer() as timer, ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(score_image, files))
    report(f"score_image, {args.threads} threads", len(files), timer)
    if args.collection:
        import artscope

        with artscope.open(args.collection) as collection:
            collection.score(files[0])  # loads the embedder and builds the typicality reference
            with Timer() as timer:
                for path in files:
                    collection.score(path)
            report("collection.score, 1 thread", len(files), timer)


if __name__ == "__main__":
    main()
