"""IIIF Presentation values as plain text: language maps (3.0), ``@value``/``@language`` pairs (2.x),
and the little HTML that values may carry, sanitised to the spec's allow-list first.

The spec (3.0, "HTML markup in property values") assumes an untrusted publisher: clients must drop
scripts, styles, forms, comments and every attribute except ``a@href`` and ``img@src``/``img@alt``.
"""

from __future__ import annotations

import html
import re
from typing import Any

import nh3

# The allow-list of the Presentation API 3.0, section 4.4.
ALLOWED_TAGS = {"a", "b", "br", "i", "img", "p", "small", "span", "sub", "sup"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
PREFERRED_LANGUAGES = ("en", "none", "@none")
_BREAKS = re.compile(r"<br\s*/?>|</p>|<p>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def sanitise_html(value: str) -> str:
    """The value with only the spec's tags and attributes left (``script``/``style`` content removed)."""
    return nh3.clean(value, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=ALLOWED_SCHEMES,
                     strip_comments=True, link_rel=None)


def html_to_text(value: str) -> str:
    """A value as text: sanitised, tags dropped (paragraphs and breaks become line breaks), entities
    decoded, white space tidied."""
    if "<" not in value and "&" not in value:
        return " ".join(value.split())
    text = _TAG.sub("", _BREAKS.sub("\n", sanitise_html(value)))
    lines = (" ".join(line.split()) for line in html.unescape(text).splitlines())
    return "\n".join(line for line in lines if line)


def language_values(value: Any) -> list[str]:
    """The texts of a 3.0 language map, a 2.x value (string, ``{"@value"}``, list of either), or a plain
    string, in the best language: English, then no language, then whichever comes first."""
    if value is None:
        return []
    if isinstance(value, str):
        return [text] if (text := html_to_text(value)) else []
    if isinstance(value, dict) and "@value" in value:
        return language_values(value["@value"])
    if isinstance(value, dict):
        return _texts(_best_language({str(k): v for k, v in value.items()}))
    if isinstance(value, list):
        by_language: dict[str, list[Any]] = {}
        for item in value:
            language = item.get("@language", "none") if isinstance(item, dict) else "none"
            by_language.setdefault(str(language), []).append(item)
        return _texts(_best_language(by_language))
    return [str(value)]


def language_text(value: Any, separator: str = "; ") -> str | None:
    """``language_values`` joined into one text, None when empty."""
    return separator.join(language_values(value)) or None


def _best_language(by_language: dict[str, Any]) -> Any:
    if not by_language:
        return None
    for wanted in PREFERRED_LANGUAGES:
        if wanted in by_language:
            return by_language[wanted]
    for language, values in by_language.items():  # "en-GB", "en-US"
        if language.lower().startswith("en-"):
            return values
    return next(iter(by_language.values()))


def _texts(values: Any) -> list[str]:
    items = values if isinstance(values, list) else [values]
    out: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("@value")
        if item is not None and (text := html_to_text(str(item))):
            out.append(text)
    return out


def first_id(value: Any) -> str | None:
    """The ``id``/``@id`` of a resource, of the first of a list of them, or a bare string."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("id") or value.get("@id")
    return value if isinstance(value, str) and value else None


def as_list(value: Any) -> list[Any]:
    """IIIF 2.x allows one value where 3.0 has an array; treat both as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
