"""Query latency (p50/p95) and recall@10 of the default store (Qdrant Edge) at scale.

Synthetic but clustered vectors (uniform random vectors make any approximate index look broken):
dense image queries (512-d, int8 + rescore, HNSW), dense text queries (384-d) plus FTS5 BM25 over
synthetic catalogue text (30 words a record from a Zipf-distributed 20,000-word vocabulary;
queries of 3 words drawn the same way, so some are very common), and late-interaction queries (MaxSim
over pooled token means, then all tokens rescoring). Recall@10 is against exact search on the same store
(late interaction: against an exact first stage over the same pooled means). CPU seconds of ``optimize()``
count every thread: Qdrant builds its graphs on threads of the lowest priority, so on a busy machine the
wall time is mostly waiting.

    python benchmarks/search.py --sizes 10000 100000            # the numbers in benchmarks/README.md
    python benchmarks/search.py --sizes 1000000 --no-tokens     # 1M dense (about 10 min, 4 GB disk)
    python benchmarks/search.py --sizes 100000 --no-text --pooled-storage float32   # late interaction's scan
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from artscope.catalog import Catalog
from artscope.config import get_settings
from artscope.embedders.base import l2_normalize, pool_tokens
from artscope.index.base import Point, Prefetch, SpaceSpec, VectorSpec
from artscope.index.edge import EdgeStore
from artscope.index.layout import pooled_spec
from artscope.types import ArtworkRecord

VOCABULARY = 20_000
"""Catalogue words follow Zipf's law: a few very common ("painting", "oil"), most rare."""


def clustered(rng: np.random.Generator, n: int, dim: int, clusters: int = 1000) -> np.ndarray:
    centres = rng.normal(size=(clusters, dim)).astype(np.float32)
    labels = rng.integers(0, clusters, n)
    return l2_normalize(centres[labels] + 0.35 * rng.normal(size=(n, dim)).astype(np.float32))


def percentiles(times: list[float]) -> tuple[float, float]:
    return float(np.percentile(times, 50) * 1000), float(np.percentile(times, 95) * 1000)


