"""How the built-in sources turn rows and labelled values into records and items.

A catalogue names its columns in many ways ("Artist", "creator", "dc:creator", "Maker"); one alias
table maps them to artscope's fields so that CSV sidecars, JSON catalogues and IIIF metadata labels
all read the same way. ``|`` separates several values of a list field in one cell.
"""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ValidationError

from artscope.errors import InvalidInputError
from artscope.ingest.sources.base import SourceItem, SourceOptions
from artscope.ingest.sources.tables import TableRow, read_header
from artscope.media.dates import EARLIEST_YEAR, LATEST_YEAR, parse_date, year_in_range
from artscope.media.fetch import is_url
from artscope.types import LIST_FIELDS, ArtworkRecord, ImageView

log = logging.getLogger(__name__)

LIST_SEPARATOR = "|"
ID, IMAGE, YEAR_START, YEAR_END = "id", "image", "year_start", "year_end"

# Normalised column names per target, best first: when a file has both "title" and "name", "title"
# is the title and "name" stays in ``extra``. Dublin Core names come without their prefix.
ALIASES: dict[str, tuple[str, ...]] = {
    ID: ("id", "identifier", "object id", "objectid", "object number", "accession number",
         "accession no", "accessionnum", "inventory number", "inventory no"),
    IMAGE: ("file", "filename", "file name", "image", "images", "image file", "image path", "path",
            "filepath", "file path", "image url", "imageurl", "image uri", "primary image", "primaryimage",
            "media"),
    "title": ("title", "name", "object title", "work title"),
    "artists": ("artists", "artist", "creator", "creators", "maker", "makers", "artist display name",
                "artist name", "author", "painter"),
    "date": ("date", "created", "date created", "dating", "object date", "display date", "displaydate",
             "date display", "year", "temporal"),
    YEAR_START: ("year start", "begin year", "beginyear", "start year", "date start", "earliest year",
                 "object begin date"),
    YEAR_END: ("year end", "end year", "endyear", "date end", "latest year", "object end date"),
    "type": ("type", "object type", "objecttype", "object name", "work type", "classification"),
    "medium": ("medium", "materials", "material", "technique", "techniques", "medium display",
               "physical medium", "format"),
    "dimensions": ("dimensions", "size", "measurements", "extent"),
    "place": ("place", "location", "origin", "place of origin", "production place", "place executed",
              "spatial", "coverage", "country"),
    "institution": ("institution", "repository", "museum", "holding institution", "publisher"),
    "description": ("description", "abstract", "summary", "wall text", "label text", "caption"),
    "subjects": ("subjects", "subject", "tags", "tag", "keywords", "keyword", "iconclass"),
    "license": ("license", "licence", "rights", "rights statement", "usage rights", "copyright"),
    # "attribution" is left out: in museum data it usually names the artist, in IIIF 2 the credit.
    "credit": ("credit", "credit line", "creditline", "required statement", "acknowledgement",
               "rightsholder", "rights holder"),
}
_TARGET_OF = {alias: (target, rank) for target, names in ALIASES.items() for rank, alias in enumerate(names)}
_NAMESPACE = re.compile(r"^(?:dc|dcterms|dct|dublin core|schema|vra|edm)\s*:\s*")


def normalise_name(name: str) -> str:
    """"dcterms:Created" -> "created", "Credit_Line" -> "credit line"."""
    name = _NAMESPACE.sub("", name.strip().lower())
    return re.sub(r"[\s_.\-]+", " ", name).strip()


def target_of(name: str) -> str | None:
    """The artscope field (or ``id``/``image``/``year_start``/``year_end``) a column or label names."""
    found = _TARGET_OF.get(normalise_name(name))
    return found[0] if found else None


def extra_key(name: str) -> str:
    """The ``extra`` key of a column nobody maps: "Object Name" -> "object_name"."""
    return normalise_name(name).replace(" ", "_") or "field"


