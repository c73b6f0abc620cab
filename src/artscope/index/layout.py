"""The collection's index layout: four spaces, whose point ids are catalog rowids.

* ``images``: one point per image (view): ``image`` (dense global), ``pooled`` (a few token
  cluster means, MaxSim, no graph: the exact first stage of late interaction), ``tokens`` (all token vectors up to the
  budget, MaxSim, no graph: rescoring only).
* ``records``: one point per artwork: ``text`` (its catalogue text).
* ``passages``: one point per passage: ``text``.
* ``passage_images``: one point per image that passages show (a Wikipedia paragraph's pictures):
  ``image`` (dense global, as in ``images``, no token vectors). An image shown by many passages is
  one point; the catalog links it to them, so image -> passages is one query here plus one join.
Points of ``images`` and ``records`` carry the artwork's filterable payload.
"""

from __future__ import annotations

from pathlib import Path

from artscope.embedders.base import EmbedderInfo
from artscope.index.base import SpaceSpec, VectorSpec, VectorStore
from artscope.manifest import IndexLocation
from artscope.types import INTEGER_PAYLOAD_FIELDS, KEYWORD_PAYLOAD_FIELDS

IMAGES, RECORDS, PASSAGES, PASSAGE_IMAGES = "images", "records", "passages", "passage_images"


def pooled_spec(token_dim: int) -> VectorSpec:
    """The ``pooled`` vector: a few token means an image, searched exactly as the first stage of late
    interaction. No HNSW graph: over MaxSim of multivectors Qdrant's graph took about 90 % of
    ``optimize()`` (573 s at 100k images) and found only 42 % of the exact first stage's top 10 (after the
    token rescoring) at 20k, where the exact scan was also the faster; the scan's time grows with the
    collection (benchmarks/README.md)."""
    return VectorSpec(size=token_dim, multivector=True, graph=False, quantize=False, half=True)


def space_specs(info: EmbedderInfo) -> list[SpaceSpec]:
    image_vectors = {"image": VectorSpec(size=info.image_dim)}
    if info.token_dim:
        image_vectors["pooled"] = pooled_spec(info.token_dim)
        image_vectors["tokens"] = VectorSpec(size=info.token_dim, multivector=True, graph=False, half=True)
    text = {"text": VectorSpec(size=info.text_dim)}
    fields = {"keyword_fields": KEYWORD_PAYLOAD_FIELDS, "integer_fields": INTEGER_PAYLOAD_FIELDS}
    return [SpaceSpec(name=IMAGES, vectors=image_vectors, **fields),
            SpaceSpec(name=RECORDS, vectors=text, **fields),
            SpaceSpec(name=PASSAGES, vectors=text, keyword_fields=("artwork_id", "source")),
            SpaceSpec(name=PASSAGE_IMAGES, vectors={"image": VectorSpec(size=info.image_dim)})]


def storage_budget(info: EmbedderInfo, token_budget: int, pooled: int) -> dict[str, int]:
    """Bytes of vectors stored per image and per artwork record (payload and index graphs aside):
    float32 originals plus int8 copies for dense vectors; float16 token vectors plus their int8
    copy; float16 pooled means."""
    tokens = min(token_budget, info.max_tokens or token_budget) if info.token_dim else 0
    per_image = info.image_dim * (4 + 1) + tokens * (info.token_dim or 0) * (2 + 1) \
        + (pooled * (info.token_dim or 0) * 2 if tokens else 0)
    return {"per_image": per_image, "per_record": info.text_dim * (4 + 1), "per_passage": info.text_dim * (4 + 1),
            "per_passage_image": info.image_dim * (4 + 1)}


def open_store(location: IndexLocation, root: Path) -> VectorStore:
    """The store a manifest names: Edge under ``root/index`` or a Qdrant server by URL."""
    if location.kind == "edge":
        from artscope.index.edge import EdgeStore

        return EdgeStore(root / location.directory)
    from artscope.index.server import ServerStore

    return ServerStore(location.url or ":memory:", prefix=location.prefix or root.name)
