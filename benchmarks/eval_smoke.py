"""One small end-to-end `artscope eval` run per benchmark family, from the published layouts.

The list and annotation files are the official excerpts under tests/data (each with its licence);
images are the sample collection's where a layout names artworks, small drawn images elsewhere (the
benchmarks' own images are not redistributable). The figures show that each family runs end to end
from its real layout, not how well a model does on the full benchmark.

    python benchmarks/eval_smoke.py --out /tmp/eval-smoke          # builds the folders and runs all
    python benchmarks/eval_smoke.py --out /tmp/eval-smoke --only ava,fashioniq
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
SAMPLE = REPO / "src" / "artscope" / "demo" / "sample-collection"
SHOWN_METRICS = 5  # the first metrics of each report go in the table; the JSON has all
STYLE_COLOURS = {"Impressionism": (90, 140, 210), "Baroque": (60, 30, 10), "Ukiyo_e": (230, 200, 150)}


class Drawer:
    """Small noisy images of one colour, reproducible from a seed."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def __call__(self, path: Path, base: tuple[int, int, int] | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        colour = np.array(base if base is not None else self.rng.integers(0, 255, 3), dtype=float)
        pixels = np.clip(colour + self.rng.normal(0, 20, (48, 48, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(path)


def sample_rows(count: int) -> list[dict[str, str]]:
    """The first `count` rows of the sample collection's catalogue."""
    with open(SAMPLE / "catalog.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))[:count]


def build_flickr30k(root: Path, draw: Drawer) -> Path:
    """nlphuji's Flickr30K CSV layout over eight sample artworks; captions from their catalogue."""
    folder = root / "flickr30k"
    (folder / "flickr30k-images").mkdir(parents=True)
    with open(folder / "flickr_annotations_30k.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["raw", "sentids", "split", "filename", "img_id"])
        for n, row in enumerate(sample_rows(8)):
            name = Path(row["file"]).name
            shutil.copy(SAMPLE / row["file"], folder / "flickr30k-images" / name)
            captions = [row["caption"] or row["title"], row["title"]]
            writer.writerow([json.dumps(captions), json.dumps([2 * n, 2 * n + 1]), "test", name, n])
    return folder


def build_fashioniq(root: Path, draw: Drawer) -> Path:
    """FashionIQ's published validation captions and splits, drawn images."""
    folder = root / "fashioniq"
    shutil.copytree(DATA / "fashioniq", folder)
    for category in ("dress", "shirt", "toptee"):
        split = folder / "image_splits" / f"split.{category}.val.json"
        for name in json.loads(split.read_text()):
            draw(folder / "images" / f"{name}.png")
    return folder


def build_plugir(root: Path, draw: Drawer) -> Path:
    """PlugIR's Protocol/ layout and published dialogues, drawn images."""
    folder = root / "plugir"
    shutil.copytree(DATA / "plugir", folder)
    for rel in json.loads((folder / "Protocol" / "Search_Space_val_50k.json").read_text()):
        draw(folder / rel)
    return folder


def build_wikiart(root: Path, draw: Drawer) -> Path:
    """ArtGAN's WikiArt style lists; images coloured by style so the task is learnable."""
    folder = root / "WikiArt Dataset"
    shutil.copytree(DATA / "artgan-wikiart", folder)
    for path in (folder / "Style").glob("style_*.csv"):
        for line in path.read_text().splitlines():
            rel = line.split(",")[0]
            draw(folder / "wikiart" / rel, STYLE_COLOURS.get(rel.split("/")[0]))
    return folder


def build_ava(root: Path, draw: Drawer) -> Path:
    """AVA as distributed (rows from TANet's lists), drawn images."""
    folder = root / "ava"
    shutil.copytree(DATA / "ava", folder)
    test_list = folder / "AVA_dataset" / "aesthetics_image_lists" / "generic_test.jpgl"
    for image_id in test_list.read_text().split():
        draw(folder / "AVA_dataset" / "image" / f"{image_id}.jpg")
    return folder


def build_apdd(root: Path, draw: Drawer) -> Path:
    """ArtQuant's APDDv2 layout (scores and descriptions), drawn images."""
    folder = root / "APDD"
    shutil.copytree(DATA / "artquant-apdd", folder)
    for entry in json.loads((folder / "meta" / "score.json").read_text()):
        draw(folder / "images" / entry["image"])
    return folder


def build_museum_qa(root: Path, draw: Drawer) -> Path:
    """MUSEUM-style qa.jsonl over four sample artworks; answers from their catalogue."""
    folder = root / "museum-qa"
    (folder / "images").mkdir(parents=True)
    with open(folder / "qa.jsonl", "w", encoding="utf-8") as handle:
        for n, row in enumerate(sample_rows(4)):
            name = Path(row["file"]).name
            shutil.copy(SAMPLE / row["file"], folder / "images" / name)
            for suffix, question, answer, kind in (
                ("a", "Who painted this?", row["artist"], "creator"),
                ("b", "When was this painted?", row["date"], "date"),
            ):
                line = {
                    "id": f"q{n}{suffix}",
                    "image": f"images/{name}",
                    "question": question,
                    "answer": answer,
                    "category": kind,
                }
                handle.write(json.dumps(line) + "\n")
    return folder


# family, benchmark name, layout builder
RUNS: list[tuple[str, str, Callable[[Path, Drawer], Path]]] = [
    ("retrieval", "flickr30k", build_flickr30k),
    ("composed", "fashioniq", build_fashioniq),
    ("dialogue", "visdial-chatir", build_plugir),
    ("attributes", "wikiart-style", build_wikiart),
    ("aesthetics", "ava", build_ava),
    ("aesthetics", "apddv2", build_apdd),
    ("captioning", "apddv2-descriptions", build_apdd),
    ("qa", "museum-qa", build_museum_qa),
]


def run_one(benchmark: str, data: Path, out: Path) -> dict:
    """`artscope eval BENCHMARK --data DATA --json`; the metrics it printed."""
    command = ["artscope", "eval", benchmark, "--data", str(data), "--out", str(out / f"{benchmark}.json"), "--json"]
    print("$", " ".join(command), file=sys.stderr)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{benchmark} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="a new or empty folder for layouts and results")
    parser.add_argument("--only", default="", help="comma-separated benchmark names (default: all)")
    args = parser.parse_args()
    wanted = {name for name in args.only.split(",") if name}
    if args.out.exists() and any(args.out.iterdir()):
        raise SystemExit(f"{args.out} is not empty; give a new folder")
    layouts, results = args.out / "data", args.out / "runs"
    results.mkdir(parents=True, exist_ok=True)
    draw, built = Drawer(), {}
    print("| family | benchmark | items | metrics | seconds |\n|---|---|---|---|---|")
    for family, benchmark, build in RUNS:
        if wanted and benchmark not in wanted:
            continue
        if build not in built:
            built[build] = build(layouts, draw)
        report = run_one(benchmark, built[build], results)
        numbers = [(key, value) for key, value in report["metrics"].items() if isinstance(value, int | float)]
        metrics = ", ".join(f"{key} {value:.3g}" for key, value in numbers[:SHOWN_METRICS])
        print(f"| {family} | {benchmark} | {report['items']} | {metrics} | {report['seconds']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
