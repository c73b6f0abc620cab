"""Ingest sources. Importing this package registers every built-in kind (order = detection order)."""

from artscope.ingest.sources.base import SourceItem, SourceOptions, open_source, sources

__all__ = ["SourceItem", "SourceOptions", "open_source", "sources"]
