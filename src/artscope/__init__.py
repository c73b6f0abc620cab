"""artscope: search, describe, score and ask about the artworks of a collection, from one index."""

__version__ = "0.1.0"

from artscope.collection import Collection, create, open
from artscope.embedders.registry import create_embedder, list_embedders

__all__ = ["Collection", "__version__", "create", "create_embedder", "list_embedders", "open"]
