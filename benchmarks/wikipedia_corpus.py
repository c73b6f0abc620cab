"""Benchmark the Wikipedia corpus: how fast a dump is read and parsed into passages, and what that
projects to for the full English dump and for ArtSeek's visual-arts subset.

    python benchmarks/wikipedia_corpus.py                  # the test excerpt (206 pages, 1.7 MB bz2)
    python benchmarks/wikipedia_corpus.py --embed 300      # also embed 300 passages with the builtin model
    python benchmarks/wikipedia_corpus.py --dump FILE      # another dump (a part of a real one)

Stages, each timed in wall and CPU seconds (the CPU figure is steadier on a shared machine):
  * read: a pass over the dump with mwxml (bz2 decompression + XML), as the category crawl does;
  * parse: ``page_passages`` on every article (mwparserfromhell + the walk), as the second pass does;
  * embed (optional): the builtin text model on passages, which the indexer does after each batch.
Projections use the measured rates and the sizes given (defaults: about 22 GB compressed and
100 GB of XML for a 2024 enwiki pages-articles dump, of which about 80 GB is article wikitext;
8.2 million passages for the visual-arts subset, ArtSeek's WikiFragments). Reading is one process
per pass; parsing is one process (a second one on the second core halves it: ``page_passages`` is a
pure function of one page); embedding uses both cores.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from timing import Timer

from artscope.ingest.sources.wikidump import ARTICLE_NAMESPACE, Dump, page_categories
from artscope.ingest.sources.wikipedia import page_passages

EXCERPT = (Path(__file__).resolve().parents[1] / "tests" / "data" / "wikipedia"
           / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")


def measure(path: Path, embed: int) -> dict[str, float]:
    dump = Dump(path, "https://upload.wikimedia.org/wikipedia/commons")
    site = dump.site()
    with Timer() as read:
        pages = list(dump.pages())
    compressed = dump.counter.consumed if dump.counter else 0
    articles = [p for p in pages if p.namespace == ARTICLE_NAMESPACE and not p.redirect]
    text_bytes = sum(len(p.text.encode("utf-8")) for p in articles)
    with Timer() as parse:
        passages = [q for p in articles for q in page_passages(p, site, page_categories(p.text, site.names))]
    out = {"compressed_mb": path.stat().st_size / 1e6, "pages": len(pages), "articles": len(articles),
           "article_text_mb": text_bytes / 1e6, "passages": len(passages), "read_wall_s": read.wall,
           "read_cpu_s": read.cpu, "parse_wall_s": parse.wall, "parse_cpu_s": parse.cpu}
    out["compressed_read_mb_per_cpu_s"] = compressed / 1e6 / read.cpu
    out["parse_mb_per_cpu_s"] = out["article_text_mb"] / parse.cpu
    out["parse_passages_per_cpu_s"] = len(passages) / parse.cpu
    if embed:
        import artscope.embedders.registry as registry

        embedder = registry.create_embedder("builtin")
        texts = [p.text for p in passages[:embed]]
        embedder.embed_texts(texts[:8])  # load the model first
        with Timer() as encode:
            embedder.embed_texts(texts)
        out["embed_passages_per_wall_s"] = len(texts) / encode.wall
        out["embed_passages_per_cpu_s"] = len(texts) / encode.cpu
    return out


def project(rates: dict[str, float], dump_gb: float, article_text_gb: float, subset_passages: float) -> dict:
    """Hours for the full dump and for the visual-arts subset on this machine."""
    read_h = dump_gb * 1000 / rates["compressed_read_mb_per_cpu_s"] / 3600  # one pass
    full_parse_h = article_text_gb * 1000 / rates["parse_mb_per_cpu_s"] / 3600
    subset_parse_h = subset_passages / rates["parse_passages_per_cpu_s"] / 3600
    out = {"one_read_pass_h": read_h, "full_dump_h (read + parse, 1 process)": read_h + full_parse_h,
           "full_dump_h (read + parse, 2 processes)": read_h + full_parse_h / 2,
           "visual_arts_h (2 read passes + parse, 1 process)": 2 * read_h + subset_parse_h}
    if "embed_passages_per_cpu_s" in rates:  # torch keeps both cores busy: 2 CPU-seconds a second
        embed_h = subset_passages / rates["embed_passages_per_cpu_s"] / 2 / 3600
        out["visual_arts_embed_h (builtin text, 2 cores)"] = embed_h
    return {k: round(v, 1) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path, default=EXCERPT)
    parser.add_argument("--embed", type=int, default=0, help="Embed this many passages with the builtin model.")
    parser.add_argument("--dump-gb", type=float, default=22.0, help="Compressed size of the full dump.")
    parser.add_argument("--article-text-gb", type=float, default=80.0, help="Article wikitext in the full dump.")
    parser.add_argument("--subset-passages", type=float, default=8.2e6, help="Passages of the subset.")
    args = parser.parse_args()
    rates = measure(args.dump, args.embed)
    print(json.dumps({k: round(v, 3) for k, v in rates.items()}, indent=2))
    print(json.dumps(project(rates, args.dump_gb, args.article_text_gb, args.subset_passages), indent=2))


if __name__ == "__main__":
    main()
