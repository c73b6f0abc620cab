"""Collection-level questions ("how many woodcuts from before 1800?", "which works by Hokusai are here?"),
answered by a query over the catalogue.

Constraints are read from the question against what the catalogue actually holds: artist names
(in full, or the surname with its particle: "Van Gogh"), object types (singular or plural), places
(any comma-separated part of a place: "India", "Arles"), and years (before / after / between / in a
year, decade or century). A type or an artist ("by Hokusai") that the catalogue does not know gives
zero works, said plainly. With no constraint, words left in the question are matched against titles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from artscope.media.dates import parse_date
from artscope.tasks.ask.context import AskContext, field_text, record_citation
from artscope.tasks.ask.text import STOPWORDS, contains_phrase, stems, words
from artscope.tasks.ask.types import Answer, QuestionKind
from artscope.types import ArtworkRecord

LIST_LIMIT = 20
"""Works named in a list or count answer (the total is always given)."""
PARTICLES = frozenset({"van", "von", "de", "da", "del", "della", "der", "di", "du", "la", "le", "ter"})
_GENERIC_TYPE_TEXT = """painting drawing print woodcut etching engraving lithograph sculpture statue
photograph building monument manuscript textile ceramic vase coin map poster fresco mosaic tapestry bridge
watercolour watercolor icon mask jewellery jewelry furniture"""
GENERIC_TYPES = frozenset(_GENERIC_TYPE_TEXT.split())
"""Object types a question may name that a catalogue may not hold (asking for them gives zero works)."""
_QUESTION_WORDS = frozenset({"count", "number", "list", "total", "exist", "painted", "built", "created",
                             "dated", "held", "kept", "century", "before", "after", "between", "since",
                             "during", "earlier", "later", "prior", "year", "decade", "else", "other"})
_YEAR = r"(\d{1,2}(?:st|nd|rd|th) century(?: bce| bc)?|\d{3,4}s|\d{1,4}(?: bce| bc)?)"
_BETWEEN = re.compile(rf"\b(?:between|from) {_YEAR} (?:and|to|-) {_YEAR}")
_BEFORE = re.compile(rf"\b(?:before|earlier than|prior to|until) (?:the )?{_YEAR}")
_AFTER = re.compile(rf"\b(?:after|later than|since) (?:the )?{_YEAR}")
_IN = re.compile(rf"\b(?:in|from|of|during|dated) (?:the )?{_YEAR}")
_NAME_WORD = r"(?:[A-Z][\w'’.-]*|van|von|de|da|del|der)"
_BY = re.compile(rf"\bby ({_NAME_WORD}(?: {_NAME_WORD})*)")


@dataclass
class Constraints:
    """What a collection-level question restricts the works to."""

    artists: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    title_terms: list[str] = field(default_factory=list)
    unknown_artists: list[str] = field(default_factory=list)
    unknown_types: list[str] = field(default_factory=list)
    """Artists ("by Hokusai") and types ("woodcuts") the catalogue does not hold: the answer is no works."""

    def any(self) -> bool:
        """True when the question named anything to restrict the works by."""
        return bool(self.artists or self.types or self.places or self.unknown() or self.title_terms) or \
            self.year_from is not None or self.year_to is not None

    def unknown(self) -> list[str]:
        return self.unknown_artists + self.unknown_types

    def describe(self) -> str:
        """The constraints in words: "by Vincent van Gogh of type painting dated 1888"."""
        parts = []
        if self.artists or self.unknown_artists:
            parts.append("by " + " or ".join(self.artists + self.unknown_artists))
        if self.types or self.unknown_types:
            parts.append("of type " + " or ".join(self.types + self.unknown_types))
        if self.places:
            parts.append("from " + " or ".join(self.places))
        if self.year_from is not None and self.year_to is not None:
            parts.append(f"dated {self.year_from}" if self.year_from == self.year_to
                         else f"dated {self.year_from}–{self.year_to}")
        elif self.year_to is not None:
            parts.append(f"dated up to {self.year_to}")
        elif self.year_from is not None:
            parts.append(f"dated from {self.year_from}")
        if self.title_terms:
            parts.append("with " + " and ".join(repr(t) for t in self.title_terms) + " in the title")
        return " ".join(parts)

    def where(self) -> tuple[str, list[Any]]:
        """The SQL condition on ``artworks`` and its parameters."""
        clauses, params = ["1"], []
        if self.artists:
            marks = ",".join("?" * len(self.artists))
            clauses.append(f"EXISTS (SELECT 1 FROM json_each(artworks.artists) WHERE value IN ({marks}))")
            params += self.artists
        if self.types:
            clauses.append(f"lower(type) IN ({','.join('?' * len(self.types))})")
            params += [t.lower() for t in self.types]
        if self.places:
            clauses.append("(" + " OR ".join("place LIKE ?" for _ in self.places) + ")")
            params += [f"%{p}%" for p in self.places]
        if self.year_from is not None:
            clauses.append("COALESCE(year_end, year_start) >= ?")
            params.append(self.year_from)
        if self.year_to is not None:
            clauses.append("year_start <= ?")
            params.append(self.year_to)
        if self.title_terms:
            query = "title : (" + " AND ".join(f'"{t}"' for t in self.title_terms) + ")"
            clauses.append("rowid IN (SELECT rowid FROM artworks_fts WHERE artworks_fts MATCH ?)")
            params.append(query)
        return " AND ".join(clauses), params


def _distinct(ctx: AskContext, sql: str) -> list[str]:
    return [r[0] for r in ctx.collection.catalog.conn.execute(sql) if r[0] and str(r[0]).strip()]


def _name_variants(name: str) -> list[str]:
    """"Vincent van Gogh" -> the full name, "van Gogh" and "Gogh"."""
    tokens = name.split()
    variants = [name]
    if len(tokens) > 1:
        start = len(tokens) - 1
        while start > 0 and tokens[start - 1].lower() in PARTICLES:
            start -= 1
        variants += [" ".join(tokens[start:]), tokens[-1]]
    return [v for v in dict.fromkeys(variants) if len(v) >= 3]


def _plurals(noun: str) -> list[str]:
    """A type as a question may write it: "church" or "churches", "gallery" or "galleries"."""
    forms = [noun, noun + "s", noun + "es"]
    return [*forms, noun[:-1] + "ies"] if noun.endswith("y") else forms


def _years(text: str) -> tuple[int | None, int | None]:
    for pattern, side in ((_BETWEEN, "both"), (_BEFORE, "to"), (_AFTER, "from"), (_IN, "in")):
        match = pattern.search(text)
        found = [parse_date(g) for g in match.groups()] if match else []
        if not found or any(f is None for f in found):
            continue
        if side == "both":
            return found[0][0], found[1][1]
        if side == "to":
            return None, found[0][0] - 1
        if side == "from":
            return found[0][1] + 1, None
        return found[0]
    return None, None


def parse_constraints(ctx: AskContext, question: str) -> Constraints:
    """The constraints a collection-level question states, matched against the catalogue's values."""
    found = Constraints()
    lowered = question.lower()
    artists = _distinct(ctx, "SELECT DISTINCT value FROM artworks, json_each(artworks.artists)")
    found.artists = [a for a in artists if any(contains_phrase(question, v) for v in _name_variants(a))]
    for named in _BY.findall(question):
        if not any(contains_phrase(named, v) or contains_phrase(a, named) for a in found.artists
                   for v in _name_variants(a)):
            found.unknown_artists.append(named)
    types = _distinct(ctx, "SELECT DISTINCT type FROM artworks")
    found.types = [t for t in types if any(contains_phrase(question, form) for form in _plurals(t))]
    known_types = {w for t in types for w in stems(t)}
    found.unknown_types = sorted(t for t in GENERIC_TYPES & stems(question)
                                 if t not in known_types and not found.types)
    parts = {p.strip() for place in _distinct(ctx, "SELECT DISTINCT place FROM artworks")
             for p in place.split(",")}
    found.places = sorted(p for p in parts if len(p) >= 3 and contains_phrase(question, p))
    found.year_from, found.year_to = _years(lowered)
    if not found.any():
        found.title_terms = sorted(w for w in words(question) if len(w) > 2 and not w.isdigit()
                                   and w not in STOPWORDS and w not in _QUESTION_WORDS)
    return found


