"""Request and result types of the search task (shared by the CLI, Python API and HTTP API)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from artscope.types import ArtworkRecord, Filters


class SearchRequest(BaseModel):
    """What to look for. At least one of ``text``, ``image`` or ``artwork_id``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    text: str | None = None
    image: Any = Field(default=None, exclude=True)
    """A path, URL, bytes or PIL image (a query image is never stored)."""
    artwork_id: str | None = None
    """"More like this": the images of a stored artwork as the query."""
    filters: Filters = Field(default_factory=dict)
    limit: int = Field(default=10, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=10_000)
    weights: dict[str, float] = Field(default_factory=dict)
    """Per-signal weights in the rank fusion (``bm25``, ``text``, ``passages``, ``image``, ``tokens``...)."""
    min_score: float | None = None
    """Relevance cutoff on ``similarity``: weaker hits are dropped (and ``no_good_match`` is set)."""
    facets: list[str] = Field(default_factory=list)
    """Payload fields to count over the candidates (``type``, ``artist``, ...)."""
    reason: bool = False
    """Composed queries: let the configured language model reason (ImageScope); falls back to the
    model-free composition when no model answers."""
    verify: bool = False
    """Identify mode for photos of works: rerank the top image matches by geometric verification
    (ORB + RANSAC inliers); ``no_good_match`` then means "not in the collection"."""

    @field_validator("text")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() if value is not None else None


class Signal(BaseModel):
    """One ranking signal's contribution to a hit: which list, at what rank, with what raw score."""

    name: str
    rank: int
    score: float
    evidence: str | None = None
    """What matched for text signals: ``record`` or ``passage:<id>``."""


class SearchHit(BaseModel):
    artwork: ArtworkRecord
    score: float
    """What the hits are ordered by, 0..1; ``SearchResult.score_label`` names it: the fused rank (the
    weighted reciprocal-rank fusion of the signals over its best possible value: 1 = first in every
    signal) or, for composed queries, the composed match √(look × change)."""
    similarity: float
    """The best calibrated similarity among the signals, 0..1 (for composed queries the composed
    match): what ``min_score`` thresholds."""
    signals: list[Signal] = Field(default_factory=list)
    view_id: int | None = None
    """The image that matched, for image signals."""
    match: str | None = None
    """For image queries: ``exact`` (same file), ``near-duplicate`` or ``similar``."""
    inliers: int | None = None
    """Geometric verification (``verify=True``): keypoint matches consistent with one homography."""


class SearchResult(BaseModel):
    hits: list[SearchHit]
    total: int
    """Candidates found before the limit."""
    facets: dict[str, dict[str, int]] = Field(default_factory=dict)
    score_label: str = "fused rank"
    """What each hit's ``score`` is (and so what orders them), in words for a results page."""
    no_good_match: bool = False
    """True when nothing is a good match: nothing passed ``min_score``, a text query's best similarity is
    weak, or (identify mode) no candidate was verified. Better said than hidden behind noise."""
    took_ms: float = 0.0
    notes: list[str] = Field(default_factory=list)
    """What the engine did that the caller should know (a fallback, the LLM's target description)."""
