"""Vector stores and the collection's index layout."""

from artscope.index.base import Hit, Point, Prefetch, SpaceSpec, VectorSpec, VectorStore
from artscope.index.layout import IMAGES, PASSAGE_IMAGES, PASSAGES, RECORDS, open_store, space_specs

__all__ = ["IMAGES", "PASSAGES", "PASSAGE_IMAGES", "RECORDS", "Hit", "Point", "Prefetch", "SpaceSpec", "VectorSpec",
           "VectorStore", "open_store", "space_specs"]
