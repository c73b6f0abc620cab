"""Reading catalogue tables (CSV, TSV, JSON array, JSON Lines) row by row.

A malformed row comes back as a row with a ``problem`` (the source records it and goes on); a file
that is not the format at all (not UTF-8, not JSON, no header) raises ``SourceFormatError``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from artscope.errors import SourceFormatError

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".tab"})
JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
TABLE_SUFFIXES = CSV_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES
# Long texts (provenance, essays) exceed csv's default 128 KiB field limit.
_FIELD_LIMIT = 16 * 1024 * 1024


@dataclass
class TableRow:
    """One data row: its cells by column name, or the problem that makes it unusable."""

    position: str
    """"line 12" (CSV, JSONL) or "item 3" (JSON array): where a person finds the row."""
    where: str
    """The file and the position, the prefix of every message about this row."""
    values: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None


def read_table(path: Path) -> Iterator[TableRow]:
    """The rows of a CSV/TSV, JSON array or JSONL file, chosen by its suffix."""
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        return _json_rows(path)
    if suffix in JSONL_SUFFIXES:
        return _jsonl_rows(path)
    return _csv_rows(path)


def read_header(path: Path) -> list[str] | None:
    """A CSV file's column names (None for JSON, whose rows each carry their own keys)."""
    if path.suffix.lower() in JSON_SUFFIXES | JSONL_SUFFIXES:
        return None
    with _open_text(path) as handle:
        return _header(csv.reader(handle, delimiter=_delimiter(path, handle)), path)


def count_rows(path: Path) -> int:
    """The number of rows ``read_table`` yields (quoted line breaks counted right)."""
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        return len(_load_json_array(path))
    if suffix in JSONL_SUFFIXES:
        with _open_text(path) as handle:
            return sum(1 for line in handle if line.strip())
    with _open_text(path) as handle:
        reader = csv.reader(handle, delimiter=_delimiter(path, handle))
        _header(reader, path)
        try:
            return sum(1 for cells in reader if any(c.strip() for c in cells))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _format_error(path, reader.line_num, exc) from exc


def _open_text(path: Path) -> TextIO:
    try:
        # utf-8-sig: exports from Excel and the Met's CSV start with a byte-order mark.
        return path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError as exc:
        raise SourceFormatError(f"Catalogue file not found: {path}") from exc
    except OSError as exc:
        raise SourceFormatError(f"Cannot read {path}: {exc.strerror or exc}") from exc


def _delimiter(path: Path, handle: TextIO) -> str:
    """Tab for .tsv; otherwise whichever of , ; tab the header line uses most (European exports use ;)."""
    if path.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    try:
        first_line = handle.readline()
    except UnicodeDecodeError as exc:
        raise _format_error(path, 1, exc) from exc
    handle.seek(0)
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > 0 else ","


def _header(reader: Any, path: Path) -> list[str]:
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    try:
        header = next(reader)
    except StopIteration:
        raise SourceFormatError(f"{path} is empty; a CSV catalogue needs a header row of column names.") \
            from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _format_error(path, 1, exc) from exc
    names = [name.strip() for name in header]
    if not any(names):
        raise SourceFormatError(f"{path}: the first line has no column names; add a header row.")
    seen: dict[str, int] = {}
    unique = []
    for name in names:  # a repeated column keeps its values under "name (2)"
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def _csv_rows(path: Path) -> Iterator[TableRow]:
    with _open_text(path) as handle:
        reader = csv.reader(handle, delimiter=_delimiter(path, handle))
        header = _header(reader, path)
        line = reader.line_num + 1
        try:
            for cells in reader:
                position, line = f"line {line}", reader.line_num + 1
                where = f"{path}: {position}"
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    yield TableRow(position, where, problem=(
                        f"{where}: {len(cells)} cells where the header has {len(header)} columns "
                        "(a comma or line break inside an unquoted field?)"))
                    continue
                yield TableRow(position, where, dict(zip(header, cells, strict=True)))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _format_error(path, line, exc) from exc


def _format_error(path: Path, line: int, exc: Exception) -> SourceFormatError:
    if isinstance(exc, UnicodeDecodeError):
        return SourceFormatError(f"{path} is not UTF-8 text (near line {line}); re-save it as UTF-8.")
    return SourceFormatError(f"{path}: line {line} is not valid CSV: {exc}.")


def _load_json_array(path: Path) -> list[Any]:
    with _open_text(path) as handle:
        try:
            data = json.load(handle)
        except UnicodeDecodeError as exc:
            raise _format_error(path, 1, exc) from exc
        except json.JSONDecodeError as exc:
            raise SourceFormatError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                                    f"{exc.msg}).") from exc
    if not isinstance(data, list):
        raise SourceFormatError(f"{path}: expected a JSON array of catalogue objects at the top level, "
                                f"found a JSON {type(data).__name__}.")
    return data


def _json_rows(path: Path) -> Iterator[TableRow]:
    for index, item in enumerate(_load_json_array(path), start=1):
        position = f"item {index}"
        yield _object_row(position, f"{path}: {position}", item)


def _jsonl_rows(path: Path) -> Iterator[TableRow]:
    with _open_text(path) as handle:
        first, number = True, 0
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                position = f"line {number}"
                where = f"{path}: {position}"
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    if first:  # a first line that is not JSON: the file is not JSON Lines at all
                        raise SourceFormatError(f"{where} is not JSON ({exc.msg}); expected one JSON "
                                                "object per line.") from exc
                    yield TableRow(position, where, problem=f"{where}: not valid JSON ({exc.msg})")
                    continue
                first = False
                yield _object_row(position, where, item)
        except UnicodeDecodeError as exc:
            raise _format_error(path, number + 1, exc) from exc


def _object_row(position: str, where: str, item: Any) -> TableRow:
    if not isinstance(item, dict):
        return TableRow(position, where, problem=f"{where}: a JSON {type(item).__name__}, not an object")
    return TableRow(position, where, {str(k): v for k, v in item.items()})
