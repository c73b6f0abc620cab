"""One spec string, one factory: ``create_embedder("hf:google/siglip-base-patch16-224")``."""

from __future__ import annotations

from collections.abc import Callable

from artscope.embedders.base import Embedder
from artscope.errors import InvalidInputError
from artscope.registry import Registry

EmbedderFactory = Callable[..., Embedder]

embedders: Registry[EmbedderFactory] = Registry("embedders")
embedders.register_lazy("builtin", "artscope.embedders.builtin")
embedders.register_lazy("hf", "artscope.embedders.hf")
embedders.register_lazy("colpali", "artscope.embedders.colpali")
embedders.register_lazy("open_clip", "artscope.embedders.openclip")


def parse_spec(spec: str) -> tuple[str, str]:
    """``"hf:google/siglip-base-patch16-224"`` -> ``("hf", "google/siglip-base-patch16-224")``."""
    spec = (spec or "").strip()
    if not spec:
        raise InvalidInputError("An embedder spec must not be empty; try 'builtin'.")
    backend, _, arg = spec.partition(":")
    return backend.strip(), arg.strip()


def create_embedder(spec: str = "builtin", device: str | None = None) -> Embedder:
    """Build the embedder a spec names; ``device`` is ``cpu``, ``cuda`` or None for the best available."""
    backend, arg = parse_spec(spec)
    return embedders.get(backend)(arg, device=device)


def list_embedders() -> list[str]:
    return embedders.names()
