"""Qdrant Edge (``qdrant-edge-py``, pinned): Qdrant's engine in-process, one shard per space.

Edge builds HNSW graphs and quantized copies only on ``optimize()``; until then new points are
found by exact search. One process may open a shard (its write-ahead log is locked), so a
running server owns the collection.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import qdrant_edge as qe

from artscope.config import get_settings
from artscope.errors import CollectionLockedError
from artscope.index.base import OWNER_FIELDS, Hit, Point, Prefetch, SpaceSpec, VectorSpec, VectorStore
from artscope.types import Filters, Range

log = logging.getLogger(__name__)

SEARCH_THREADS = 1
"""Threads each shard searches its segments with. Edge's default, one per core, cost a text search at 100k
artworks 22 % more CPU on 2 cores (it hands each query's two segments to other threads) and gained no
latency: the binding keeps Python's interpreter lock during a query, so concurrent queries wait for each
other anyway (benchmarks/README.md)."""


def _vector_params(spec: VectorSpec) -> qe.EdgeVectorParams:
    kwargs: dict = {"size": spec.size, "distance": qe.Distance.Cosine}
    if spec.multivector:
        kwargs["multivector_config"] = qe.MultiVectorConfig(qe.MultiVectorComparator.MaxSim)
    if not spec.graph:
        kwargs["hnsw_config"] = qe.HnswIndexConfig(m=0, ef_construct=100, full_scan_threshold=10_000)
    if spec.quantize:
        kwargs["quantization_config"] = qe.ScalarQuantizationConfig(
            type=qe.ScalarType.Int8, quantile=0.99, always_ram=True)
    if spec.half:
        kwargs["datatype"] = qe.VectorStorageDatatype.Float16
    return qe.EdgeVectorParams(**kwargs)


_HNSW_KEYS = frozenset({"m", "ef_construct", "full_scan_threshold", "max_indexing_threads"})
_SCALAR_KEYS = frozenset({"type", "quantile", "always_ram"})


def _saved_vector_params(saved: dict) -> qe.EdgeVectorParams | None:
    """The parameters of a vector as its shard's ``edge_config.json`` keeps them, for the shapes that
    ``_vector_params`` writes; None for any other (a shard made elsewhere, another Edge version)."""
    kwargs: dict = {"size": saved.get("size"), "distance": getattr(qe.Distance, str(saved.get("distance")), None)}
    multi, hnsw = saved.get("multivector_config"), saved.get("hnsw_config")
    quantization, datatype = saved.get("quantization_config"), saved.get("datatype")
    if set(saved) - {"size", "distance", "multivector_config", "hnsw_config", "quantization_config", "datatype"} \
            or not isinstance(kwargs["size"], int) or kwargs["distance"] is not qe.Distance.Cosine:
        return None
    if multi is not None:
        if multi != {"comparator": "max_sim"}:
            return None
        kwargs["multivector_config"] = qe.MultiVectorConfig(qe.MultiVectorComparator.MaxSim)
    if hnsw is not None:
        if set(hnsw) != _HNSW_KEYS:
            return None
        kwargs["hnsw_config"] = qe.HnswIndexConfig(**hnsw)
    if quantization is not None:
        scalar = quantization.get("scalar") if set(quantization) == {"scalar"} else None
        if not isinstance(scalar, dict) or set(scalar) != _SCALAR_KEYS or scalar["type"] != "int8":
            return None
        kwargs["quantization_config"] = qe.ScalarQuantizationConfig(
            type=qe.ScalarType.Int8, quantile=scalar["quantile"], always_ram=scalar["always_ram"])
    if datatype is not None:
        if datatype != "float16":
            return None
        kwargs["datatype"] = qe.VectorStorageDatatype.Float16
    return qe.EdgeVectorParams(**kwargs)


def _load_config(path: Path) -> qe.EdgeConfig | None:
    """The shard's own configuration with ``SEARCH_THREADS`` (shards made before it searched on one thread a
    core); None when it says so already or cannot be read back exactly (the shard then loads as it is)."""
    try:
        saved = json.loads((path / "edge_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("max_search_threads") == SEARCH_THREADS \
            or not isinstance(saved.get("vectors"), dict) or saved.get("sparse_vectors") not in (None, {}):
        return None
    vectors = {name: _saved_vector_params(v) if isinstance(v, dict) else None for name, v in saved["vectors"].items()}
    if not vectors or any(v is None for v in vectors.values()):
        log.info("%s: searching on Edge's default threads (its configuration is not one artscope wrote)", path)
        return None
    return qe.EdgeConfig(vectors=vectors, max_search_threads=SEARCH_THREADS)


def to_edge_filter(filters: Filters | None) -> qe.Filter | None:
    if not filters:
        return None
    must = []
    for key, value in filters.items():
        if isinstance(value, Range):
            must.append(qe.FieldCondition(key=key, range=qe.RangeFloat(gte=value.gte, lte=value.lte)))
        elif isinstance(value, list):
            must.append(qe.FieldCondition(key=key, match=qe.MatchAny(list(value))))
        else:
            must.append(qe.FieldCondition(key=key, match=qe.MatchValue(value)))
    return qe.Filter(must=must)


def _as_hit(point, vectors: bool) -> Hit:
    return Hit(id=int(point.id), score=float(getattr(point, "score", 0.0) or 0.0),
               payload=dict(point.payload or {}), vectors=dict(point.vector) if vectors else None)


class EdgeStore(VectorStore):
    """Spaces as Edge shards under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._shards: dict[str, qe.EdgeShard] = {}
        self._lock = threading.RLock()
        for child in sorted(self.root.iterdir()):
            if child.is_dir() and (child / "edge_config.json").exists():
                self._shards[child.name] = self._load(child)

    def _load(self, path: Path) -> qe.EdgeShard:
        try:
            return qe.EdgeShard.load(str(path), _load_config(path))
        except Exception as exc:
            if "WouldBlock" in str(exc) or "lock" in str(exc).lower():
                raise CollectionLockedError(
                    f"The index at {path} is open in another process (a running `artscope serve`?). "
                    "Stop that process, or send the request to the running service."
                ) from exc
            raise

    def has_space(self, name: str) -> bool:
        return name in self._shards

    def ensure_space(self, spec: SpaceSpec) -> None:
        with self._lock:
            if spec.name in self._shards:
                return
            config = qe.EdgeConfig(vectors={n: _vector_params(v) for n, v in spec.vectors.items()},
                                   max_search_threads=SEARCH_THREADS)
            shard = qe.EdgeShard.create(str(self.root / spec.name), config)
            for key in spec.keyword_fields:
                shard.update(qe.UpdateOperation.create_field_index(key, qe.PayloadSchemaType.Keyword))
            for key in spec.integer_fields:
                shard.update(qe.UpdateOperation.create_field_index(key, qe.PayloadSchemaType.Integer))
            self._shards[spec.name] = shard

    def ensure_field_index(self, space: str, key: str) -> None:
        """Index a user payload field (keyword) the first time it appears."""
        self._shards[space].update(qe.UpdateOperation.create_field_index(key, qe.PayloadSchemaType.Keyword))

    def upsert(self, space: str, points: Sequence[Point]) -> None:
        if not points:
            return
        edge_points = [
            qe.Point(p.id, {k: np.asarray(v, dtype=np.float32) for k, v in p.vectors.items()}, p.payload)
            for p in points
        ]
        with self._lock:
            self._shards[space].update(qe.UpdateOperation.upsert_points(edge_points))

    def delete(self, space: str, ids: Sequence[int]) -> None:
        if ids:
            with self._lock:
                self._shards[space].update(qe.UpdateOperation.delete_points([int(i) for i in ids]))

    def set_payload(self, space: str, ids: Sequence[int], payload: dict) -> None:
        if ids:
            with self._lock:
                self._shards[space].update(qe.UpdateOperation.overwrite_payload([int(i) for i in ids], payload))

    def query(self, space: str, using: str, vector: np.ndarray, limit: int,
              filters: Filters | None = None, prefetch: Prefetch | None = None,
              exact: bool = False) -> list[Hit]:
        flt = to_edge_filter(filters)
        params = qe.SearchParams(exact=exact, hnsw_ef=max(get_settings().hnsw_ef, limit),
                                 quantization=qe.QuantizationSearchParams(rescore=True, oversampling=2.0))
        query = qe.Query.Nearest(np.asarray(vector, dtype=np.float32), using=using)
        owner = qe.PayloadSelector.Include(list(OWNER_FIELDS))
        if prefetch is None:
            request = qe.QueryRequest(query=query, limit=limit, filter=flt, with_payload=owner, params=params)
        else:
            first = qe.Prefetch(limit=prefetch.limit, filter=flt, params=params,
                                query=qe.Query.Nearest(np.asarray(prefetch.vector, dtype=np.float32),
                                                       using=prefetch.using))
            request = qe.QueryRequest(prefetches=[first], query=query, limit=limit, with_payload=owner)
        return [_as_hit(p, False) for p in self._shards[space].query(request)]

    def retrieve(self, space: str, ids: Sequence[int], vectors: Sequence[str] = ()) -> list[Hit]:
        if not ids:
            return []
        points = self._shards[space].retrieve([int(i) for i in ids], with_payload=True,
                                              with_vector=list(vectors) if vectors else False)
        return [_as_hit(p, bool(vectors)) for p in points]

    def scroll(self, space: str, vectors: Sequence[str] = (), filters: Filters | None = None,
               batch: int = 1024) -> Iterator[Hit]:
        offset = None
        while True:
            records, offset = self._shards[space].scroll(qe.ScrollRequest(
                offset=offset, limit=batch, filter=to_edge_filter(filters), with_payload=True,
                with_vector=list(vectors) if vectors else False))
            for record in records:
                yield _as_hit(record, bool(vectors))
            if offset is None:
                return

    def count(self, space: str, filters: Filters | None = None) -> int:
        if space not in self._shards:
            return 0
        return int(self._shards[space].count(qe.CountRequest(exact=True, filter=to_edge_filter(filters))))

    def facet(self, space: str, key: str, filters: Filters | None = None, limit: int = 20) -> dict[str, int]:
        response = self._shards[space].facet(
            qe.FacetRequest(key=key, limit=limit, exact=True, filter=to_edge_filter(filters)))
        return {str(h.value): int(h.count) for h in response.hits}

    def optimize(self) -> None:
        with self._lock:
            for name, shard in self._shards.items():
                log.info("optimizing index space %s", name)
                shard.optimize()

    def close(self) -> None:
        with self._lock:
            for shard in self._shards.values():
                shard.flush()
                shard.close()
            self._shards.clear()
