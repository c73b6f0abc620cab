"""Search: text and image queries over the catalog (BM25) and the index (dense, late interaction),
fused by weighted reciprocal rank, with filters, facets and a relevance cutoff."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from artscope.embedders.base import pool_tokens
from artscope.errors import InvalidInputError
from artscope.index import IMAGES, PASSAGES, RECORDS, Prefetch
from artscope.languages import detect_language
from artscope.media.images import content_hash, dhash, hamming, load_image, read_bytes
from artscope.tasks.search import verify
from artscope.tasks.search.composed import SCORE_LABEL, Change, change_words, compose, unchanged_ranking
from artscope.tasks.search.facets import count_facets
from artscope.tasks.search.filters import matches
from artscope.tasks.search.fusion import RRF_K, Ranking, fuse
from artscope.tasks.search.pixels import find_measured, measured_ranking
from artscope.tasks.search.types import SearchHit, SearchRequest, SearchResult, Signal
from artscope.types import Filters

if TYPE_CHECKING:
    from artscope.collection import Collection

NEAR_DUPLICATE_BITS = 10
"""Difference-hash bits (of 64) within which two images are near-duplicates (the same picture
re-encoded, resized or retouched). Global-vector cosine cannot decide this: with the builtin
embedder, different works of one kind reach 0.985."""
WEAK_TEXT_MATCH = 0.3
"""Below this best similarity a text query has no good match, even without ``min_score``: with the
builtin text model, relevant records score 0.4-0.8 (sample collection: "Roman amphitheatre" 0.65)
and unrelated ones under 0.25 ("harbour at sunset" 0.22). Cross-modal models score on other scales
and rely on ``min_score``."""
WEAK_CROSS_LINGUAL_MATCH = 0.23
"""... and for a query in another language than the records it meets (multilingual text models only):
cosines across languages run lower. Sample collection, builtin: the wanted records of 128 queries in
eight languages 0.21-0.6 (median 0.33); the best record for 19 of 20 queries about works it lacks,
written in nine languages, under 0.23 (German "schiefe Turm von Pisa": 0.29, the Eiffel Tower)."""
QUERY_LANGUAGE_MIN = 0.25
"""The probability from which a query's most likely language is taken as its language (31 languages:
a uniform guess is 0.03)."""
LANGUAGE_SAMPLE = 3
"""Top dense record hits whose text tells the language a query meets."""
VERIFY_TOP = 10
"""Candidates that geometric verification looks at."""
CENTRE_CROPS = (0.7, 0.5)


IMAGE_SIGNALS = frozenset({"image", "tokens", "image_centre70", "image_centre50"})


def _weights(rankings: dict[str, Ranking], given: dict[str, float]) -> dict[str, float]:
    """Each modality present gets one unit of weight, shared by its signals, so that a composed
    query (image + words) is not decided by the image's several signals alone; given weights win."""
    image = [name for name in rankings if name in IMAGE_SIGNALS]
    text = [name for name in rankings if name not in IMAGE_SIGNALS]
    weights = {name: 1.0 / len(image) for name in image} | {name: 1.0 / len(text) for name in text}
    return weights | given


def signal_similarity(signal: Signal) -> float:
    """A signal's raw score on a 0..1 scale, so that one cutoff serves every signal: cosines as they
    are; unbounded BM25 scores and inlier counts saturated."""
    if signal.name == "bm25":
        return signal.score / (signal.score + 5.0)
    if signal.name == "verified":
        return signal.score / (signal.score + verify.MIN_INLIERS)
    return signal.score


def _best_per_artwork(*lists: list[tuple[str, float, str]]) -> list[tuple[str, float, str]]:
    """Merge (artwork, score, evidence) lists keeping each artwork's best score, best first."""
    best: dict[str, tuple[float, str]] = {}
    for items in lists:
        for artwork, score, evidence in items:
            if artwork not in best or score > best[artwork][0]:
                best[artwork] = (score, evidence)
    return sorted(((a, s, e) for a, (s, e) in best.items()), key=lambda x: -x[1])


