"""The vector store interface. Two implementations: Qdrant Edge in-process (the default) and
qdrant-client against a Qdrant server or cluster by URL.

A store holds *spaces* (an Edge shard each, or a server collection each); a point id is the
SQLite rowid of the thing it embeds, so the catalog and the index join without a mapping table.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

from artscope.errors import InvalidInputError
from artscope.types import Filters, Range, storable_whole


class VectorSpec(BaseModel):
    size: int
    multivector: bool = False
    graph: bool = True
    """False: no HNSW graph (late-interaction tokens are only used to rescore)."""
    quantize: bool = True
    """int8 scalar quantization with rescoring."""
    half: bool = False
    """Store originals as float16 (token vectors: half the bytes, MaxSim unchanged to ~1e-3)."""


class SpaceSpec(BaseModel):
    name: str
    vectors: dict[str, VectorSpec]
    keyword_fields: tuple[str, ...] = ()
    integer_fields: tuple[str, ...] = ()


@dataclass
class Point:
    id: int
    vectors: dict[str, np.ndarray]
    payload: dict[str, Any] = field(default_factory=dict)


OWNER_FIELDS = ("artwork_id", "passage_id")
"""The payload a query's hits carry: whose point it is. Every other field is the catalog's to tell (reading
each hit's whole payload cost a 100k text search about 4 ms under the profiler, of about 40)."""


@dataclass
class Hit:
    id: int
    score: float
    payload: dict[str, Any]
    """``OWNER_FIELDS`` (those the point has) in a query's hits; everything in retrieved and scrolled points."""
    vectors: dict[str, Any] | None = None


@dataclass
class Prefetch:
    """A first stage: the candidates a final query rescores."""

    using: str
    vector: np.ndarray
    limit: int


class VectorStore(ABC):
    """What tasks and ingest need from a vector database."""

    @abstractmethod
    def ensure_space(self, spec: SpaceSpec) -> None:
        """Create the space if missing (idempotent); index its payload fields."""

    @abstractmethod
    def has_space(self, name: str) -> bool: ...

    @abstractmethod
    def upsert(self, space: str, points: Sequence[Point]) -> None:
        """Insert or replace points; one call is all-or-nothing."""

    @abstractmethod
    def delete(self, space: str, ids: Sequence[int]) -> None: ...

    @abstractmethod
    def set_payload(self, space: str, ids: Sequence[int], payload: dict[str, Any]) -> None:
        """Replace the payload of existing points (metadata edits need no re-embedding)."""

    @abstractmethod
    def query(self, space: str, using: str, vector: np.ndarray, limit: int,
              filters: Filters | None = None, prefetch: Prefetch | None = None,
              exact: bool = False) -> list[Hit]:
        """Nearest points by ``using`` (cosine; MaxSim for multivectors), best first, with their
        ``OWNER_FIELDS``."""

    @abstractmethod
    def retrieve(self, space: str, ids: Sequence[int], vectors: Sequence[str] = ()) -> list[Hit]:
        """Points by id (score 0), with the named vectors if asked."""

    @abstractmethod
    def scroll(self, space: str, vectors: Sequence[str] = (), filters: Filters | None = None,
               batch: int = 1024) -> Iterator[Hit]:
        """Every point, in id order."""

    @abstractmethod
    def count(self, space: str, filters: Filters | None = None) -> int: ...

    @abstractmethod
    def facet(self, space: str, key: str, filters: Filters | None = None, limit: int = 20) -> dict[str, int]:
        """Counts of the values of a keyword payload field."""

    def optimize(self) -> None:
        """Build approximate indexes (HNSW, quantization) for what was added; a no-op where the
        database does this itself."""

    def close(self) -> None:
        """Release files and locks."""


def check_filters(filters: Filters | None, known_fields: set[str]) -> Filters:
    """Validate a filter dict before it reaches a store: unknown fields are an error, not a no-op. A
    ``year`` range keeps the works whose dates overlap it (see ``overlapping_years``)."""
    if not filters:
        return {}
    clean: Filters = {}
    for key, value in filters.items():
        if key not in known_fields:
            raise InvalidInputError(
                f"Unknown filter field {key!r}. Filterable fields here: {', '.join(sorted(known_fields))}."
            )
        if isinstance(value, dict):
            value = Range(**value)
        if isinstance(value, Range) and value.gte is None and value.lte is None:
            raise InvalidInputError(f"The range filter on {key!r} needs 'gte' or 'lte'.")
        if isinstance(value, float):  # the index matches text, whole numbers and booleans exactly
            if not value.is_integer():
                raise InvalidInputError(f"The filter on {key!r} matches exact values; for {value} give a range "
                                        "({'gte': ..., 'lte': ...}).")
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and not storable_whole(value):
            raise InvalidInputError(f"The filter on {key!r} is a whole number too large for any stored value "
                                    f"({str(value)[:24]}...): stored whole numbers are 64-bit.")
        clean[key] = value
    return overlapping_years(clean)


def overlapping_years(filters: Filters) -> Filters:
    """``year`` ranges match works whose span overlaps them: a work dated "1887-8" (``year`` 1887,
    ``year_end`` 1888) is found by 1888-1889. So the range's end bounds where a work starts (``year``)
    and its start bounds where it ends (``year_end``)."""
    wanted = filters.get("year")
    if not isinstance(wanted, Range) or wanted.gte is None:
        return filters
    out = {key: value for key, value in filters.items() if key != "year"}
    if wanted.lte is not None:
        out["year"] = Range(lte=wanted.lte)
    end = out.get("year_end")
    if isinstance(end, Range):  # both bounds on the end: the stricter start
        out["year_end"] = Range(gte=max(wanted.gte, end.gte if end.gte is not None else wanted.gte), lte=end.lte)
    else:
        out["year_end"] = Range(gte=wanted.gte) if end is None else end
    return out
