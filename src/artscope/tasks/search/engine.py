"""Search: text and image queries over the catalog (BM25) and the index (dense, late interaction),
fused by weighted reciprocal rank, with filters, facets and a relevance cutoff."""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from artscope.errors import InvalidInputError
from artscope.index import IMAGES, PASSAGES, RECORDS, Prefetch
from artscope.ingest.images import content_hash, load_image, read_bytes
from artscope.tasks.search.filters import matches
from artscope.tasks.search.fusion import Ranking, fuse
from artscope.tasks.search.types import SearchHit, SearchRequest, SearchResult
from artscope.types import ArtworkRecord, Filters

if TYPE_CHECKING:
    from artscope.collection import Collection

NEAR_DUPLICATE = 0.97
"""Cosine of global image vectors above which two images are reported as near-duplicates."""
DENSE_SIGNALS = ("text", "passages", "image", "image_text", "tokens")


def _bm25_similarity(score: float) -> float:
    """BM25 is unbounded; saturate it to 0..1 so it can share a cutoff with cosine similarities."""
    return score / (score + 5.0)


def text_rankings(collection: Collection, text: str, filters: Filters, depth: int) -> dict[str, Ranking]:
    """BM25 over catalogue text, dense over records and passages, and text->pixels when cross-modal."""
    catalog, index = collection.catalog, collection.index
    rankings: dict[str, Ranking] = {}
    bm25 = catalog.search_artworks_bm25(text, depth)
    records = {r.id: r for r in catalog.get_by_rowids([rowid for rowid, _ in bm25])}
    ids = catalog.ids_for_rowids([rowid for rowid, _ in bm25])
    rankings["bm25"] = [(ids[rowid], score) for rowid, score in bm25
                        if rowid in ids and matches(records[ids[rowid]].payload(), filters)]
    vector = collection.embedder.embed_texts([text])[0]
    hits = index.query(RECORDS, "text", vector, depth, filters=filters)
    rankings["text"] = [(h.payload["artwork_id"], h.score) for h in hits]
    passage_hits = [h for h in index.query(PASSAGES, "text", vector, depth) if h.payload.get("artwork_id")]
    owners = {r.id: r for r in catalog.get_many(list({h.payload["artwork_id"] for h in passage_hits}))}
    rankings["passages"] = [(h.payload["artwork_id"], h.score) for h in passage_hits
                            if h.payload["artwork_id"] in owners
                            and matches(owners[h.payload["artwork_id"]].payload(), filters)]
    if collection.info.cross_modal:
        hits = index.query(IMAGES, "image", vector, depth, filters=filters)
        rankings["image_text"] = [(h.payload["artwork_id"], h.score) for h in hits]
    return rankings


def _query_vectors(collection: Collection, request: SearchRequest) -> tuple[np.ndarray, np.ndarray | None,
                                                                              str | None, set[str]]:
    """(global vector, tokens, content hash, artwork ids to exclude) of the query image(s)."""
    if request.artwork_id:
        record = collection.catalog.get(request.artwork_id)
        view_ids = [v.id for v in record.views if v.id is not None]
        if not view_ids:
            raise InvalidInputError(f"Artwork {request.artwork_id!r} has no indexed image to search with.")
        stored = collection.index.retrieve(IMAGES, view_ids[:1], vectors=["image", "tokens"])
        vectors = stored[0].vectors or {}
        tokens = np.asarray(vectors["tokens"], dtype=np.float32) if vectors.get("tokens") else None
        return np.asarray(vectors["image"], dtype=np.float32), tokens, None, {record.id}
    data = request.image if isinstance(request.image, bytes) else None
    if isinstance(request.image, str) and not request.image.startswith("http"):
        data = read_bytes(request.image)
    image = load_image(data if data is not None else request.image, draft_size=512)
    embeddings = collection.embedder.embed_images([image])
    tokens = embeddings.tokens[0] if embeddings.tokens is not None else None
    return embeddings.global_vectors[0], tokens, content_hash(data) if data else None, set()