def crosses_languages(collection: Collection, text: str, dense: Ranking) -> bool:
    """Whether a text query is in another language than each of the records that the multilingual text
    model finds for it (their title and description tell). BM25 then only matches words that languages share
    by chance ("de", "la", "château"). A query's language counts from ``QUERY_LANGUAGE_MIN``: names
    belong to no language ("Brandenburg Gate" is at most 0.21 Dutch), a short phrase still has one ("la
    porte de Brandebourg": 0.31 Portuguese, 0.22 French, English 0.00)."""
    if not collection.info.multilingual:
        return False
    asked = detect_language(text, min_confidence=QUERY_LANGUAGE_MIN)
    if asked is None:
        return False
    records = collection.catalog.get_many([artwork for artwork, _ in dense[:LANGUAGE_SAMPLE]])
    found = (detect_language(f"{r.title or ''}. {r.description or ''}") for r in records)
    languages = {language.code for language in found if language is not None}
    # one record in the query's language is enough for its words to count ("Cafe Terrace at Night" among
    # Van Goghs with French titles is an English query)
    return bool(languages) and asked.code not in languages


def text_rankings(collection: Collection, text: str, filters: Filters, depth: int, pixels: bool = True
                  ) -> tuple[dict[str, Ranking], dict[tuple[str, str], str]]:
    """BM25 and dense text rankings of artworks, each scoring an artwork by its best evidence: its
    own record or one of its passages (so a few passages cannot crowd out records); with ``pixels``,
    text->pixels: the text vector against the images when the embedder is cross-modal, else the
    words its image measurements decide (``pixels``). Also returns which evidence won, per (signal,
    artwork)."""
    catalog, index = collection.catalog, collection.index
    record_bm25 = catalog.search_artworks_bm25(text, depth)
    ids = catalog.ids_for_rowids([rowid for rowid, _ in record_bm25])
    passage_bm25 = catalog.search_passages_bm25(text, depth)
    passages = catalog.passage_owners([rowid for rowid, _ in passage_bm25])
    vector = collection.embedder.embed_texts([text])[0]
    record_dense = index.query(RECORDS, "text", vector, depth, filters=filters)
    passage_dense = [h for h in index.query(PASSAGES, "text", vector, depth) if h.payload.get("artwork_id")]
    bm25 = _best_per_artwork(
        [(ids[r], score, "record") for r, score in record_bm25 if r in ids],
        [(passages[r][1], score, f"passage:{passages[r][0]}") for r, score in passage_bm25
         if r in passages and passages[r][1]])
    dense = _best_per_artwork(
        [(h.payload["artwork_id"], h.score, "record") for h in record_dense],
        [(h.payload["artwork_id"], h.score, f"passage:{h.payload['passage_id']}") for h in passage_dense])
    # passage and BM25 candidates did not pass through the index's payload filter: apply it here; without
    # filters, only check that the artworks passages name are in the catalog (a passage may name any id)
    if filters:
        unchecked = {a for a, _, e in bm25} | {a for a, _, e in dense if e != "record"}
        allowed = {r.id for r in catalog.get_many(list(unchecked)) if matches(r.payload(), filters)}
    else:
        allowed = catalog.existing([a for a, _, e in bm25 + dense if e != "record"]) \
            | {a for a, _, e in bm25 if e == "record"}
    allowed |= {h.payload["artwork_id"] for h in record_dense}
    rankings: dict[str, Ranking] = {"bm25": [(a, s) for a, s, _ in bm25 if a in allowed],
                                    "text": [(a, s) for a, s, _ in dense if a in allowed]}
    evidence = {("bm25", a): e for a, _, e in bm25} | {("text", a): e for a, _, e in dense}
    if pixels and collection.info.cross_modal:
        hits = index.query(IMAGES, "image", vector, depth, filters=filters)
        rankings["image_text"] = [(h.payload["artwork_id"], h.score) for h in hits]
    elif pixels and (found := find_measured(collection, text)):
        rankings["pixels"], measured = measured_ranking(collection, found, filters, depth)
        evidence |= {("pixels", a): e for a, e in measured.items()}
    return rankings, evidence


@dataclass
class QueryImage:
    vector: np.ndarray
    tokens: np.ndarray | None
    digest: str | None
    """Content hash of the query file, for exact-duplicate detection."""
    exclude: set[str]
    """Artworks not to return (the query artwork itself in "more like this")."""
    image: Image.Image | None = None
    dhash: str | None = None
    crops: dict[str, np.ndarray] | None = None
    """Global vectors of centre crops (identify mode): in a photo of a framed work on a wall, the
    work is near the centre and the wall would otherwise dominate the global features."""


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
    fractions = CENTRE_CROPS if request.verify else ()
    embeddings = collection.embedder.embed_images([image] + [_centre_crop(image, f) for f in fractions])
    tokens = embeddings.tokens[0] if embeddings.tokens is not None else None
    crops = {f"image_centre{int(f * 100)}": embeddings.global_vectors[i + 1] for i, f in enumerate(fractions)}
    return QueryImage(embeddings.global_vectors[0], tokens, content_hash(data) if data else None, set(), image,
                      dhash(image), crops)