def slugify(text: str) -> str:
    """A stable id from a path or URL: lower case, word characters joined by ``-`` (Unicode kept)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", "-", text).strip("-")


def title_from_filename(path: str) -> str:
    """"images/the-night_cafe.jpg" -> "the night cafe" (for images that have no catalogue row)."""
    return re.sub(r"[\s_\-]+", " ", Path(path).stem).strip() or Path(path).name


def text_value(value: Any) -> str | None:
    """A cell as stripped text; empty -> None. JSON numbers, lists and objects are accepted."""
    if isinstance(value, str):  # nearly every cell: the quick way first
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, list):
        return "; ".join(t for t in (text_value(v) for v in value) if t) or None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value).strip()
    return text or None


def list_value(value: Any) -> list[str]:
    """A cell as a list: ``|`` separates values, padding is stripped, empties dropped."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        text = text_value(item)
        if text:
            out += [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
    return out


def year_value(value: Any, column: str) -> int | None:
    """A whole year from a cell; a non-number, or a number no date can be, is the row's error (which
    names the column)."""
    if isinstance(value, float) and not (math.isfinite(value) and abs(value) < 1e12):
        raise InvalidInputError(f"{column!r} is {value!r}, not a whole year between {EARLIEST_YEAR} and "
                                f"{LATEST_YEAR}")
    text = text_value(value)
    if text is None:
        return None
    if not re.fullmatch(r"[+-]?\d+(?:\.0+)?", text):
        raise InvalidInputError(f"{column!r} is {_shown(text)}, not a whole year")
    digits = text.split(".")[0]
    year = int(digits) if len(digits) <= 12 else None
    if year is None or not year_in_range(year):
        raise InvalidInputError(f"{column!r} is {_shown(text)}, outside the years {EARLIEST_YEAR} to "
                                f"{LATEST_YEAR}")
    return year


def _shown(text: str, limit: int = 40) -> str:
    """A cell as a message shows it: quoted, and cut when long."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def local_or_url(ref: str, base: Path) -> str:
    """An image reference as a view URI: URLs as they are, paths absolute (relative to ``base``)."""
    ref = ref.strip()
    if is_url(ref):
        return ref
    if ref.startswith("file://"):
        ref = ref[len("file://"):]
    path = Path(ref).expanduser()
    return str(path if path.is_absolute() else (base / path).absolute())


@dataclass(frozen=True)
class ColumnPlan:
    """Which column feeds which field; every other column goes to ``extra`` under its own key."""

    targets: dict[str, str]
    """Column -> field, ``id``, ``image``, ``year_start``, ``year_end``, or ``extra:<key>``."""

    @classmethod
    def build(cls, columns: Sequence[str], mapping: Mapping[str, str] | None = None,
              where: str = "the catalogue", strict: bool = True) -> ColumnPlan:
        """Explicit ``mapping`` first, then the best alias per field. ``strict``: every mapped column
        must exist (a CSV header); JSON rows differ in their keys, so there it is not checked."""
        targets: dict[str, str] = {}
        by_normal = {normalise_name(c): c for c in columns}
        for source, target in (mapping or {}).items():
            column = source if source in columns else by_normal.get(normalise_name(source))
            if column is None:
                if strict:
                    raise InvalidInputError(
                        f"--map names column {source!r}, which {where} does not have. "
                        f"Its columns are: {', '.join(columns)}.")
                continue
            targets[column] = target_of(target) or f"extra:{extra_key(target)}"
        best: dict[str, tuple[int, str]] = {}
        for column in columns:
            found = _TARGET_OF.get(normalise_name(column))
            if column in targets or found is None or found[0] in targets.values():
                continue
            if found[0] not in best or found[1] < best[found[0]][0]:
                best[found[0]] = (found[1], column)
        targets.update({column: target for target, (_, column) in best.items()})
        for column in columns:
            targets.setdefault(column, f"extra:{extra_key(column)}")
        return cls(targets)


@dataclass
class RowFields:
    """One row read through a plan, before it knows its id and views."""

    id: str | None = None
    images: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    def record(self, default_id: str, views: list[ImageView], fallback_title: str | None = None) -> ArtworkRecord:
        """The record, with the row's own id if it has one and years parsed from the date text unless
        columns gave them."""
        values = dict(self.values)
        values.setdefault("title", fallback_title)
        if values.get("date") and "year_start" not in values and "year_end" not in values:
            years = parse_date(values["date"])
            if years:
                values["year_start"], values["year_end"] = years
        return ArtworkRecord(id=self.id or default_id, views=views, **values)


def read_row(row: Mapping[str, Any], plan: ColumnPlan) -> RowFields:
    """A row's cells sorted into fields; raises ``InvalidInputError`` naming the bad column."""
    out = RowFields()
    extra: dict[str, Any] = {}
    for column, value in row.items():
        target = plan.targets.get(column) or f"extra:{extra_key(column)}"
        if target.startswith("extra:"):
            if value not in (None, "", []):
                extra.setdefault(target[len("extra:"):], value.strip() if isinstance(value, str) else value)
        elif target == ID:
            out.id = out.id or text_value(value)
        elif target == IMAGE:
            out.images += list_value(value)
        elif target in (YEAR_START, YEAR_END):
            year = year_value(value, column)
            if year is not None:
                out.values.setdefault(target, year)
        elif target in LIST_FIELDS:
            out.values.setdefault(target, [])
            out.values[target] += list_value(value)
        elif text_value(value) is not None:
            out.values.setdefault(target, text_value(value))
    if extra:
        out.values["extra"] = extra
    return out


def plan_for_file(path: Path, options: SourceOptions) -> ColumnPlan | None:
    """The plan of a CSV catalogue, checked against ``--map`` and ``--join-on`` before any row is read
    (None for JSON, whose rows are planned one key set at a time)."""
    header = read_header(path)
    if header is None:
        return None
    if options.join_on and options.join_on not in header:
        raise InvalidInputError(f"--join-on names column {options.join_on!r}, which {path} does not have. "
                                f"Its columns are: {', '.join(header)}.")
    return ColumnPlan.build(header, options.mapping, where=str(path))


def catalogue_fields(values: Mapping[str, Any], plan: ColumnPlan | None,
                     options: SourceOptions) -> tuple[RowFields, list[str]]:
    """A catalogue row through its plan (a JSON row's own, if None), and its image references."""
    fields = read_row(values, plan or ColumnPlan.build(list(values), options.mapping, strict=False))
    refs = list_value(values.get(options.join_on)) if options.join_on else fields.images
    return fields, refs


def record_item(record: ArtworkRecord) -> SourceItem:
    """The item of a record keyed by its artwork id."""
    return SourceItem(key=record.id, record=record)


def row_item(row: TableRow, file_name: str, build: Callable[[dict[str, Any]], SourceItem]) -> SourceItem:
    """The item of one table row: ``build(values)``, or the row's error when the row is malformed or
    ``build`` finds a bad cell (the message names the file, the line and the column)."""
    error_key = f"{file_name}: {row.position}"
    if row.problem:
        return SourceItem(key=error_key, error=row.problem)
    try:
        return build(row.values)
    except InvalidInputError as exc:
        return SourceItem(key=error_key, error=f"{row.where}: {exc}")
    except ValidationError as exc:
        first = exc.errors()[0]
        field_name = ".".join(str(part) for part in first["loc"])
        return SourceItem(key=error_key, error=f"{row.where}: {field_name}: {first['msg']}")
    except Exception as exc:  # a value no check foresaw is still this row's error, never the run's
        log.debug("row %s", row.where, exc_info=True)
        return SourceItem(key=error_key, error=f"{row.where}: cannot be read ({type(exc).__name__}: {exc})")


class BaseSource:
    """What the built-in kinds share: the provenance name, the options, ``--limit`` and the count."""

    kind: ClassVar[str]

    def __init__(self, location: str, options: SourceOptions) -> None:
        self.location = location
        self.options = options
        where = location if is_url(location) else str(Path(location).absolute())
        self.name = f"{self.kind}:{where}"
        self._count: int | None = None

    def items(self) -> Iterator[SourceItem]:
        """Every item, ignoring the limit."""
        raise NotImplementedError

    def count(self) -> int:
        """The number of items (override where it can be had without building them)."""
        return sum(1 for _ in self.items())

    def __iter__(self) -> Iterator[SourceItem]:
        return islice(self.items(), self.options.limit)

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.count()
        return self._count if self.options.limit is None else min(self._count, self.options.limit)
