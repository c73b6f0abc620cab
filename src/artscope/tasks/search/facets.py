"""Which fields make useful facets and dialogue questions, and the facet counts themselves.

A collection may name its facet fields (``Manifest.facets``, set with ``artscope fields -c DIR
--facets ...``). Otherwise they are chosen from what the catalogue holds: keyword fields with few
distinct values (at most ``FACET_MAX_VALUES``), short values, and not free text or provenance
(captions, descriptions, sources, credit lines, licences, identifiers). Dialogue questions draw on
the same fields, plus the year, and the country part of a place ("Arles, France" -> "France").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from artscope.errors import InvalidInputError
from artscope.types import ArtworkRecord

if TYPE_CHECKING:
    from artscope.collection import Collection

FACET_MAX_VALUES = 30
"""A keyword field with more distinct values than this is not a facet by default."""
FACET_MAX_LENGTH = 40
"""... nor one whose values average more characters than this (free text, captions)."""
FACET_VALUES_SHOWN = 50
NOT_FACETS = frozenset({
    "artwork_id", "id", "title", "description", "caption", "captions", "origin", "source", "sources", "credit",
    "credit_line", "creditline", "license", "licence", "rights", "copyright", "url", "uri", "link", "file",
    "filename", "image", "thumbnail", "accession", "accession_number", "object_number", "inventory",
    "inscription", "inscriptions", "markings", "notes", "provenance", "dimensions", "label", "text", "summary",
})
"""Free-text, provenance and identifier fields: never facets or dialogue questions."""
_COLUMNS = {"type": "type", "medium": "medium", "place": "place", "institution": "institution",
            "license": "license"}
_LISTS = {"artist": "artists", "subject": "subjects"}
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ -]*$")


@dataclass(frozen=True)
class FieldProfile:
    """What a keyword field holds over the catalogue."""

    name: str
    with_value: int
    distinct: int
    mean_length: float

    @property
    def facet_like(self) -> bool:
        return (self.name not in NOT_FACETS and 2 <= self.distinct <= FACET_MAX_VALUES
                and self.mean_length <= FACET_MAX_LENGTH)


def _values_sql(name: str) -> tuple[str, tuple[str, ...]]:
    """SQL selecting the field's values (one row per value) from ``artworks``."""
    if name in _COLUMNS:
        return f"SELECT {_COLUMNS[name]} AS v FROM artworks", ()
    if name in _LISTS:
        return f"SELECT value AS v FROM artworks, json_each(artworks.{_LISTS[name]})", ()
    # json_each gives an array's items, or a single row for a plain value, or nothing when absent
    return "SELECT value AS v FROM artworks, json_each(artworks.extra, ?)", (f'$."{name}"',)


def profile(collection: Collection, name: str) -> FieldProfile:
    """Values, distinct values and mean length of one keyword field over the catalogue."""
    if not _SAFE_NAME.match(name):
        return FieldProfile(name, 0, 0, 0.0)
    sql, params = _values_sql(name)
    row = collection.catalog.conn.execute(
        f"SELECT COUNT(v), COUNT(DISTINCT v), AVG(LENGTH(v)) FROM ({sql}) WHERE v IS NOT NULL AND v != ''",
        params).fetchone()
    return FieldProfile(name, int(row[0] or 0), int(row[1] or 0), float(row[2] or 0.0))


def keyword_fields(collection: Collection) -> list[str]:
    """Every keyword field a filter may name (well-known first, then the sources' own)."""
    known = collection.filter_fields()
    return [f for f in collection.keyword_fields() if f in known]


def automatic_facets(collection: Collection) -> list[str]:
    """The facets when none are chosen: the keyword fields with few, short values."""
    return [name for name in keyword_fields(collection) if profile(collection, name).facet_like]


def facet_fields(collection: Collection) -> list[str]:
    """The collection's facet fields: its setting, else ``automatic_facets``."""
    if collection.manifest.facets is not None:
        return list(collection.manifest.facets)
    return automatic_facets(collection)


def question_fields(collection: Collection) -> list[str]:
    """Fields a dialogue may ask about: the facet fields, the place (by country), and the year."""
    fields = facet_fields(collection)
    known = collection.filter_fields()
    if "place" in known and "place" not in fields and collection.manifest.facets is None:
        fields.append("place")
    return [*fields, *(["year"] if "year" in known else [])]


def count_facets(collection: Collection, records: list[ArtworkRecord], fields: list[str]) -> dict[str, dict[str, int]]:
    """Counts of each field's values over the records (the candidates of a search)."""
    known = collection.filter_fields()
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise InvalidInputError(f"Unknown facet field(s) {unknown}. Known: {', '.join(sorted(known))}.")
    out: dict[str, dict[str, int]] = {}
    for field in fields:
        counts: Counter[str] = Counter()
        for record in records:
            value = record.payload().get(field)
            for v in value if isinstance(value, list) else [value]:
                if v is not None and str(v).strip():
                    counts[str(v)] += 1
        out[field] = dict(counts.most_common(FACET_VALUES_SHOWN))
    return out
