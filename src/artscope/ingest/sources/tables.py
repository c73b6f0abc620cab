"""Reading catalogue tables (CSV, TSV, JSON array, JSON Lines) row by row.

A malformed row comes back as a row with a ``problem`` (the source records it and goes on): a row
with the wrong number of cells, bytes that are not UTF-8, a quote that is never closed (reported at
the line where it opens; reading goes on at the next line, so it swallows no rows), a JSON item
nested too deeply. A file that is not the format at all (an unreadable header, not JSON, no header)
raises ``SourceFormatError`` before any row is read; a JSON array broken in the middle ends with a
problem row saying where it stops.
"""

from __future__ import annotations

import csv
import json
import re
from collections import deque
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
    with _open_text(path, errors="surrogateescape") as handle:
        return _header(csv.reader(handle, delimiter=_delimiter(path, handle)), path)


def count_rows(path: Path) -> int:
    """The number of rows ``read_table`` yields (quoted line breaks counted right; a CSV row with a
    quote that never closes may make it an underestimate: it is for progress bars). A JSON file that
    is not an array of objects raises here, before anything is read."""
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        with _open_text(path) as handle:
            return sum(1 for line in handle if line.strip())
    if suffix in JSON_SUFFIXES:
        return sum(1 for _ in read_table(path))
    with _open_text(path, errors="surrogateescape") as handle:
        reader = csv.reader(handle, delimiter=_delimiter(path, handle))
        _header(reader, path)
        try:
            return sum(1 for cells in reader if any(c.strip() for c in cells))
        except csv.Error:
            return reader.line_num


def _open_text(path: Path, errors: str = "strict") -> TextIO:
    try:
        # utf-8-sig: exports from Excel and the Met's CSV start with a byte-order mark.
        return path.open(encoding="utf-8-sig", newline="", errors=errors)
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
    if any(_NOT_UTF8.search(name) for name in names):
        raise SourceFormatError(f"{path} is not UTF-8 text (its header line); re-save it as UTF-8.")
    seen: dict[str, int] = {}
    unique = []
    for name in names:  # a repeated column keeps its values under "name (2)"
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


_NOT_UTF8 = re.compile("[\udc80-\udcff]")
"""Bytes that are not UTF-8, as the ``surrogateescape`` error handler keeps them."""


class _Lines:
    """A text file's physical lines, numbered, with the lines the CSV parser took for its last row
    kept so that they can be read again (after a quote that never closes)."""

    def __init__(self, handle: TextIO) -> None:
        self.handle = handle
        self.number = 0
        self.again: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.again:
            number, line = self.again.popleft()
        else:
            line = self.handle.readline()
            if not line:
                raise StopIteration
            self.number += 1
            number = self.number
        self.taken.append((number, line))
        return line

    def read_again_after_first(self) -> None:
        """The lines of the last row but its first will be read again."""
        self.again.extendleft(reversed(self.taken[1:]))

    def at_end(self) -> bool:
        if self.again:
            return False
        where = self.handle.tell()
        more = self.handle.readline()
        self.handle.seek(where)
        return not more


def _csv_rows(path: Path) -> Iterator[TableRow]:
    with _open_text(path, errors="surrogateescape") as handle:
        delimiter = _delimiter(path, handle)
        lines = _Lines(handle)  # the only reader of the handle: it reads by readline(), so tell() works
        header = _header(csv.reader(lines, delimiter=delimiter), path)
        reader = csv.reader(lines, delimiter=delimiter)
        while True:
            lines.taken = []
            try:
                cells = next(reader)
                problem = None
            except StopIteration:
                return
            except csv.Error as exc:
                cells, problem = [], str(exc)
            if not lines.taken:
                return
            first = lines.taken[0][0]
            position = f"line {first}"
            where = f"{path}: {position}"
            unclosed = len(cells) != len(header) and _unclosed_quote(lines.taken, delimiter, len(header))
            unclosed = unclosed or (cells and cells[-1].endswith(("\n", "\r")) and lines.at_end()
                                    and _open_at_end(lines.taken, delimiter))
            if problem or unclosed:
                lines.read_again_after_first()
                reader = csv.reader(lines, delimiter=delimiter)
                yield TableRow(position, where, problem=(
                    f"{where}: a quote opened in this row is not closed ({problem or 'the lines after it read as rows'}"
                    "); the row is skipped and reading goes on at the next line"))
                continue
            if not any(c.strip() for c in cells):
                continue
            yield _csv_row(position, where, header, cells)


