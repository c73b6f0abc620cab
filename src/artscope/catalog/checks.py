"""The last check of a record before it is stored, whatever made it: a source, or a curator's edit.

Sources check values where they read them (and name the line and column); this check makes sure
that nothing the catalog or the index cannot hold gets through from any source: years outside the
plausible span, numbers too large for a 64-bit integer or not finite, text that is not Unicode
(unpaired surrogates), values nested deeper than a catalogue field ever is. A year range written
backwards is turned round, with a warning.
"""

from __future__ import annotations

import math
from typing import Any

from artscope.errors import InvalidInputError
from artscope.media.dates import EARLIEST_YEAR, LATEST_YEAR, year_in_range
from artscope.types import LIST_FIELDS, TEXT_FIELDS, ArtworkRecord, storable_whole

MAX_DEPTH = 32
"""Lists and objects inside an extra field nest at most this deep."""


def checked_record(record: ArtworkRecord) -> tuple[ArtworkRecord, list[str]]:
    """The record as it may be stored, and warnings; raises ``InvalidInputError`` naming the field."""
    for name in ("year_start", "year_end"):
        year = getattr(record, name)
        if year is not None and not year_in_range(year):
            raise InvalidInputError(f"{name!r} is {year}, outside the years {EARLIEST_YEAR} to {LATEST_YEAR}")
    _check_value("id", record.id, 0)
    for name in (*TEXT_FIELDS, *LIST_FIELDS):
        _check_value(name, getattr(record, name), 0)
    for key, value in record.extra.items():
        _check_value(key, key, 0)
        _check_value(key, value, 0)
    for view in record.views:
        _check_value("image", view.uri, 0)
        _check_value("image label", view.label, 0)
    warnings = []
    start, end = record.year_start, record.year_end
    if start is not None and end is not None and start > end:
        warnings.append(f"the year range {start} to {end} runs backwards; stored as {end} to {start}")
        record = record.model_copy(update={"year_start": end, "year_end": start})
    return record, warnings


def _check_value(field: str, value: Any, depth: int) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        if value.isascii():
            return
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidInputError(f"{field!r} holds {value[exc.start]!r}, which is not a character "
                                    "(an unpaired surrogate)") from None
    elif isinstance(value, int):
        if not storable_whole(value):
            raise InvalidInputError(f"{field!r} is a number too large to store ({str(value)[:24]}...)")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(f"{field!r} is {value}, not a finite number")
    elif isinstance(value, list | dict):
        if depth >= MAX_DEPTH:
            raise InvalidInputError(f"{field!r} nests lists or objects more than {MAX_DEPTH} levels deep")
        for item in value.values() if isinstance(value, dict) else value:
            _check_value(field, item, depth + 1)
        if isinstance(value, dict):
            for key in value:
                _check_value(field, key, depth + 1)
