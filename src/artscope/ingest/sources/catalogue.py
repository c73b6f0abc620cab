"""A catalogue file on its own: CSV/TSV (kind ``csv``) or a JSON array / JSON Lines (kind ``json``).

One artwork a row, columns read like a folder's sidecar. Image columns (``image``, ``file``,
``image_url``, ...) hold paths relative to the file, absolute paths, or http(s) URLs; ``|`` separates
several images of one artwork.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from artscope.errors import InvalidInputError
from artscope.ingest.sources.base import SourceItem, SourceOptions, register_source
from artscope.ingest.sources.records import (
    BaseSource,
    catalogue_fields,
    local_or_url,
    plan_for_file,
    record_item,
    row_item,
    slugify,
)
from artscope.ingest.sources.tables import CSV_SUFFIXES, JSON_SUFFIXES, JSONL_SUFFIXES, count_rows, read_table
from artscope.media.fetch import is_url
from artscope.types import ImageView


def _is_file_with(location: str, suffixes: frozenset[str]) -> bool:
    return not is_url(location) and Path(location).suffix.lower() in suffixes and Path(location).is_file()


class CatalogueSource(BaseSource):
    """Rows of a catalogue file, one artwork each."""

    kind = "csv"

    def __init__(self, location: str, options: SourceOptions) -> None:
        super().__init__(location, options)
        self.path = Path(location)
        if not self.path.is_file():
            raise InvalidInputError(f"Catalogue file not found: {self.path}")
        self.plan = plan_for_file(self.path, options)

    def items(self) -> Iterator[SourceItem]:
        for number, row in enumerate(read_table(self.path), start=1):
            yield row_item(row, self.path.name, lambda values, n=number: self._item(values, n))

    def _item(self, values: dict[str, Any], number: int) -> SourceItem:
        fields, refs = catalogue_fields(values, self.plan, self.options)
        views = [ImageView(uri=local_or_url(ref, self.path.parent)) for ref in refs]
        return record_item(fields.record(f"{slugify(self.path.stem)}-{number}", views))

    def count(self) -> int:
        return count_rows(self.path)


class JsonCatalogueSource(CatalogueSource):
    """The same, from a JSON array of objects or JSON Lines."""

    kind = "json"


register_source("csv", lambda location: _is_file_with(location, CSV_SUFFIXES))(CatalogueSource)
register_source("json", lambda location: _is_file_with(location, JSON_SUFFIXES | JSONL_SUFFIXES))(
    JsonCatalogueSource)