def _centre_crop(image: Image.Image, fraction: float) -> Image.Image:
    width, height = image.size
    dx, dy = int(width * (1 - fraction) / 2), int(height * (1 - fraction) / 2)
    return image.crop((dx, dy, width - dx, height - dy))


DUPLICATE_CHECK_TOP = 20


def _match_kind(query: QueryImage, row: Any) -> str:
    """``exact`` (same file), ``near-duplicate`` (a few hash bits apart) or ``similar``."""
    if row is None:
        return "similar"
    if query.digest and row["content_hash"] == query.digest:
        return "exact"
    if query.dhash and row["dhash"] and hamming(query.dhash, row["dhash"]) <= NEAR_DUPLICATE_BITS:
        return "near-duplicate"
    return "similar"


def image_rankings(collection: Collection, request: SearchRequest, query: QueryImage, filters: Filters,
                   depth: int) -> tuple[dict[str, Ranking], dict[str, tuple[int, str]]]:
    """Image signals, and per artwork the best-matching view with its match kind."""
    vector, tokens, exclude = query.vector, query.tokens, query.exclude
    hits = collection.index.query(IMAGES, "image", vector, depth + len(exclude), filters=filters)
    rows = collection.catalog.view_rows([h.id for h in hits[:DUPLICATE_CHECK_TOP]])
    rankings: dict[str, Ranking] = {"image": []}
    best: dict[str, tuple[int, str]] = {}
    for hit in hits:
        artwork = hit.payload["artwork_id"]
        if artwork in exclude:
            continue
        rankings["image"].append((artwork, hit.score))
        if artwork not in best:
            best[artwork] = (hit.id, _match_kind(query, rows.get(hit.id)))
    for name, crop_vector in (query.crops or {}).items():
        crop_hits = collection.index.query(IMAGES, "image", crop_vector, depth, filters=filters)
        rankings[name] = [(h.payload["artwork_id"], h.score) for h in crop_hits]
        for hit in crop_hits:
            best.setdefault(hit.payload["artwork_id"], (hit.id, "similar"))
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
    composed = bool(request.text) and (request.image is not None or bool(request.artwork_id))
    rankings: dict[str, Ranking] = {}
    views: dict[str, tuple[int, str]] = {}
    query_image = None
    evidence: dict[tuple[str, str], str] = {}
    weak_match = WEAK_TEXT_MATCH
    if request.text and not composed:
        text_signals, evidence = text_rankings(collection, request.text, filters, depth)
        if crosses_languages(collection, request.text, text_signals["text"]):
            weak_match = WEAK_CROSS_LINGUAL_MATCH
            if "bm25" not in request.weights:  # the meaning finds the records, shared words mislead
                del text_signals["bm25"]
        rankings |= text_signals
    if request.image is not None or request.artwork_id:
        query_image = _query_image(collection, request)
        image_signals, views = image_rankings(collection, request, query_image, filters, depth)
        rankings |= image_signals
    notes: list[str] = []
    if composed and query_image is not None:
        change = _change(collection, request.text or "", filters, depth)
        image, best_views = rankings.get("image", []), {a: v for a, (v, _) in views.items()}
        unchanged = unchanged_ranking(collection, change, query_image.vector, filters, depth, query_image.exclude)
        if unchanged is not None:
            image, best_views = unchanged
        ordered = compose(collection, change, image, best_views, signal_similarity)
        label = SCORE_LABEL
        notes.append(f"{SCORE_LABEL} = √(look × change); change measured by {change.describe()}")
    else:
        ordered, label = _fused(rankings, request.weights, evidence), "fused rank"
    inliers: dict[str, int] = {}
    if request.verify:
        if query_image is None or query_image.image is None:
            raise InvalidInputError("Verification (identify mode) needs a query image.")
        ordered, inliers = _verify(collection, query_image.image, ordered, rankings)
        label = "verified first, then fused rank"
    scored = []
    for key, score, signals in ordered:
        similarity = score if composed else max(signal_similarity(s) for s in signals)
        if request.min_score is None or similarity >= request.min_score:
            scored.append((key, score, signals, similarity))
    page = scored[request.offset:request.offset + request.limit]
    records = {r.id: r for r in collection.catalog.get_many([key for key, *_ in page])}
    hits = [SearchHit(artwork=records[key], score=round(score, 6), similarity=round(float(similarity), 6),
                      signals=signals, view_id=views.get(key, (None, None))[0],
                      match=views.get(key, (None, None))[1], inliers=inliers.get(key))
            for key, score, signals, similarity in page if key in records]
    facets = count_facets(collection, collection.catalog.get_many([key for key, *_ in scored]), request.facets) \
        if request.facets else {}
    best = max((similarity for *_, similarity in scored), default=0.0)
    text_only = request.image is None and not request.artwork_id
    no_match = (not scored or (request.verify and not any(n >= verify.MIN_INLIERS for n in inliers.values()))
                or (text_only and not collection.info.cross_modal and best < weak_match))
    result = SearchResult(hits=hits, total=len(scored), facets=facets, no_good_match=no_match, score_label=label,
                          took_ms=round((time.perf_counter() - start) * 1000, 2), notes=notes)
    if request.reason:
        result = _reason(collection, request, result)
    return result


