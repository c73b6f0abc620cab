"""No server path leaves the service: paths under the ingest root are shown relative to it, every
other absolute path (the collection's files, a path a job named outside the root) by its last part
only. Applied to job views and to every error message the API returns."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

# a URL (kept, unless it is a file: URL), or an absolute path that does not continue a word or URL
_TOKEN = re.compile(r"(?P<url>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]*)"
                    r"|(?<![\w./~%-])(?P<path>/[^\s'\"<>|,;()\[\]{}]*)")
API_PATHS = ("/api/", "/meta", "/health", "/infer", "/docs", "/openapi.json", "/static/")
"""The service's own routes, which messages name on purpose."""
HIDDEN = "…"


def redact(text: str, root: Path | None = None) -> str:
    """``text`` with every server path replaced: relative to ``root`` when inside it, else ``…/name``."""
    prefix = str(root.resolve()) if root is not None else None

    def shown(path: str) -> str:
        trail = len(path) - len(path.rstrip(".:"))
        path, tail = path[:len(path) - trail], path[len(path) - trail:]
        if prefix and (path == prefix or path.startswith(prefix + os.sep)):
            return (path[len(prefix) + 1:] or ".") + tail
        name = path.rstrip("/").rsplit("/", 1)[-1]
        return f"{HIDDEN}/{name}{tail}" if name else HIDDEN + tail

    def replace(match: re.Match[str]) -> str:
        url, path = match.group("url"), match.group("path")
        if url is not None:
            if url.lower().startswith("file://"):
                return shown("/" + url[len("file://"):].lstrip("/"))
            return url
        if path.startswith(API_PATHS) or path == "/":
            return path
        return shown(path)

    return _TOKEN.sub(replace, text)


def redact_value(value: Any, root: Path | None = None) -> Any:
    """``redact`` applied to every string inside ``value`` (dicts, lists, nested)."""
    if isinstance(value, str):
        return redact(value, root)
    if isinstance(value, dict):
        return {key: redact_value(item, root) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item, root) for item in value]
    return value
