"""One spec string, one factory: ``create_embedder("hf:google/siglip-base-patch16-224")``."""

from __future__ import annotations

from collections.abc import Callable

from artscope.embedders.base import Embedder, EmbedderInfo
from artscope.errors import InvalidInputError, UnknownNameError
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


def current_info(info: EmbedderInfo) -> EmbedderInfo:
    """A recorded embedder info (a manifest's, a head's) in today's terms. A backend whose output
    changed between versions may keep the old output under another spec and say so through an
    ``upgrade_info`` attribute of its factory (builtin 1 -> ``builtin:english`` 2), so that what was
    built before goes on working; any other info is returned as it is."""
    try:
        factory = embedders.get(parse_spec(info.spec)[0])
    except (UnknownNameError, InvalidInputError):
        return info
    upgrade = getattr(factory, "upgrade_info", None)
    return upgrade(info) if upgrade is not None else info


def list_embedders() -> list[str]:
    return embedders.names()