def _fused(rankings: dict[str, Ranking], given: dict[str, float], evidence: dict[tuple[str, str], str]
           ) -> list[tuple[str, float, list[Signal]]]:
    """Weighted reciprocal rank fusion, each score divided by the best possible one (first in every
    signal), so 1.0 means every signal put the work first; text signals say what matched."""
    weights = _weights(rankings, given)
    fused = fuse(rankings, weights)
    best_possible = sum(w / (RRF_K + 1) for name, w in weights.items() if w > 0 and rankings.get(name)) or 1.0
    for key, _, signals in fused:
        for signal in signals:
            signal.evidence = evidence.get((signal.name, key))
    return [(key, score / best_possible, signals) for key, score, signals in fused]


def _change(collection: Collection, text: str, filters: Filters, depth: int) -> Change:
    """The change words of a composed query: measured by pixels, read by a cross-modal embedder,
    or matched against the records and passages."""
    cross_modal = collection.info.cross_modal
    found = [] if cross_modal else find_measured(collection, text)
    words = change_words(text, found)
    word_rankings = text_rankings(collection, words, filters, depth, pixels=False)[0] if words else {}
    return Change(text=text, found=found, words=words, word_rankings=word_rankings, cross_modal=cross_modal)


def _reason(collection: Collection, request: SearchRequest, model_free: SearchResult) -> SearchResult:
    from artscope.llm import from_settings
    from artscope.tasks.search.imagescope import reasoned_search

    client = from_settings()
    if client is None:
        return model_free.model_copy(update={"notes": ["no language model configured (ARTSCOPE_LLM_URL): "
                                                       "model-free composition"]})
    with client:
        return reasoned_search(collection, request, client, model_free)


def _verify(collection: Collection, image: Image.Image, fused: list[tuple[str, float, list[Signal]]],
            rankings: dict[str, Ranking]) -> tuple[list[tuple[str, float, list[Signal]]], dict[str, int]]:
    """Rerank by geometric verification: verified works first (most inliers first), then the rest in
    fused order. Candidates: the fused top and the top of each centre-crop ranking."""
    candidates = [key for key, *_ in fused[:VERIFY_TOP]]
    for name, ranking in rankings.items():
        if name.startswith("image_centre"):
            candidates += [key for key, _ in ranking[:VERIFY_TOP // 2]]
    candidates = list(dict.fromkeys(candidates))
    query = verify.features(image)
    if not len(query.keypoints) and not verify.verifiable(image):  # sized again only when it found none
        width, height = image.size
        raise InvalidInputError(
            f"The photo is {width} x {height} px: identify mode (verify) needs its shorter side to be at "
            f"least {verify.MIN_SIDE} px once its longer side is scaled to {verify.WORKING_SIZE} px.")
    inliers: dict[str, int] = {}
    for record in collection.catalog.get_many(candidates):
        counts = [verify.inliers(query, f) for v in record.views
                  if (f := verify.stored_features(v.uri)) is not None]
        inliers[record.id] = max(counts, default=0)
    verified = sorted((k for k in candidates if inliers.get(k, 0) >= verify.MIN_INLIERS), key=lambda k: -inliers[k])
    by_key = {item[0]: item for item in fused}
    for key in verified:
        by_key[key][2].append(Signal(name="verified", rank=verified.index(key) + 1, score=float(inliers[key])))
    return [by_key[k] for k in verified] + [item for item in fused if item[0] not in verified], inliers
