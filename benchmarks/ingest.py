"""Ingest throughput: images against decode-only, and metadata-only museum rows.

Images (default): the sample collection's 70 JPEGs (about 800 px), re-encoded ``--copies`` times so
that every file is distinct (no dedupe shortcut). Decode-only reads and decodes each file exactly as
ingest does (safe loader, JPEG draft mode to about 512 px, two threads); the embedder alone decodes them
so and embeds them in ingest's batches, writing nothing (its own speed). Ingest is the whole job:
hashing, catalog writes, builtin embedding (images and record texts), index upserts, thumbnails;
once in one process (``workers=1``) and once with ``--workers`` processes reading, decoding and
embedding ahead of the writer (their start-up included), in the same run; the two collections are
compared (records, images, passages, point counts).

    python benchmarks/ingest.py --copies 12 --workers 2

Met rows (``--met-rows N``): a MetObjects.csv of N rows in the Met's layout, made by repeating the
300 real rows of tests/data/met with new Object IDs. The catalogue stage (``ingest(embed=False)``:
parsing, checks, catalog and full-text writes) over all N rows, then the text-embedding stage
(``embed()``, builtin MiniLM + multilingual encoder, batched) over the first ``--embed-rows``.

    python benchmarks/ingest.py --met-rows 100000 --embed-rows 2000
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

import artscope
from artscope.crashtest import differences, snapshot
from artscope.demo import SAMPLE_COLLECTION
from artscope.ingest.indexer import EMBED_BATCH
from artscope.ingest.writer import DECODE_SIZE
from artscope.media.images import decode_image, read_bytes

MET_ROWS = Path(__file__).resolve().parents[1] / "tests" / "data" / "met" / "MetObjects-excerpt.csv"


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


def embedder_only(files: list[Path], folder: Path) -> float:
    """The builtin embedder's own speed on the same files: decoded as ``decode_only`` does, embedded in
    ingest's batches, nothing written (images a second)."""
    with artscope.create(folder) as collection:
        embedder = collection.embedder
        embedder.embed_images([decode_image(read_bytes(files[0]), draft_size=DECODE_SIZE)])  # models loaded
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=2) as pool:
            for at in range(0, len(files), EMBED_BATCH):
                batch = files[at:at + EMBED_BATCH]
                embedder.embed_images(list(pool.map(lambda p: decode_image(read_bytes(p), draft_size=DECODE_SIZE),
                                                    batch)))
        return len(files) / (time.perf_counter() - start)


def cpu_seconds() -> tuple[float, float]:
    """CPU time of this process (the driver), and of it with its children that ended (the workers end with
    the ingest)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    driver = own.ru_utime + own.ru_stime
    return driver, driver + children.ru_utime + children.ru_stime


def ingest(folder: Path, target: Path, workers: int) -> tuple[float, float, float, float]:
    """Images indexed a second (worker start-up included), CPU milliseconds an image (workers included),
    of them the driver's, and the seconds ``optimize()`` took."""
    with artscope.create(target) as collection:
        collection.embedder.embed_texts(["warm-up"])  # the text model's one-off load is not ingest
        start, (driver, cpu) = time.perf_counter(), cpu_seconds()
        summary = collection.ingest([str(folder)], workers=workers)
        seconds, (driver_end, cpu_end) = time.perf_counter() - start, cpu_seconds()
        start = time.perf_counter()
        collection.optimize()
        images = summary.images_indexed
        return (images / seconds, 1000 * (cpu_end - cpu) / images, 1000 * (driver_end - driver) / images,
                time.perf_counter() - start)


def write_met(path: Path, rows: int) -> None:
    """A MetObjects.csv of ``rows`` rows: the real rows repeated, each with its own Object ID."""
    with MET_ROWS.open(encoding="utf-8-sig", newline="") as handle:
        header, *body = list(csv.reader(handle))
    column = header.index("Object ID")
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for number in range(rows):
            row = list(body[number % len(body)])
            row[column] = str(number + 1)
            writer.writerow(row)


def met(rows: int, embed_rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "MetObjects.csv"
        write_met(source, rows)
        with artscope.create(Path(tmp) / "met") as collection:
            start, cpu = time.perf_counter(), time.process_time()
            summary = collection.ingest([str(source)], embed=False)
            catalogue_s, catalogue_cpu = time.perf_counter() - start, time.process_time() - cpu
        sample = Path(tmp) / "sample.csv"
        write_met(sample, embed_rows)
        with artscope.create(Path(tmp) / "embedded") as collection:
            collection.embedder.embed_texts(["warm-up"])  # the text model's one-off load is not ingest
            collection.ingest([str(sample)], embed=False)
            start = time.perf_counter()
            embedded = collection.embed()
            embed_s = time.perf_counter() - start
    print("| Met rows | catalogue stage rows/s (wall) | rows per CPU second | failed | text embedding rows/s "
          "(first rows) |")
    print("|---|---|---|---|---|")
    print(f"| {summary.added:,} | {summary.added / catalogue_s:,.0f} | {summary.added / catalogue_cpu:,.0f} | "
          f"{summary.failed} | {embedded.records / embed_s:.1f} ({embedded.records:,} rows) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the parallel run")
    parser.add_argument("--met-rows", type=int, default=0, help="benchmark metadata-only Met rows instead")
    parser.add_argument("--embed-rows", type=int, default=2000)
    args = parser.parse_args()
    if args.met_rows:
        met(args.met_rows, args.embed_rows)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "images"
        folder.mkdir()
        files = make_files(folder, args.copies)
        decode_rate = decode_only(files)
        embed_rate = embedder_only(files, Path(tmp) / "embedder-only")
        serial, serial_cpu, _, optimize_s = ingest(folder, Path(tmp) / "serial", workers=1)
        parallel, parallel_cpu, driver_cpu, _ = ingest(folder, Path(tmp) / "parallel", workers=args.workers)
        same = not differences(snapshot(Path(tmp) / "serial"), snapshot(Path(tmp) / "parallel"))
        shutil.rmtree(folder)
    print(f"| images | decode-only img/s | embedder alone img/s | ingest img/s, 1 process | 1 process / embedder "
          f"| ingest img/s, {args.workers} workers | workers / 1 process | CPU ms an image, 1 process / workers "
          "(driver) | same collection | optimize s | load average |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {len(files)} | {decode_rate:.1f} | {embed_rate:.1f} | {serial:.1f} | {serial / embed_rate:.2f} | "
          f"{parallel:.1f} | {parallel / serial:.2f} | "
          f"{serial_cpu:.0f} / {parallel_cpu:.0f} ({driver_cpu:.0f}) | {'yes' if same else 'NO'} | {optimize_s:.2f} | "
          f"{os.getloadavg()[0]:.1f} |")

if __name__ == "__main__":
    main()
