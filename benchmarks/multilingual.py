"""Benchmark text search in visitors' own languages on the sample collection (English records).

    python benchmarks/multilingual.py                          # builds the sample collection in a temp dir
    python benchmarks/multilingual.py --collection demo-collection --embedder builtin

``multilingual_queries.jsonl`` beside this script holds queries written for this benchmark, each
with the record(s) it wants: the ``parallel`` set is the same 16 queries in each of nine languages
(English, French, German, Spanish, Italian, Japanese, Chinese, Arabic, Russian; 144 in all), twelve
descriptions ("the tallest brick minaret in the world") and four names ("Brandenburg Gate"); the
``paraphrase`` set is 40 harder English queries that avoid the records' own words ("holiest shrine
of the Sikhs"), to check that English quality holds. A query counts as a hit at k when one
of its wanted records is among the first k results of ``Collection.search`` (hybrid: BM25 and
the dense text vectors fused). Printed per language: hit@1, hit@3, MRR over the first 10, the share
of queries that search flagged ``no_good_match``, and latency (the query's text embedding alone, and
the whole search, wall and CPU time) as median and 95th percentile over all queries. Latency is measured after one
warm-up query (the text models load on the first text).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

import artscope
from artscope.demo import SAMPLE_COLLECTION

QUERIES = Path(__file__).with_name("multilingual_queries.jsonl")


def load_queries() -> list[dict]:
    return [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(collection: artscope.Collection, queries: list[dict]) -> dict:
    collection.search(queries[0]["query"], limit=3)  # warm-up: loads the text models
    rows: dict[str, list[tuple[int | None, bool]]] = defaultdict(list)  # by "language" or "language set"
    embed_ms, search_ms, search_cpu_ms, misses = [], [], [], []
    for q in queries:
        start = time.perf_counter()
        collection.embedder.embed_texts([q["query"]])
        embed_ms.append((time.perf_counter() - start) * 1000)
        start, cpu = time.perf_counter(), time.process_time()
        result = collection.search(q["query"], limit=10)
        search_ms.append((time.perf_counter() - start) * 1000)
        search_cpu_ms.append((time.process_time() - cpu) * 1000)
        ids = [hit.artwork.id for hit in result.hits]
        rank = next((i + 1 for i, a in enumerate(ids) if a in q["wanted"]), None)
        group = q["language"] if q["set"] == "parallel" else f"{q['language']} {q['set']}"
        rows[group].append((rank, result.no_good_match))
        if rank is None or rank > 3:
            misses.append((q["language"], q["query"], q["wanted"][0], ids[:3]))
    table = {}
    for language, results in rows.items():
        ranks = [r for r, _ in results]
        table[language] = {
            "queries": len(results),
            "hit@1": sum(r == 1 for r in ranks if r) / len(results),
            "hit@3": sum(r <= 3 for r in ranks if r) / len(results),
            "mrr@10": sum(1 / r for r in ranks if r) / len(results),
            "no_good_match": sum(flag for _, flag in results) / len(results),
        }
    return {"languages": table, "misses": misses,
            "embed_ms": {"p50": float(np.median(embed_ms)), "p95": float(np.percentile(embed_ms, 95))},
            "search_ms": {"p50": float(np.median(search_ms)), "p95": float(np.percentile(search_ms, 95))},
            "search_cpu_ms": {"p50": float(np.median(search_cpu_ms)),
                              "p95": float(np.percentile(search_cpu_ms, 95))}}


def print_report(report: dict, spec: str) -> None:
    print(f"embedder {spec}")
    print("| queries | count | hit@1 | hit@3 | MRR@10 | no_good_match |")
    print("|---|---|---|---|---|---|")
    for language, row in report["languages"].items():
        print(f"| {language} | {row['queries']} | {row['hit@1']:.3f} | {row['hit@3']:.3f} | {row['mrr@10']:.3f} "
              f"| {row['no_good_match']:.3f} |")
    e, s, c = report["embed_ms"], report["search_ms"], report["search_cpu_ms"]
    print(f"query embedding p50 {e['p50']:.1f} ms, p95 {e['p95']:.1f} ms; "
          f"whole search p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms (CPU time p50 {c['p50']:.1f} ms, "
          f"p95 {c['p95']:.1f} ms); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for language, query, wanted, got in report["misses"]:
        print(f"  miss [{language}] {query!r}: wanted {wanted}, top 3 {got}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", type=Path, help="an existing collection of the sample data "
                        "(built here in a temporary directory when left out)")
    parser.add_argument("--embedder", default="builtin", help="embedder spec for a collection built here")
    parser.add_argument("--json", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    queries = load_queries()
    with tempfile.TemporaryDirectory() as tmp:
        if args.collection:
            collection = artscope.open(args.collection)
        else:
            collection = artscope.create(Path(tmp) / "sample", embedder=args.embedder)
            collection.ingest([SAMPLE_COLLECTION])
        with collection:
            report = run(collection, queries)
            print_report(report, collection.info.spec)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
