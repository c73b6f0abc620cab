"""The catalog: artworks, their images and sources, passages, text search, jobs (SQLite)."""

from artscope.catalog.catalog import Catalog, UpsertStatus

__all__ = ["Catalog", "UpsertStatus"]
