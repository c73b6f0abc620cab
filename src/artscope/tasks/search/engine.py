"""Search: text and image queries over the catalog (BM25) and the index (dense, late interaction),
fused by weighted reciprocal rank, with filters, facets and a relevance cutoff."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from artscope.embedders.base import pool_tokens
from artscope.errors import InvalidInputError
from artscope.index import IMAGES, PASSAGES, RECORDS, Prefetch
from artscope.ingest.images import content_hash, load_image, read_bytes
from artscope.tasks.search import verify
from artscope.tasks.search.filters import matches
from artscope.tasks.search.fusion import Ranking, fuse
from artscope.tasks.search.types import SearchHit, SearchRequest, SearchResult, Signal
from artscope.types import ArtworkRecord, Filters

if TYPE_CHECKING:
    from artscope.collection import Collection

NEAR_DUPLICATE = 0.97
"""Cosine of global image vectors above which two images are reported as near-duplicates."""
VERIFY_TOP = 10
"""Candidates that geometric verification looks at."""


def signal_similarity(signal: Signal) -> float:
    """A signal's raw score on a 0..1 scale, so that one cutoff serves every signal: cosines as they
    are; unbounded BM25 scores and inlier counts saturated."""
    if signal.name == "bm25":
        return signal.score / (signal.score + 5.0)
    if signal.name == "verified":
        return signal.score / (signal.score + verify.MIN_INLIERS)
    return signal.score


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


@dataclass
class QueryImage:
    vector: np.ndarray
    tokens: np.ndarray | None
    digest: str | None
    """Content hash of the query file, for exact-duplicate detection."""
    exclude: set[str]
    """Artworks not to return (the query artwork itself in "more like this")."""
    image: Image.Image | None = None


def _query_image(collection: Collection, request: SearchRequest) -> QueryImage:
    """The query image (or the stored artwork's first image) as vectors."""
    if request.artwork_id:
        record = collection.catalog.get(request.artwork_id)
        view_ids = [v.id for v in record.views if v.id is not None]
        if not view_ids:
            raise InvalidInputError(f"Artwork {request.artwork_id!r} has no indexed image to search with.")
        stored = collection.index.retrieve(IMAGES, view_ids[:1], vectors=["image", "tokens"])
        vectors = stored[0].vectors or {}
        tokens = np.asarray(vectors["tokens"], dtype=np.float32) if vectors.get("tokens") else None
        return QueryImage(np.asarray(vectors["image"], dtype=np.float32), tokens, None, {record.id})
    data = request.image if isinstance(request.image, bytes) else None
    if isinstance(request.image, str) and not request.image.startswith("http"):
        data = read_bytes(request.image)
    image = load_image(data if data is not None else request.image, draft_size=512)
    embeddings = collection.embedder.embed_images([image])
    tokens = embeddings.tokens[0] if embeddings.tokens is not None else None
    return QueryImage(embeddings.global_vectors[0], tokens, content_hash(data) if data else None, set(), image)


def image_rankings(collection: Collection, request: SearchRequest, query: QueryImage, filters: Filters,
                   depth: int) -> tuple[dict[str, Ranking], dict[str, tuple[int, str]]]:
    """Image signals, and per artwork the best-matching view with its match kind."""
    vector, tokens, digest, exclude = query.vector, query.tokens, query.digest, query.exclude
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
        # late interaction: MaxSim over a few pooled token means finds candidates, all tokens rescore
        pooled = pool_tokens(tokens, collection.manifest.pooled_tokens)
        late = collection.index.query(IMAGES, "tokens", tokens, depth,
                                      prefetch=Prefetch("pooled", pooled, depth * 2), filters=filters)
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
    query_image = None
    if request.text:
        rankings |= text_rankings(collection, request.text, filters, depth)
    if request.image is not None or request.artwork_id:
        query_image = _query_image(collection, request)
        image_signals, views = image_rankings(collection, request, query_image, filters, depth)
        rankings |= image_signals
    fused = fuse(rankings, request.weights)
    inliers: dict[str, int] = {}
    if request.verify:
        if query_image is None or query_image.image is None:
            raise InvalidInputError("Verification (identify mode) needs a query image.")
        fused, inliers = _verify(collection, query_image.image, fused)
    scored = []
    for key, score, signals in fused:
        similarity = max(signal_similarity(s) for s in signals)
        if request.min_score is None or similarity >= request.min_score:
            scored.append((key, score, signals, similarity))
    page = scored[request.offset:request.offset + request.limit]
    records = {r.id: r for r in collection.catalog.get_many([key for key, *_ in page])}
    hits = [SearchHit(artwork=records[key], score=round(score, 6), similarity=round(float(similarity), 6),
                      signals=signals, view_id=views.get(key, (None, None))[0],
                      match=views.get(key, (None, None))[1], inliers=inliers.get(key))
            for key, score, signals, similarity in page if key in records]
    facets = _facets(collection, [key for key, *_ in scored], request.facets)
    no_match = not scored or (request.verify and not any(n >= verify.MIN_INLIERS for n in inliers.values()))
    return SearchResult(hits=hits, total=len(scored), facets=facets, no_good_match=no_match,
                        took_ms=round((time.perf_counter() - start) * 1000, 2))


def _verify(collection: Collection, image: Image.Image, fused: list[tuple[str, float, list[Signal]]]
            ) -> tuple[list[tuple[str, float, list[Signal]]], dict[str, int]]:
    """Rerank the top candidates by geometric verification: verified works first, most inliers first."""
    top = fused[:VERIFY_TOP]
    query = verify.features(image)
    inliers: dict[str, int] = {}
    for record in collection.catalog.get_many([key for key, *_ in top]):
        counts = [verify.inliers(query, f) for v in record.views
                  if (f := verify.stored_features(v.uri)) is not None]
        inliers[record.id] = max(counts, default=0)
    def verified_first(item: tuple[str, float, list[Signal]]) -> int:
        count = inliers.get(item[0], 0)
        return -count if count >= verify.MIN_INLIERS else 0  # a stable sort keeps the rest in order

    ranked = sorted(top, key=verified_first)
    for key, _, signals in ranked:
        if inliers.get(key, 0) >= verify.MIN_INLIERS:
            signals.append(Signal(name="verified", rank=0, score=float(inliers[key])))
    return ranked + fused[VERIFY_TOP:], inliers


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
