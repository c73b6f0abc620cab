"""A Qdrant server or cluster by URL, through ``qdrant-client`` (sharding and replication are the
server's). Its local mode (``:memory:`` or a path) takes the same calls and serves the tests; as
a store it is brute force, so it is never the default."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from artscope.errors import ArtscopeError
from artscope.index.base import OWNER_FIELDS, Hit, Point, Prefetch, SpaceSpec, VectorSpec, VectorStore
from artscope.types import Filters, Range

try:
    from qdrant_client import QdrantClient
    from qdrant_client import models as qm
except ImportError as exc:  # pragma: no cover - depends on the installed extra
    raise ArtscopeError("A Qdrant server index needs qdrant-client: pip install 'artscope[qdrant]'.") from exc


def _vector_params(spec: VectorSpec) -> qm.VectorParams:
    kwargs: dict[str, Any] = {"size": spec.size, "distance": qm.Distance.COSINE}
    if spec.multivector:
        kwargs["multivector_config"] = qm.MultiVectorConfig(comparator=qm.MultiVectorComparator.MAX_SIM)
    if not spec.graph:
        kwargs["hnsw_config"] = qm.HnswConfigDiff(m=0)
    if spec.quantize:
        kwargs["quantization_config"] = qm.ScalarQuantization(
            scalar=qm.ScalarQuantizationConfig(type=qm.ScalarType.INT8, quantile=0.99, always_ram=True))
    if spec.half:
        kwargs["datatype"] = qm.Datatype.FLOAT16
    return qm.VectorParams(**kwargs)


def to_server_filter(filters: Filters | None) -> qm.Filter | None:
    if not filters:
        return None
    must: list[qm.Condition] = []
    for key, value in filters.items():
        if isinstance(value, Range):
            must.append(qm.FieldCondition(key=key, range=qm.Range(gte=value.gte, lte=value.lte)))
        elif isinstance(value, list):
            must.append(qm.FieldCondition(key=key, match=qm.MatchAny(any=list(value))))
        else:
            must.append(qm.FieldCondition(key=key, match=qm.MatchValue(value=value)))
    return qm.Filter(must=must)


def _vectors(raw: Any) -> dict[str, Any] | None:
    return dict(raw) if isinstance(raw, dict) else None


class ServerStore(VectorStore):
    """Spaces as collections named ``{prefix}-{space}`` on a Qdrant server."""

    def __init__(self, url: str, prefix: str, api_key: str | None = None) -> None:
        self.remote = url.startswith(("http://", "https://"))
        if self.remote:
            self.client = QdrantClient(url=url, api_key=api_key, timeout=30)
        elif url == ":memory:":
            self.client = QdrantClient(location=":memory:")
        else:
            self.client = QdrantClient(path=url)
        self.prefix = prefix
        self._lock = threading.RLock()

    def _name(self, space: str) -> str:
        return f"{self.prefix}-{space}"

    def has_space(self, name: str) -> bool:
        return self.client.collection_exists(self._name(name))

    def ensure_space(self, spec: SpaceSpec) -> None:
        with self._lock:
            if self.has_space(spec.name):
                return
            self.client.create_collection(
                self._name(spec.name), vectors_config={n: _vector_params(v) for n, v in spec.vectors.items()})
            if not self.remote:  # local mode scans payloads; indexes are a server feature
                return
            for key in spec.keyword_fields:
                self.client.create_payload_index(self._name(spec.name), key, qm.PayloadSchemaType.KEYWORD)
            for key in spec.integer_fields:
                self.client.create_payload_index(self._name(spec.name), key, qm.PayloadSchemaType.INTEGER)

    def upsert(self, space: str, points: Sequence[Point]) -> None:
        if not points:
            return
        structs = [qm.PointStruct(id=p.id, payload=p.payload,
                                  vector={k: np.asarray(v, dtype=np.float32).tolist() for k, v in p.vectors.items()})
                   for p in points]
        self.client.upsert(self._name(space), structs, wait=True)

    def delete(self, space: str, ids: Sequence[int]) -> None:
        if ids:
            self.client.delete(self._name(space), qm.PointIdsList(points=[int(i) for i in ids]), wait=True)

    def set_payload(self, space: str, ids: Sequence[int], payload: dict[str, Any]) -> None:
        if ids:
            self.client.overwrite_payload(self._name(space), payload=payload, points=[int(i) for i in ids])

    def query(self, space: str, using: str, vector: np.ndarray, limit: int,
              filters: Filters | None = None, prefetch: Prefetch | None = None,
              exact: bool = False) -> list[Hit]:
        # local mode is exact anyway and warns about search parameters
        params = qm.SearchParams(exact=exact, quantization=qm.QuantizationSearchParams(rescore=True)) \
            if self.remote else None
        query = np.asarray(vector, dtype=np.float32).tolist()
        flt = to_server_filter(filters)
        first = None
        if prefetch is not None:
            first = qm.Prefetch(query=np.asarray(prefetch.vector, dtype=np.float32).tolist(), using=prefetch.using,
                                limit=prefetch.limit, filter=flt, params=params)
        response = self.client.query_points(self._name(space), query=query, using=using, limit=limit,
                                            query_filter=None if first else flt, prefetch=first, search_params=params,
                                            with_payload=list(OWNER_FIELDS))
        return [Hit(id=int(p.id), score=float(p.score), payload=dict(p.payload or {})) for p in response.points]

    def retrieve(self, space: str, ids: Sequence[int], vectors: Sequence[str] = ()) -> list[Hit]:
        if not ids:
            return []
        points = self.client.retrieve(self._name(space), [int(i) for i in ids], with_payload=True,
                                      with_vectors=list(vectors) if vectors else False)
        return [Hit(id=int(p.id), score=0.0, payload=dict(p.payload or {}),
                    vectors=_vectors(p.vector) if vectors else None) for p in points]

    def scroll(self, space: str, vectors: Sequence[str] = (), filters: Filters | None = None,
               batch: int = 1024) -> Iterator[Hit]:
        offset = None
        while True:
            points, offset = self.client.scroll(self._name(space), scroll_filter=to_server_filter(filters),
                                                limit=batch, offset=offset, with_payload=True,
                                                with_vectors=list(vectors) if vectors else False)
            for p in points:
                yield Hit(id=int(p.id), score=0.0, payload=dict(p.payload or {}),
                          vectors=_vectors(p.vector) if vectors else None)
            if offset is None:
                return

    def count(self, space: str, filters: Filters | None = None) -> int:
        if not self.has_space(space):
            return 0
        return int(self.client.count(self._name(space), count_filter=to_server_filter(filters), exact=True).count)

    def facet(self, space: str, key: str, filters: Filters | None = None, limit: int = 20) -> dict[str, int]:
        response = self.client.facet(self._name(space), key=key, facet_filter=to_server_filter(filters),
                                     limit=limit, exact=True)
        return {str(h.value): int(h.count) for h in response.hits}

    def close(self) -> None:
        self.client.close()
