"""The Metropolitan Museum of Art's open-access ``MetObjects.csv`` (github.com/metmuseum/openaccess).

54 published columns; the file starts with a byte-order mark, quoted fields hold commas and line
breaks, the artist columns hold several ``|``-separated values with padding, booleans are
``True``/``False``. The CSV has no images (they come from the Met's API): records have no views,
unless a ``primaryImage`` column was added to the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from artscope.errors import InvalidInputError, SourceFormatError
from artscope.ingest.sources.base import SourceItem, SourceOptions, register_source
from artscope.ingest.sources.records import (
    BaseSource,
    list_value,
    record_item,
    row_item,
    text_value,
    year_value,
)
from artscope.ingest.sources.tables import count_rows, read_header, read_table
from artscope.media.dates import parse_date
from artscope.media.fetch import is_url
from artscope.types import ArtworkRecord, ImageView

INSTITUTION = "The Metropolitan Museum of Art"
REQUIRED_COLUMNS = ("Object ID", "Title", "Is Public Domain")
# Columns kept in ``extra`` as text, and those whose ``|``-separated values are kept as lists.
EXTRA_TEXT = {
    "Object Number": "object_number", "Department": "department", "AccessionYear": "accession_year",
    "Culture": "culture", "Period": "period", "Dynasty": "dynasty", "Reign": "reign",
    "Portfolio": "portfolio", "Classification": "classification", "Gallery Number": "gallery_number",
    "Rights and Reproduction": "rights", "Link Resource": "link", "Object Wikidata URL": "wikidata",
    "Excavation": "excavation",
}
EXTRA_LISTS = {"Artist Role": "artist_roles", "Artist Nationality": "artist_nationality",
               "Artist ULAN URL": "artist_ulan", "Artist Wikidata URL": "artist_wikidata"}
EXTRA_FLAGS = {"Is Highlight": "is_highlight", "Is Timeline Work": "is_timeline_work",
               "Is Public Domain": "is_public_domain"}
PLACE_COLUMNS = ("City", "State", "Country", "Region")


def _looks_like_met(location: str) -> bool:
    path = Path(location)
    if is_url(location) or path.suffix.lower() != ".csv" or not path.is_file():
        return False
    try:
        with path.open(encoding="utf-8-sig") as handle:
            header = handle.readline()
    except (OSError, UnicodeDecodeError):
        return False
    return all(column in header for column in REQUIRED_COLUMNS) and "Object Begin Date" in header


def flag(values: dict[str, str], column: str) -> bool | None:
    """A ``True``/``False`` cell; anything else is the row's error."""
    text = (values.get(column) or "").strip().lower()
    if not text:
        return None
    if text in ("true", "false"):
        return text == "true"
    raise InvalidInputError(f"{column!r} is {values[column]!r}, expected True or False")


def met_record(values: dict[str, str]) -> ArtworkRecord:
    """One row of MetObjects.csv as a record; raises ``InvalidInputError`` naming a bad column."""
    object_id = text_value(values.get("Object ID"))
    if object_id is None:
        raise InvalidInputError("'Object ID' is empty")
    flags = {key: flag(values, column) for column, key in EXTRA_FLAGS.items()}
    date = text_value(values.get("Object Date"))
    begin = year_value(values.get("Object Begin Date"), "Object Begin Date")
    end = year_value(values.get("Object End Date"), "Object End Date")
    if begin == end == 0 and not date:  # the Met writes 0/0 for "no date"
        begin = end = None
    if begin is None and end is None:
        begin, end = parse_date(date) or (None, None)
    extra: dict[str, object] = {key: text_value(values.get(column)) for column, key in EXTRA_TEXT.items()}
    extra.update({key: list_value(values.get(column)) for column, key in EXTRA_LISTS.items()})
    extra.update(flags)
    place = ", ".join(p for p in (text_value(values.get(c)) for c in PLACE_COLUMNS) if p)
    image = text_value(values.get("primaryImage"))
    return ArtworkRecord(
        id=object_id, title=text_value(values.get("Title")),
        artists=list_value(values.get("Artist Display Name")), date=date, year_start=begin, year_end=end,
        type=text_value(values.get("Object Name")), medium=text_value(values.get("Medium")),
        dimensions=text_value(values.get("Dimensions")), place=place or None,
        institution=text_value(values.get("Repository")) or INSTITUTION,
        subjects=list_value(values.get("Tags")), credit=text_value(values.get("Credit Line")),
        license="CC0-1.0" if flags["is_public_domain"] else None,
        extra={k: v for k, v in extra.items() if v not in (None, [])},
        views=[ImageView(uri=image)] if image and is_url(image) else [],
    )


@register_source("met", _looks_like_met)
class MetSource(BaseSource):
    """MetObjects.csv, one artwork a row, keyed by Object ID."""

    kind = "met"

    def __init__(self, location: str, options: SourceOptions) -> None:
        super().__init__(location, options)
        self.path = Path(location)
        header = read_header(self.path) or []
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise SourceFormatError(f"{self.path} is not the Met's MetObjects.csv: it lacks the column(s) "
                                    f"{', '.join(repr(c) for c in missing)}. Use --kind csv for other CSVs.")

    def items(self) -> Iterator[SourceItem]:
        for row in read_table(self.path):
            yield row_item(row, self.path.name, lambda values: record_item(met_record(values)))

    def count(self) -> int:
        return count_rows(self.path)
