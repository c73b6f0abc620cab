"""Loaders for benchmark datasets, each reading the benchmark's own published on-disk layout.

Every loader returns typed items and reports a file that does not match its format as a
``SourceFormatError`` naming the file, the field and the entry, so a researcher can fix the download
rather than debug the harness. The helpers below are shared by all loader modules (retrieval, text,
attributes, aesthetics).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from artscope.errors import SourceFormatError

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp")


def existing(path: Path, what: str) -> Path:
    """``path`` if it exists, else an error saying which file of the layout is missing."""
    if not path.exists():
        raise SourceFormatError(f"{path} is missing: expected {what}. Check the --data folder layout "
                                "(artscope eval --list shows each benchmark's layout).")
    return path


def first_existing(root: Path, names: Sequence[str], what: str) -> Path:
    """The first of ``root / name`` that exists (benchmarks ship under a few published names)."""
    for name in names:
        if (root / name).exists():
            return root / name
    raise SourceFormatError(f"None of {', '.join(names)} is in {root}: expected {what}. Check the --data "
                            "folder layout (artscope eval --list shows each benchmark's layout).")


def read_json(path: Path, what: str) -> Any:
    """Parse a JSON file, naming it in the error when it is missing or malformed."""
    existing(path, what)
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceFormatError(f"{path} is not valid JSON ({exc}); re-download {what}.") from exc


def read_jsonl(path: Path, what: str) -> list[Any]:
    """Parse a JSON Lines file (blank lines skipped), naming the file and line on errors."""
    existing(path, what)
    rows = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SourceFormatError(f"{path} line {number} is not valid JSON ({exc}).") from exc
    return rows


def read_csv(path: Path, what: str, columns: Sequence[str], delimiter: str = ",",
             encoding: str = "utf-8") -> list[dict[str, str]]:
    """Rows of a CSV file that must have ``columns`` in its header."""
    existing(path, what)
    try:
        with path.open(newline="", encoding=encoding) as f:
            reader = csv.DictReader(f, delimiter=delimiter)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise SourceFormatError(f"{path} lacks the column(s) {', '.join(missing)} of {what} "
                                        f"(found: {', '.join(reader.fieldnames or []) or 'no header'}).")
            return list(reader)
    except UnicodeDecodeError as exc:
        raise SourceFormatError(f"{path} is not {encoding} text ({exc}); re-download {what}.") from exc


def require(entry: Any, key: str, kind: type | tuple[type, ...], path: Path, where: str) -> Any:
    """``entry[key]``, checked to be a ``kind``: the error names file, entry and field."""
    if not isinstance(entry, Mapping):
        raise SourceFormatError(f"{path}: {where} is a {type(entry).__name__}, expected an object.")
    if key not in entry:
        raise SourceFormatError(f"{path}: {where} has no field {key!r}.")
    value = entry[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        names = "/".join(t.__name__ for t in _as_tuple(kind))
        raise SourceFormatError(f"{path}: field {key!r} of {where} is a {type(value).__name__}, "
                                f"expected {names}.")
    return value


def string_list(entry: Any, key: str, path: Path, where: str) -> list[str]:
    """A field that must be a list of strings."""
    values = require(entry, key, list, path, where)
    if not all(isinstance(v, str) for v in values):
        raise SourceFormatError(f"{path}: field {key!r} of {where} must be a list of strings.")
    return values


def image_file(folder: Path, stem: str) -> Path:
    """``folder/stem`` with whichever image extension exists (``.png`` if none does yet)."""
    for ext in IMAGE_EXTENSIONS:
        candidate = folder / f"{stem}{ext}"
        if candidate.exists():
            return candidate
    return folder / f"{stem}.png"


def hash_split(key: str) -> str:
    """A stable 80/20 train/test assignment for datasets that publish no split."""
    return "test" if int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 5 == 0 else "train"


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


__all__ = ["IMAGE_EXTENSIONS", "existing", "first_existing", "hash_split", "image_file", "read_csv", "read_json",
           "read_jsonl", "require", "string_list"]
