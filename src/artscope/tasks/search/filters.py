"""Filter semantics for candidates that do not come from the vector index (BM25 hits), kept
identical to the payload filters the stores apply: a list value matches any of its values; a list
field matches when any element matches; ranges are inclusive."""

from __future__ import annotations

from typing import Any

from artscope.types import Filters, Range


def _matches_one(field: Any, wanted: Any) -> bool:
    values = field if isinstance(field, list) else [field]
    if isinstance(wanted, Range):
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        return any((wanted.gte is None or v >= wanted.gte) and (wanted.lte is None or v <= wanted.lte)
                   for v in numbers)
    options = wanted if isinstance(wanted, list) else [wanted]
    return any(v in options for v in values)


def matches(payload: dict[str, Any], filters: Filters | None) -> bool:
    """True when a payload passes every filter."""
    return all(_matches_one(payload.get(key), wanted) for key, wanted in (filters or {}).items())
