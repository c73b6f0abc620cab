"""Ingest sources. Importing this package registers every built-in kind (order = detection order)."""

import importlib

from artscope.ingest.sources.base import SourceItem, SourceOptions, open_source, sources

# Most specific first: a Wikipedia dump is also XML, a IIIF manifest is also JSON, a MetObjects.csv also a
# CSV, an NGA export also a folder. Imported by name in this order (an import sorter would reorder plain import lines).
DETECTION_ORDER = ("wikipedia", "iiif", "met", "nga", "passages", "folder", "catalogue")
for _module in DETECTION_ORDER:
    importlib.import_module(f"artscope.ingest.sources.{_module}")

__all__ = ["DETECTION_ORDER", "SourceItem", "SourceOptions", "open_source", "sources"]
