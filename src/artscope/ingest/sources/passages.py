"""Passages: JSON Lines of text fragments (wall texts, encyclopedia paragraphs, essay sections).

One object a line: ``id`` and ``text`` (required), ``artwork_id`` (ties the passage to an artwork),
``source``, ``title``, and the fields of encyclopedia paragraphs (``section``, ``url``, ``categories``,
``images``, ``revision``). A bad line is that item's error, naming the line. An id given twice in
one file keeps its first line; the later ones are errors naming both lines, so that every run
stores the same text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from artscope.errors import InvalidInputError
from artscope.ingest.sources.base import SourceItem, SourceOptions, register_source
from artscope.ingest.sources.records import BaseSource
from artscope.ingest.sources.tables import JSONL_SUFFIXES, TableRow, count_rows, read_table
from artscope.media.fetch import is_url
from artscope.types import Passage

PASSAGE_KEYS = frozenset(Passage.model_fields)


def passage_items(path: Path) -> Iterator[SourceItem]:
    """One item per line of a passages file (also used by the folder source for ``passages.jsonl``)."""
    first_line: dict[str, str] = {}
    for row in read_table(path):
        key = f"{path.name}: {row.position}"
        if row.problem:
            yield SourceItem(key=key, error=row.problem)
            continue
        try:
            passage = passage_from_row(row)
        except InvalidInputError as exc:
            yield SourceItem(key=key, error=str(exc))
            continue
        if passage.id in first_line:
            yield SourceItem(key=key, error=f"{row.where}: passage id {passage.id!r} was already given on "
                                            f"{first_line[passage.id]}; the first one is kept")
            continue
        first_line[passage.id] = row.position
        yield SourceItem(key=f"passage:{passage.id}", passages=[passage])


def passage_from_row(row: TableRow) -> Passage:
    """A passage from one JSON object; ids may be numbers in the file, they are text here."""
    values = {k: v for k, v in row.values.items() if k in PASSAGE_KEYS}
    for key in ("id", "artwork_id"):
        if isinstance(values.get(key), int | float) and not isinstance(values[key], bool):
            values[key] = str(values[key])
    for key in ("id", "text"):
        if values.get(key) in (None, ""):
            raise InvalidInputError(f"{row.where}: {key!r} is missing or empty")
    try:
        passage = Passage(**values)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise InvalidInputError(f"{row.where}: {problems}") from exc
    # the images a line names are fetched from their http(s) address, never read from a path it gives
    images = [i.model_copy(update={"read_from": i.url if i.url and is_url(i.url) else None}) for i in passage.images]
    return passage.model_copy(update={"images": images})


def _looks_like_passages(location: str) -> bool:
    """A .jsonl file whose first object has ``text`` and only passage keys."""
    path = Path(location)
    if path.suffix.lower() not in JSONL_SUFFIXES or not path.is_file():
        return False
    try:
        with path.open(encoding="utf-8-sig") as handle:
            for line in handle:
                if line.strip():
                    first = json.loads(line)
                    return isinstance(first, dict) and "text" in first and set(first) <= PASSAGE_KEYS
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return False


@register_source("passages", _looks_like_passages)
class PassagesSource(BaseSource):
    """A JSON Lines file of passages."""

    kind = "passages"

    def __init__(self, location: str, options: SourceOptions) -> None:
        super().__init__(location, options)
        self.path = Path(location)
        if not self.path.is_file():
            raise InvalidInputError(f"Passages file not found: {self.path}")

    def items(self) -> Iterator[SourceItem]:
        return passage_items(self.path)

    def count(self) -> int:
        return count_rows(self.path)