def _matching(ctx: AskContext, constraints: Constraints) -> tuple[int, list[ArtworkRecord]]:
    """(how many works match, the first ``LIST_LIMIT`` of them in date order)."""
    where, params = constraints.where()
    conn = ctx.collection.catalog.conn
    total = int(conn.execute(f"SELECT COUNT(*) FROM artworks WHERE {where}", params).fetchone()[0])
    ids = [r[0] for r in conn.execute(
        f"SELECT id FROM artworks WHERE {where} ORDER BY year_start IS NULL, year_start, id LIMIT ?",
        [*params, LIST_LIMIT])]
    return total, ctx.collection.catalog.get_many(ids)


def _label(record: ArtworkRecord) -> str:
    title = record.title or record.id
    return f"{title} ({record.date})" if record.date else title


def answer_collection_question(ctx: AskContext, question: str) -> Answer:
    """A count or a list of the works that match the question's constraints, citing each listed record."""
    constraints = parse_constraints(ctx, question)
    described = constraints.describe()
    unknown = constraints.unknown()
    ctx.step("catalogue", {"constraints": described or "none", "not_in_catalogue": unknown}, "")
    if unknown:
        total, records = 0, []
    else:
        total, records = _matching(ctx, constraints)
    ctx.steps[-1].result = f"{total} matching works"
    noun = "work" if total == 1 else "works"
    scope = f"{noun} {described}" if described else noun
    absent = f": the catalogue knows no {' or '.join(unknown)}" if unknown else ""
    shown = "; ".join(_label(r) for r in records)
    more = f" and {total - len(records)} more" if total > len(records) else ""
    counting = ctx.classification.kind == QuestionKind.COUNT
    if not records:
        text = f"{0 if counting else 'None'}. The collection's records hold no {scope}{absent}."
    elif counting:
        text = f"{total}. The collection's records hold {total} {scope}: {shown}{more}."
    else:
        text = f"{shown}{more}. ({total} {scope} in the collection's records.)"
    dated = constraints.year_from is not None or constraints.year_to is not None
    fields = [name for name, used in (("artists", constraints.artists), ("type", constraints.types),
                                      ("place", constraints.places), ("date", dated)) if used]
    citations = [record_citation(ctx.collection, r, name) for r in records for name in fields or ["title"]
                 if field_text(r, name)]
    return ctx.answer(text, citations, confidence=0.9 if described else 0.6)
