"""Catalogue date texts -> a year range (``"ca. 1500-1510"`` -> ``(1500, 1510)``).

Museums write dates for people ("late 19th century", "2nd century BCE - 480 CE", "1887-8"); the
index filters and the period buckets need numbers. Years BCE are negative (100 BCE -> -100, and a
written "-100" is read the same way; there is no year 0). Centuries CE follow the catalogue
convention (18th century = 1700-1799); centuries BCE run the historical way (2nd century BCE =
200-101 BCE, i.e. -200..-101).
"""

from __future__ import annotations

import re

YearRange = tuple[int, int]

EARLIEST_YEAR, LATEST_YEAR = -3_000_000, 9999
"""Years outside this span are typing errors, not dates (the oldest worked stones are about 3
million years old); they are refused where they are read, so that no number too large for the
catalog or the index ever reaches them."""


def year_in_range(year: int) -> bool:
    """True for a year a record may carry."""
    return EARLIEST_YEAR <= year <= LATEST_YEAR

# Fractions of a century/millennium, as (first, last) offsets in hundredths of the span.
_PARTS: dict[str, tuple[int, int]] = {
    "early": (0, 33), "mid": (33, 66), "middle": (33, 66), "late": (66, 99),
    "first half": (0, 49), "second half": (50, 99),
    "first quarter": (0, 24), "second quarter": (25, 49), "third quarter": (50, 74),
    "fourth quarter": (75, 99), "last quarter": (75, 99),
}
_UNDATED = re.compile(r"^\s*(n\.?\s*d\.?|undated|unknown|not dated|no date|s\.\s*d\.|\?|-)?\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(?:0[1-9]|1[0-2])-\d{2}(?:[T ][\d:.]+)?(?:Z|[+-]\d{2}:?\d{2})?\s*$")
_BCE = re.compile(r"\b(b\.?\s*c\.?\s*e?\.?|bce)(?=\s|$|[,;)])")
_CE = re.compile(r"\b(a\.?\s*d\.?|c\.?\s*e\.?)(?=\s|$|[,;)])")
_ORDINAL = re.compile(r"\b(\d{1,2})\s*(?:st|nd|rd|th)\b")
_PART = re.compile(r"\b(" + "|".join(sorted(_PARTS, key=len, reverse=True)) + r")\b")
_DECADE = re.compile(r"\b(\d{3,4})0\s*'?s\b")
_YEAR = re.compile(r"\b(\d{1,4})\b")
_RANGE_SPLIT = re.compile(r"\s*(?:-|\bto\b|/)\s*")
_NEGATIVE = re.compile(r"(?<![\w.])-(\d{1,6})\b")
"""A minus sign before a year that does not follow a number: "-500" is 500 BCE, "1500-1600" a range."""
# "c." is circa only before a number ("c. 1650"); elsewhere it may be part of "b.c." or "19th c.".
_QUALIFIERS = re.compile(r"\b(?:circa|ca|c)\.?\s*(?=\d)|\b(?:about|approx(?:imately)?|probably|possibly|"
                         r"before|after|by|until|from|around|dated|made|cast|printed|published)\b\.?")


def parse_date(text: str | None) -> YearRange | None:
    """The (first, last) year a date text covers, or None when it names no year ("n.d.")."""
    if text is None or _UNDATED.match(text):
        return None
    iso = _ISO.match(text)
    if iso:
        year = int(iso.group(1))
        return year, year
    normal = _normalise(text)
    pieces = [p for p in _RANGE_SPLIT.split(normal) if p.strip()]
    if not pieces:
        return None
    # An era or unit written once applies to the whole range ("200-100 BC", "17th-18th century").
    shared_bce = bool(_BCE.search(pieces[-1])) and not _CE.search(pieces[0])
    shared_unit = _unit(pieces[-1])
    ranges: list[YearRange] = []
    for index, piece in enumerate(pieces):
        if index > 0:
            piece = _expand_abbreviated(piece, pieces[index - 1])
        bce = bool(_BCE.search(piece)) or (shared_bce and not _CE.search(piece))
        found = _parse_piece(piece, bce, _unit(piece) or shared_unit)
        if found:
            ranges.append(found)
    if not ranges:
        return None
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2013", "-").replace("\u2014", "-").replace("\u2012", "-").replace("\u2212", "-")
    text = _NEGATIVE.sub(r"\1 bce", text)
    text = re.sub(r"\b(early|mid|middle|late)\s*-\s*", r"\1 ", text)  # "mid-19th" is not a range
    text = re.sub(r"(\d(?:st|nd|rd|th))\s*c\b\.?", r"\1 century", text)  # "19th c."
    text = _QUALIFIERS.sub(" ", text)
    text = re.sub(r"[?\[\]()]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _unit(piece: str) -> str | None:
    if "millenni" in piece:
        return "millennium"
    if "centur" in piece:
        return "century"
    return None


def _expand_abbreviated(piece: str, previous: str) -> str:
    """"1887-8", "1503-19", "1620s-30s": the second year gives only its last digits."""
    short = re.match(r"^(\d{1,3})(s?)$", piece.strip())
    full = re.match(r"^(\d{4})", previous.strip())
    if not short or not full:
        return piece
    digits = short.group(1)
    expanded = full.group(1)[: 4 - len(digits)] + digits
    return expanded + short.group(2) if int(expanded) >= int(full.group(1)) else piece


def _parse_piece(piece: str, bce: bool, unit: str | None) -> YearRange | None:
    ordinal = _ORDINAL.search(piece)
    if ordinal and unit:
        return _span_of_ordinal(int(ordinal.group(1)), unit, bce, piece)
    decade = _DECADE.search(piece)
    if decade:
        start = int(decade.group(1)) * 10
        # "1800s" means the century, "1850s" the decade.
        span = 99 if start % 100 == 0 else 9
        return (-(start + span), -start) if bce else (start, start + span)
    years = [int(y) for y in _YEAR.findall(piece)]
    # Bare one- or two-digit numbers are days or counts, unless an era says they are years.
    has_era = bce or bool(_CE.search(piece))
    years = [y for y in years if y >= 100 or has_era]
    if not years:
        return None
    if bce:
        return -max(years), -min(years)
    return min(years), max(years)


def _span_of_ordinal(number: int, unit: str, bce: bool, piece: str) -> YearRange | None:
    if number < 1:
        return None
    size = 1000 if unit == "millennium" else 100
    if bce:
        start, end = -number * size, -(number - 1) * size - 1
    else:
        start, end = max(1, (number - 1) * size), (number - 1) * size + size - 1
    part = _PART.search(piece)
    if part:
        first, last = _PARTS[part.group(1)]
        length = end - start
        start, end = start + round(length * first / 99), start + round(length * last / 99)
    return start, end
