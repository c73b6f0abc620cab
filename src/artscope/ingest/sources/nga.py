"""The National Gallery of Art's open data (github.com/NationalGalleryOfArt/opendata), one folder.

``objects.csv`` (one artwork a row) and ``published_images.csv`` (IIIF image services, joined by
``depictstmsobjectid`` -> ``objectid``) are required; ``constituents.csv`` + ``objects_constituents.csv``
give the artists (role type "artist", in display order; without them ``attribution`` is the artist),
``objects_terms.csv`` the style, school, theme and keyword terms.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from artscope.errors import InvalidInputError, SourceFormatError
from artscope.ingest.sources.base import SourceItem, SourceOptions, register_source
from artscope.ingest.sources.records import (
    BaseSource,
    extra_key,
    record_item,
    row_item,
    text_value,
    year_value,
)
from artscope.ingest.sources.tables import count_rows, read_header, read_table
from artscope.media.dates import parse_date
from artscope.media.fetch import is_url
from artscope.types import ArtworkRecord, ImageView

logger = logging.getLogger(__name__)

INSTITUTION = "National Gallery of Art, Washington"
IIIF_SIZE = "/full/!1024,1024/0/default.jpg"
OBJECTS, IMAGES = "objects.csv", "published_images.csv"
CONSTITUENTS, LINKS, TERMS = "constituents.csv", "objects_constituents.csv", "objects_terms.csv"
EXTRA_TEXT = {"accessionnum": "accession_number", "subclassification": "subclassification",
              "attribution": "attribution", "inscription": "inscription", "markings": "markings",
              "departmentabbr": "department", "series": "series", "portfolio": "portfolio"}
# Terms that are subjects; style, school and theme are also kept as lists in ``extra``.
SUBJECT_TERMS = ("keyword", "theme")


def _export_folder(location: str) -> Path | None:
    """The folder of an export: the location itself, or the folder of a given objects.csv."""
    if is_url(location):
        return None
    path = Path(location)
    folder = path.parent if path.name == OBJECTS else path
    return folder if (folder / OBJECTS).is_file() and (folder / IMAGES).is_file() else None


def _columns_of(path: Path, required: tuple[str, ...]) -> None:
    header = read_header(path) or []
    missing = [c for c in required if c not in header]
    if missing:
        raise SourceFormatError(f"{path} lacks the NGA column(s) {', '.join(missing)}; is this the "
                                "National Gallery of Art's open data?")


class _Joins:
    """The side tables, by object id (read once, when iteration starts)."""

    def __init__(self, folder: Path) -> None:
        self.images: dict[str, list[tuple[bool, int, ImageView]]] = defaultdict(list)
        for row in read_table(folder / IMAGES):
            url, object_id = text_value(row.values.get("iiifurl")), text_value(row.values.get("depictstmsobjectid"))
            if not row.problem and url and object_id and is_url(url):
                self.images[object_id].append(_ranked_view(row.values, url))
        self.artists = self._artists(folder)
        self.terms: dict[str, list[tuple[str, str]]] = defaultdict(list)
        if (folder / TERMS).is_file():
            for row in read_table(folder / TERMS):
                term_type, term = text_value(row.values.get("termtype")), text_value(row.values.get("term"))
                if not row.problem and term_type and term:
                    self.terms[str(row.values.get("objectid", "")).strip()].append((term_type.lower(), term))

    @staticmethod
    def _artists(folder: Path) -> dict[str, list[str]]:
        if not ((folder / CONSTITUENTS).is_file() and (folder / LINKS).is_file()):
            return {}
        names = {}
        for row in read_table(folder / CONSTITUENTS):
            name = text_value(row.values.get("forwarddisplayname")) or text_value(
                row.values.get("preferreddisplayname"))
            if not row.problem and name:
                names[str(row.values.get("constituentid", "")).strip()] = name
        ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for row in read_table(folder / LINKS):
            values = row.values
            name = names.get(str(values.get("constituentid", "")).strip())
            if row.problem or not name or (values.get("roletype") or "").strip().lower() != "artist":
                continue
            order = (values.get("displayorder") or "0").strip()
            ranked[str(values.get("objectid", "")).strip()].append((int(order) if order.isdigit() else 0, name))
        return {oid: [name for _, name in sorted(pairs)] for oid, pairs in ranked.items()}

    def views(self, object_id: str) -> list[ImageView]:
        return [view for *_, view in sorted(self.images.get(object_id, []), key=lambda x: x[:2])]


def _ranked_view(values: dict[str, Any], url: str) -> tuple[bool, int, ImageView]:
    """(not primary, sequence, view): the primary image first, then the others in sequence."""
    sequence = (values.get("sequence") or "").strip()
    view = ImageView(uri=url.rstrip("/") + IIIF_SIZE, label=text_value(values.get("viewtype")))
    return view.label != "primary", int(sequence) if sequence.isdigit() else 0, view


def nga_record(values: dict[str, Any], joins: _Joins) -> ArtworkRecord:
    """One row of objects.csv with its images, artists and terms."""
    object_id = text_value(values.get("objectid"))
    if object_id is None:
        raise InvalidInputError("'objectid' is empty")
    date = text_value(values.get("displaydate"))
    begin, end = year_value(values.get("beginyear"), "beginyear"), year_value(values.get("endyear"), "endyear")
    if begin is None and end is None:
        begin, end = parse_date(date) or (None, None)
    extra: dict[str, Any] = {key: text_value(values.get(col)) for col, key in EXTRA_TEXT.items()}
    subjects, places = [], []
    for term_type, term in joins.terms.get(object_id, []):
        if term_type in SUBJECT_TERMS:
            subjects.append(term)
        if term_type == "place executed":
            places.append(term)
        elif term_type != "keyword":
            extra.setdefault(extra_key(term_type), []).append(term)
    attribution = text_value(values.get("attribution"))
    return ArtworkRecord(
        id=object_id, title=text_value(values.get("title")),
        artists=joins.artists.get(object_id) or ([attribution] if attribution else []),
        date=date, year_start=begin, year_end=end, type=text_value(values.get("classification")),
        medium=text_value(values.get("medium")), dimensions=text_value(values.get("dimensions")),
        place=", ".join(places) or None, institution=INSTITUTION, subjects=subjects,
        credit=text_value(values.get("creditline")), extra={k: v for k, v in extra.items() if v},
        views=joins.views(object_id),
    )


@register_source("nga", lambda location: _export_folder(location) is not None)
class NgaSource(BaseSource):
    """An NGA open-data folder: one artwork per row of objects.csv."""

    kind = "nga"

    def __init__(self, location: str, options: SourceOptions) -> None:
        super().__init__(location, options)
        folder = _export_folder(location)
        if folder is None:
            raise SourceFormatError(f"{location} is not an NGA open-data folder: it needs {OBJECTS} and {IMAGES}.")
        self.folder = folder
        _columns_of(folder / OBJECTS, ("objectid", "title"))
        _columns_of(folder / IMAGES, ("iiifurl", "depictstmsobjectid"))

    def items(self) -> Iterator[SourceItem]:
        joins = _Joins(self.folder)
        for row in read_table(self.folder / OBJECTS):
            yield row_item(row, OBJECTS, lambda values: record_item(nga_record(values, joins)))

    def count(self) -> int:
        return count_rows(self.folder / OBJECTS)

