"""The search task: text, image, composed, dialogue and passage search over a collection."""

from artscope.tasks.search.engine import search
from artscope.tasks.search.types import SearchHit, SearchRequest, SearchResult, Signal

__all__ = ["SearchHit", "SearchRequest", "SearchResult", "Signal", "search"]