def image_rankings(collection: Collection, request: SearchRequest, filters: Filters, depth: int
                   ) -> tuple[dict[str, Ranking], dict[str, tuple[int, str]]]:
    """Image signals, and per artwork the best-matching view with its match kind."""
    vector, tokens, digest, exclude = _query_vectors(collection, request)
    hits = collection.index.query(IMAGES, "image", vector, depth + len(exclude), filters=filters)
    hashes = {}
    if digest:
        rows = collection.catalog.view_rows([h.id for h in hits[:5]])
        hashes = {view_id: row["content_hash"] for view_id, row in rows.items()}
    rankings: dict[str, Ranking] = {"image": []}
    best: dict[str, tuple[int, str]] = {}
    for hit in hits:
        artwork = hit.payload["artwork_id"]
        if artwork in exclude:
            continue
        rankings["image"].append((artwork, hit.score))
        if artwork not in best:
            kind = "exact" if digest and hashes.get(hit.id) == digest else (
                "near-duplicate" if hit.score >= NEAR_DUPLICATE else "similar")
            best[artwork] = (hit.id, kind)
    if tokens is not None and request.weights.get("tokens", 1.0) > 0:
        late = collection.index.query(IMAGES, "tokens", tokens, depth,
                                      prefetch=Prefetch("image", vector, depth * 2), filters=filters)
        rankings["tokens"] = [(h.payload["artwork_id"], h.score / max(len(tokens), 1)) for h in late
                              if h.payload["artwork_id"] not in exclude]
    return rankings, best


def search(collection: Collection, request: SearchRequest) -> SearchResult:
    """The search task's entry function."""
    start = time.perf_counter()
    if not request.text and request.image is None and not request.artwork_id:
        raise InvalidInputError("Give a text query, an image, or an artwork id to search with.")
    filters = collection.check_filters(request.filters)
    depth = max(100, 3 * (request.offset + request.limit))
    rankings: dict[str, Ranking] = {}
    views: dict[str, tuple[int, str]] = {}
    if request.text:
        rankings |= text_rankings(collection, request.text, filters, depth)
    if request.image is not None or request.artwork_id:
        image_signals, views = image_rankings(collection, request, filters, depth)
        rankings |= image_signals
    fused = fuse(rankings, request.weights)
    scored = []
    for key, score, signals in fused:
        similarity = max((s.score if s.name in DENSE_SIGNALS else _bm25_similarity(s.score))
                         for s in signals)
        if request.min_score is None or similarity >= request.min_score:
            scored.append((key, score, signals, similarity))
    page = scored[request.offset:request.offset + request.limit]
    records = {r.id: r for r in collection.catalog.get_many([key for key, *_ in page])}
    hits = [SearchHit(artwork=records[key], score=round(score, 6), similarity=round(float(similarity), 6),
                      signals=signals, view_id=views.get(key, (None, None))[0],
                      match=views.get(key, (None, None))[1])
            for key, score, signals, similarity in page if key in records]
    facets = _facets(collection, [key for key, *_ in scored], request.facets)
    return SearchResult(hits=hits, total=len(scored), facets=facets, no_good_match=not scored,
                        took_ms=round((time.perf_counter() - start) * 1000, 2))


def _facets(collection: Collection, keys: list[str], fields: list[str]) -> dict[str, dict[str, int]]:
    if not fields:
        return {}
    known = collection.filter_fields()
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise InvalidInputError(f"Unknown facet field(s) {unknown}. Known: {', '.join(sorted(known))}.")
    records: list[ArtworkRecord] = collection.catalog.get_many(keys)
    out: dict[str, dict[str, int]] = {}
    for field in fields:
        counts: Counter[str] = Counter()
        for record in records:
            value = record.payload().get(field)
            for v in value if isinstance(value, list) else [value]:
                if v is not None:
                    counts[str(v)] += 1
        out[field] = dict(counts.most_common(50))
    return out