def cpu_seconds() -> float:
    """CPU time of this process, every thread included (the index builds on threads of its own)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(fn, queries) -> tuple[list[float], list]:
    times, results = [], []
    for q in queries:
        start = time.perf_counter()
        results.append(fn(q))
        times.append(time.perf_counter() - start)
    return times, results


POOLED_STORAGE = {"float16": {"half": True, "quantize": False},  # the default (artscope.index.layout)
                  "float32": {"half": False, "quantize": False},
                  "int8": {"half": True, "quantize": True}}  # int8 scan, then the float16 vectors rescore
"""How the pooled token means are stored: ``--pooled-storage``."""


def bench_dense(root: Path, n: int, tokens: bool, rng: np.random.Generator, n_queries: int,
                efs: list[int], pooled_graph: bool, pooled_storage: str = "float16") -> list[dict]:
    dim, tok_dim, n_tok = 512, 64, 16
    pooled = pooled_spec(tok_dim).model_copy(update={"graph": pooled_graph, **POOLED_STORAGE[pooled_storage]})
    spec = SpaceSpec(name="images", vectors={"image": VectorSpec(size=dim)} | (
        {"pooled": pooled, "tokens": VectorSpec(size=tok_dim, multivector=True, graph=False, half=True)}
        if tokens else {}),
        keyword_fields=("artist",), integer_fields=("year",))
    store = EdgeStore(root / "index")
    store.ensure_space(spec)
    vectors = clustered(rng, n, dim)
    start = time.perf_counter()
    for lo in range(0, n, 2000):
        batch = []
        for i in range(lo, min(n, lo + 2000)):
            v = {"image": vectors[i]}
            if tokens:
                t = l2_normalize(vectors[i, :tok_dim] + 0.5 * rng.normal(size=(n_tok, tok_dim)).astype(np.float32))
                v |= {"tokens": t, "pooled": pool_tokens(t, 4)}
            batch.append(Point(id=i, vectors=v, payload={"artist": f"a{i % 500}", "year": 1400 + i % 600}))
        store.upsert("images", batch)
    upsert_s = time.perf_counter() - start
    start, cpu = time.perf_counter(), cpu_seconds()
    store.optimize()
    optimize_s, optimize_cpu_s = time.perf_counter() - start, cpu_seconds() - cpu
    picks = rng.integers(0, n, n_queries)
    queries = l2_normalize(vectors[picks] + 0.1 * rng.normal(size=(n_queries, dim)).astype(np.float32))
    _, exact = timed(lambda q: store.query("images", "image", q, 10, exact=True), queries)
    rows = []
    for ef in efs:
        os.environ["ARTSCOPE_HNSW_EF"] = str(ef)
        get_settings.cache_clear()
        for q in queries[:20]:  # warm caches
            store.query("images", "image", q, 10)
        approx_t, approx = timed(lambda q: store.query("images", "image", q, 10), queries)
        overlaps = [len({h.id for h in a} & {h.id for h in e}) / 10 for a, e in zip(approx, exact, strict=True)]
        filt_t, _ = timed(lambda q: store.query("images", "image", q, 10, filters={"artist": "a7"}), queries)
        rows.append({"n": n, "ef": ef, "upsert_s": upsert_s, "optimize_s": optimize_s, "optimize_cpu_s": optimize_cpu_s,
                     "dense": percentiles(approx_t), "recall@10": float(np.mean(overlaps)),
                     "filtered": percentiles(filt_t)})
    row = rows[-1]
    if tokens:
        token_queries = [l2_normalize(q[:tok_dim] + 0.5 * rng.normal(size=(n_tok, tok_dim)).astype(np.float32))
                         for q in queries]
        late_t, late = timed(lambda t: store.query("images", "tokens", t, 10,
                                                   prefetch=Prefetch("pooled", pool_tokens(t, 4), 200)),
                             token_queries)
        # against an exact first stage: what the pooled vectors' graph loses
        _, late_exact = timed(lambda t: store.query("images", "tokens", t, 10, exact=True,
                                                    prefetch=Prefetch("pooled", pool_tokens(t, 4), 200)),
                              token_queries)
        row["late"] = percentiles(late_t)
        row["late_recall@10"] = float(np.mean([len({h.id for h in a} & {h.id for h in e}) / 10
                                               for a, e in zip(late, late_exact, strict=True)]))
    store.close()
    return rows


def bench_text(root: Path, n: int, rng: np.random.Generator, n_queries: int) -> dict:
    store = EdgeStore(root / "text")
    store.ensure_space(SpaceSpec(name="records", vectors={"text": VectorSpec(size=384)}))
    vectors = clustered(rng, n, 384)
    for lo in range(0, n, 5000):
        store.upsert("records", [Point(id=i, vectors={"text": vectors[i]}, payload={})
                                 for i in range(lo, min(n, lo + 5000))])
    store.optimize()
    catalog = Catalog(root / "catalog.sqlite")  # the real catalog: its FTS5 table and query pruning
    ranks = np.arange(1, VOCABULARY + 1)
    zipf = (1 / ranks) / (1 / ranks).sum()
    words = rng.choice(VOCABULARY, (n, 30), p=zipf)
    with catalog.transaction():
        for i in range(n):
            catalog.upsert_artwork(ArtworkRecord(id=str(i), description=" ".join(f"w{k}" for k in words[i])))
    queries = l2_normalize(vectors[rng.integers(0, n, n_queries)] + 0.1 * rng.normal(size=(n_queries, 384)))
    queries_text = [" ".join(f"w{k}" for k in rng.choice(VOCABULARY, 3, p=zipf)) for _ in range(n_queries)]
    dense_t, _ = timed(lambda q: store.query("records", "text", q, 100), queries)
    bm25_t, _ = timed(lambda text: catalog.search_artworks_bm25(text, 100), queries_text)
    hybrid = [d + b for d, b in zip(dense_t, bm25_t, strict=True)]
    store.close()
    return {"n": n, "text_dense": percentiles(dense_t), "bm25": percentiles(bm25_t), "text_hybrid": percentiles(hybrid)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-tokens", action="store_true", help="Skip late interaction (saves memory at 1M).")
    parser.add_argument("--no-text", action="store_true")
    parser.add_argument("--ef", type=int, nargs="+", default=[128], help="HNSW ef values to measure.")
    parser.add_argument("--pooled-graph", action="store_true",
                        help="Build an HNSW graph over the pooled means (as before issue 17) instead of scanning them.")
    parser.add_argument("--pooled-storage", choices=list(POOLED_STORAGE), default="float16",
                        help="How the pooled means are stored (float16 is artscope's layout).")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print("| artworks | hnsw ef | upsert s | optimize s (CPU s) | dense p50/p95 ms | recall@10 | filtered p50/p95 ms "
          "| late-interaction p50/p95 ms (recall@10) | text dense p50/p95 ms | BM25 p50/p95 ms | hybrid p50/p95 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            rows = bench_dense(Path(tmp), n, not args.no_tokens, rng, args.queries, args.ef, args.pooled_graph,
                               args.pooled_storage)
            t = {} if args.no_text else bench_text(Path(tmp), n, rng, args.queries)
        fmt = lambda p: f"{p[0]:.2f} / {p[1]:.2f}" if p else "-"  # noqa: E731
        for d in rows:
            late = f"{fmt(d['late'])} ({d['late_recall@10']:.3f})" if "late" in d else "-"
            print(f"| {n:,} | {d['ef']} | {d['upsert_s']:.1f} | {d['optimize_s']:.1f} ({d['optimize_cpu_s']:.1f}) "
                  f"| {fmt(d['dense'])} | {d['recall@10']:.3f} | {fmt(d['filtered'])} | {late} "
                  f"| {fmt(t.get('text_dense'))} | {fmt(t.get('bm25'))} | {fmt(t.get('text_hybrid'))} |", flush=True)


if __name__ == "__main__":
    main()
