"""Ingest throughput against decode-only on the same files.

The files: the sample collection's 70 JPEGs (about 800 px), re-encoded ``--copies`` times so that
every file is distinct (no dedupe shortcut). Decode-only reads and decodes each file exactly as
ingest does (safe loader, JPEG draft mode to about 512 px, two threads). Ingest is the whole job:
hashing, catalog writes, builtin embedding (images and record texts), index upserts, thumbnails.

    python benchmarks/ingest.py --copies 6
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

import artscope
from artscope.demo import SAMPLE_COLLECTION
from artscope.ingest.pipeline import DECODE_SIZE
from artscope.media.images import decode_image, read_bytes


def make_files(root: Path, copies: int) -> list[Path]:
    files = []
    for copy in range(copies):
        for source in sorted((SAMPLE_COLLECTION / "images").glob("*.jpg")):
            target = root / f"{source.stem}-{copy}.jpg"
            Image.open(source).save(target, "JPEG", quality=90 - copy)
            files.append(target)
    return files


def decode_only(files: list[Path]) -> float:
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda p: decode_image(read_bytes(p), draft_size=DECODE_SIZE), files))
    return len(files) / (time.perf_counter() - start)


def ingest(folder: Path, target: Path) -> tuple[float, float]:
    with artscope.create(target) as collection:
        collection.embedder.embed_texts(["warm-up"])  # the text model's one-off load is not ingest
        start = time.perf_counter()
        summary = collection.ingest([str(folder)])
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        collection.optimize()
        return summary.images_indexed / seconds, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "images"
        folder.mkdir()
        files = make_files(folder, args.copies)
        decode_rate = decode_only(files)
        ingest_rate, optimize_s = ingest(folder, Path(tmp) / "collection")
        shutil.rmtree(folder)
    print("| images | decode-only img/s | ingest img/s (builtin) | ingest / decode | optimize s |")
    print("|---|---|---|---|---|")
    ratio = ingest_rate / decode_rate
    print(f"| {len(files)} | {decode_rate:.1f} | {ingest_rate:.1f} | {ratio:.2f} | {optimize_s:.2f} |")


if __name__ == "__main__":
    main()
