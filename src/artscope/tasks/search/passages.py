"""Image or text -> passages (wall texts, encyclopedia paragraphs, essays), as ArtSeek retrieves
WikiFragments: hybrid BM25 + dense over the passages, and for an image, the passages of the
artworks it matches and the passages that show a picture like it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from artscope.errors import InvalidInputError
from artscope.index import PASSAGE_IMAGES, PASSAGES
from artscope.tasks.search.fusion import Ranking, fuse
from artscope.tasks.search.types import SearchRequest, Signal
from artscope.types import Passage

if TYPE_CHECKING:
    from artscope.collection import Collection


class PassageSearchRequest(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    text: str | None = None
    image: Any = Field(default=None, exclude=True)
    artwork_id: str | None = None
    """Only the passages tied to this artwork (ranked by ``text`` if given)."""
    limit: int = Field(default=10, ge=1, le=200)
    min_score: float | None = None


class PassageHit(BaseModel):
    passage: Passage
    score: float
    similarity: float
    signals: list[Signal] = Field(default_factory=list)
    artwork_title: str | None = None


class PassageSearchResult(BaseModel):
    hits: list[PassageHit]
    no_good_match: bool = False
    identified: list[str] = Field(default_factory=list)
    """For image queries: the artworks the image matched, whose passages are returned first."""
    took_ms: float = 0.0


def search_passages(collection: Collection, request: PassageSearchRequest) -> PassageSearchResult:
    """The passage-search entry function."""
    from artscope.tasks.search.engine import search, signal_similarity

    start = time.perf_counter()
    text = (request.text or "").strip()
    if not text and request.image is None and not request.artwork_id:
        raise InvalidInputError("Give a text, an image or an artwork id to find passages for.")
    catalog = collection.catalog
    rankings: dict[str, Ranking] = {}
    depth = max(50, request.limit * 5)
    if text:
        bm25 = catalog.search_passages_bm25(text, depth)
        rankings["bm25"] = [(str(rowid), score) for rowid, score in bm25]
        vector = collection.embedder.embed_texts([text])[0]
        rankings["text"] = [(str(h.id), h.score) for h in collection.index.query(PASSAGES, "text", vector, depth)]
    identified: list[str] = []
    if request.image is not None:
        matches = search(collection, SearchRequest(image=request.image, limit=3, weights={"tokens": 0}))
        identified = [h.artwork.id for h in matches.hits if h.match in ("exact", "near-duplicate")] or \
            [h.artwork.id for h in matches.hits[:1]]
        rankings["image"] = [(str(r), 1.0) for a in identified for r in _passage_rowids(collection, a)]
        rankings["passage_image"] = _showing_like(collection, request.image, depth)
    allowed = set(_passage_rowids(collection, request.artwork_id)) if request.artwork_id else None
    if request.artwork_id and not text:
        rankings["artwork"] = [(str(r), 1.0) for r in sorted(allowed or [])]
    fused = [(int(key), score, signals) for key, score, signals in fuse(rankings)
             if allowed is None or int(key) in allowed]
    passages = catalog.passages_by_rowids([key for key, *_ in fused[:request.limit * 2]])
    titles = {r.id: r.title for r in catalog.get_many(list({p.artwork_id for p in passages.values()
                                                            if p.artwork_id}))}
    hits = []
    for key, score, signals in fused:
        if key not in passages:
            continue
        similarity = max(signal_similarity(s) for s in signals)
        if request.min_score is not None and similarity < request.min_score:
            continue
        passage = passages[key]
        hits.append(PassageHit(passage=passage, score=round(score, 6), similarity=round(similarity, 6),
                               signals=signals, artwork_title=titles.get(passage.artwork_id or "")))
        if len(hits) == request.limit:
            break
    return PassageSearchResult(hits=hits, no_good_match=not hits, identified=identified,
                               took_ms=round((time.perf_counter() - start) * 1000, 2))


def _showing_like(collection: Collection, image: Any, depth: int) -> Ranking:
    """Passages that show an image like the query (a Wikipedia paragraph's pictures), by cosine."""
    from artscope.tasks.search.engine import _query_image

    if not collection.index.count(PASSAGE_IMAGES):
        return []
    vector = _query_image(collection, SearchRequest(image=image)).vector
    hits = collection.index.query(PASSAGE_IMAGES, "image", vector, depth)
    showing = collection.catalog.passages_showing([hit.id for hit in hits])
    return [(str(rowid), hit.score) for hit in hits for rowid in showing.get(hit.id, [])]


def _passage_rowids(collection: Collection, artwork_id: str) -> list[int]:
    collection.catalog.get(artwork_id)  # NotFoundError for an unknown id
    return collection.catalog.passage_rowids_for(artwork_id)