def _unclosed_quote(taken: list[tuple[int, str]], delimiter: str, columns: int) -> bool:
    """A row that spans lines, has the wrong number of cells, and one of whose next lines is a whole
    row by itself: a quote in its first line opened a field that the file does not close there."""
    return any(len(next(csv.reader([line], delimiter=delimiter), [])) == columns for _, line in taken[1:6])


def _open_at_end(taken: list[tuple[int, str]], delimiter: str) -> bool:
    """The file's last row ends inside a quoted field (the parser hands such a row over silently)."""
    try:
        list(csv.reader((line for _, line in taken), delimiter=delimiter, strict=True))
    except csv.Error:
        return True
    return False


def _csv_row(position: str, where: str, header: list[str], cells: list[str]) -> TableRow:
    if len(cells) != len(header):
        return TableRow(position, where, problem=(
            f"{where}: {len(cells)} cells where the header has {len(header)} columns "
            "(a comma or line break inside an unquoted field?)"))
    if _NOT_UTF8.search("".join(cells)):  # one search a row; the column is looked for only then
        name, bad = next((n, m) for n, c in zip(header, cells, strict=True) if (m := _NOT_UTF8.search(c)))
        byte = ord(bad.group()) - 0xDC00
        return TableRow(position, where, problem=(
            f"{where}: column {name!r} is not UTF-8 text (byte {byte:#04x}); re-save the file as UTF-8"))
    return TableRow(position, where, dict(zip(header, cells, strict=True)))


def _format_error(path: Path, line: int, exc: Exception) -> SourceFormatError:
    if isinstance(exc, UnicodeDecodeError):
        return SourceFormatError(f"{path} is not UTF-8 text (near line {line}); re-save it as UTF-8.")
    return SourceFormatError(f"{path}: line {line} is not valid CSV: {exc}.")


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_SPACE = re.compile(r"\s*")


def _json_rows(path: Path) -> Iterator[TableRow]:
    """A JSON array read item by item, so that one bad item (nested too deeply) is that item's
    problem and the items around it are read."""
    with _open_text(path) as handle:
        try:
            text = handle.read()
        except UnicodeDecodeError as exc:
            raise _format_error(path, 1, exc) from exc
    decoder = json.JSONDecoder()
    position = _SPACE.match(text).end()
    if not text.startswith("[", position):
        _refuse_json(path, text)
    position = _SPACE.match(text, position + 1).end()
    index = 0
    while not text.startswith("]", position):
        index += 1
        where = f"{path}: item {index}"
        try:
            item, position = decoder.raw_decode(text, position)
            yield _object_row(f"item {index}", where, item)
        except RecursionError:
            position = _end_of_value(text, position)
            yield TableRow(f"item {index}", where, problem=f"{where}: nested too deeply to be a catalogue row")
        except json.JSONDecodeError as exc:
            yield TableRow(f"item {index}", where, problem=(
                f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); the rest of the "
                "file was not read"))
            return
        position = _SPACE.match(text, position).end()
        if text.startswith(",", position):
            position = _SPACE.match(text, position + 1).end()
        elif not text.startswith("]", position):
            line = text.count("\n", 0, position) + 1
            yield TableRow(f"item {index + 1}", f"{path}: item {index + 1}", problem=(
                f"{path}: line {line}: expected ',' or ']' after item {index}; the rest of the file was not read"))
            return


def _refuse_json(path: Path, text: str) -> None:
    """Raise the error of a JSON file that is not an array of objects."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFormatError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                                f"{exc.msg}).") from exc
    except RecursionError:
        raise SourceFormatError(f"{path} nests its JSON too deeply to be a catalogue.") from None
    raise SourceFormatError(f"{path}: expected a JSON array of catalogue objects at the top level, "
                            f"found a JSON {type(data).__name__}.")


def _end_of_value(text: str, start: int) -> int:
    """Where the JSON array or object that starts at ``start`` ends (brackets counted outside strings)."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text, start):
        mark = token.group()
        if mark in "[{":
            depth += 1
        elif mark in "]}":
            depth -= 1
            if depth == 0:
                return token.end()
    return len(text)


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
                except RecursionError:
                    yield TableRow(position, where, problem=f"{where}: nested too deeply to be a catalogue row")
                    continue
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
    values = {str(k): v for k, v in item.items()}
    for key, value in values.items():
        for text in ([key, value] if isinstance(value, str) else [key]):
            if _SURROGATE.search(text):
                return TableRow(position, where, problem=(
                    f"{where}: field {key!r} holds an unpaired surrogate (\\u{ord(_SURROGATE.search(text).group()):04x}"
                    "), which is not a character"))
    return TableRow(position, where, values)


_SURROGATE = re.compile("[\ud800-\udfff]")
