"""Collection-level questions ("how many woodcuts from before 1800?", "which works by Hokusai are here?"),
answered by a query over the catalogue.

Constraints are read from the question against what the catalogue actually holds: artist names
(in full, or the surname with its particle: "Van Gogh"), object types (singular or plural, named as
what is asked for: "Which *paintings* show a bridge?"), places (any comma-separated part of a place:
"India", "Arles"), and years (before / after / between / in a year, decade or century). A type or an
artist ("by Hokusai") that the catalogue does not know gives zero works, said plainly. The words
left ("show *a bridge*", "built of *marble*", "built by *Sneferu*") are the content condition, checked
work by work through search (``conditions``): only the works that meet it are listed, and the answer
says how many could not be checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from artscope.media.dates import parse_date
from artscope.tasks.ask.conditions import CHECK_LIMIT, Checked, check_condition
from artscope.tasks.ask.context import AskContext, field_text, record_citation
from artscope.tasks.ask.text import STOPWORDS, contains_phrase, fold, stems, words
from artscope.tasks.ask.types import NOT_IN_RECORDS, Answer, Citation, Flag, QuestionKind
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
_MADE_BY_OTHERS = re.compile(r"\b(?:built|constructed|erected|commissioned|founded|designed|ordered|begun|started|"
                             r"completed|given|donated|owned|used|visited)\s+$")
"""'Built by Sneferu' names a builder, not a catalogue artist: it is a content condition."""
_VERB = re.compile(r"\b(?:are|is|were|was|show|shows|showing|depict|depicts|depicting|have|has|had|built|made|"
                   r"constructed|erected|contain|contains|feature|features|mention|mentions|stand|stands|lie|lies)\b")
_GLUE_TEXT = """show shows showing depict depicts depicting feature features featuring build built made make
construct constructed erected contain contains containing include includes including represent represents mention
mentions here there collection one work works artwork artworks piece pieces item items object objects picture pictures
image images photo photos stand stands lie lies located"""
_GLUE = frozenset(_GLUE_TEXT.split())
"""Words of a list question that only connect its parts ("which paintings *show* ...")."""


@dataclass
class Constraints:
    """What a collection-level question restricts the works to."""

    artists: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    condition: str = ""
    """What the works must show or be, beyond the catalogue fields ("a bridge", "marble")."""
    unknown_artists: list[str] = field(default_factory=list)
    unknown_types: list[str] = field(default_factory=list)
    """Artists ("by Hokusai") and types ("woodcuts") the catalogue does not hold: the answer is no works."""

    def any(self) -> bool:
        """True when the question named anything to restrict the works by."""
        return bool(self.artists or self.types or self.places or self.unknown()) or \
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


def _artists(ctx: AskContext, question: str, found: Constraints) -> None:
    artists = _distinct(ctx, "SELECT DISTINCT value FROM artworks, json_each(artworks.artists)")
    found.artists = [a for a in artists if any(contains_phrase(question, v) for v in _name_variants(a))]
    for match in _BY.finditer(question):
        named = match.group(1)
        known = any(contains_phrase(named, v) or contains_phrase(a, named) for a in found.artists
                    for v in _name_variants(a))
        if not known and not _MADE_BY_OTHERS.search(question[:match.start()]):
            found.unknown_artists.append(named)


def _condition(question: str, found: Constraints, type_forms: list[str]) -> str:
    """The words left once the constraints, the question words and the glue are taken out."""
    text = f" {' '.join(words(question))} "
    phrases = [*(v for a in found.artists for v in _name_variants(a)), *found.places, *type_forms]
    for phrase in sorted(phrases, key=len, reverse=True):
        text = text.replace(f" {' '.join(words(phrase))} ", " ")
    for pattern in (_BETWEEN, _BEFORE, _AFTER, _IN):
        text = pattern.sub(" ", text)
    kept = [w for w in text.split() if len(w) > 1 and not w.isdigit() and w not in STOPWORDS
            and w not in _QUESTION_WORDS and w not in _GLUE and w not in {fold(u) for u in found.unknown()}]
    return " ".join(kept)


def parse_constraints(ctx: AskContext, question: str) -> Constraints:
    """The constraints a collection-level question states, matched against the catalogue's values."""
    found = Constraints()
    lowered = question.lower()
    _artists(ctx, question, found)
    verb = _VERB.search(lowered)
    asked_for = question[:verb.start()] if verb else question  # "Which paintings" of "... show a bridge"
    types = _distinct(ctx, "SELECT DISTINCT type FROM artworks")
    found.types = [t for t in types if any(contains_phrase(asked_for, form) for form in _plurals(t))]
    known_types = {w for t in types for w in stems(t)}
    found.unknown_types = sorted(t for t in GENERIC_TYPES & stems(asked_for)
                                 if t not in known_types and not found.types)
    parts = {p.strip() for place in _distinct(ctx, "SELECT DISTINCT place FROM artworks")
             for p in place.split(",")}
    found.places = sorted(p for p in parts if len(p) >= 3 and contains_phrase(question, p))
    found.year_from, found.year_to = _years(lowered)
    type_forms = [form for t in found.types for form in _plurals(t) if contains_phrase(asked_for, form)]
    found.condition = _condition(question, found, type_forms + list(found.unknown_types))
    return found


def _matching(ctx: AskContext, constraints: Constraints, limit: int) -> tuple[int, list[ArtworkRecord]]:
    """(how many works match, the first ``limit`` of them in date order)."""
    where, params = constraints.where()
    conn = ctx.collection.catalog.conn
    total = int(conn.execute(f"SELECT COUNT(*) FROM artworks WHERE {where}", params).fetchone()[0])
    ids = [r[0] for r in conn.execute(
        f"SELECT id FROM artworks WHERE {where} ORDER BY year_start IS NULL, year_start, id LIMIT ?",
        [*params, limit])]
    return total, ctx.collection.catalog.get_many(ids)


def _label(record: ArtworkRecord) -> str:
    title = record.title or record.id
    return f"{title} ({record.date})" if record.date else title


def _field_citations(ctx: AskContext, constraints: Constraints, records: list[ArtworkRecord]) -> list[Citation]:
    dated = constraints.year_from is not None or constraints.year_to is not None
    fields = [name for name, used in (("artists", constraints.artists), ("type", constraints.types),
                                      ("place", constraints.places), ("date", dated)) if used]
    return [record_citation(ctx.collection, r, name) for r in records for name in fields if field_text(r, name)]


def answer_collection_question(ctx: AskContext, question: str) -> Answer:
    """A count or a list of the works that match the question's constraints and its content condition,
    citing, for each listed work, the record fields and the sentence that show it qualifies."""
    constraints = parse_constraints(ctx, question)
    described, unknown, condition = constraints.describe(), constraints.unknown(), constraints.condition
    constraints.condition = " ".join(next((w for w in re.findall(r"[\w'’-]+", question) if fold(w) == c), c)
                                     for c in condition.split())  # as the question wrote it
    condition = constraints.condition
    ctx.step("catalogue", {"constraints": described or "none", "condition": condition or "none",
                           "not_in_catalogue": unknown}, "")
    total, records = (0, []) if unknown else _matching(ctx, constraints, CHECK_LIMIT if condition else LIST_LIMIT)
    ctx.steps[-1].result = f"{total} matching works"
    noun = "work" if total == 1 else "works"
    scope = f"{noun} {described}" if described else noun
    counting = ctx.classification.kind == QuestionKind.COUNT
    if condition and records:
        return _with_condition(ctx, constraints, scope, total, check_condition(ctx, condition, records))
    absent = f": the catalogue knows no {' or '.join(unknown)}" if unknown else ""
    shown = "; ".join(_label(r) for r in records)
    more = f" and {total - len(records)} more" if total > len(records) else ""
    if not records:
        text = f"{0 if counting else 'None'}. The collection's records hold no {scope}{absent}."
    elif counting:
        text = f"{total}. The collection's records hold {total} {scope}: {shown}{more}."
    else:
        text = f"{shown}{more}. ({total} {scope} in the collection's records.)"
    citations = _field_citations(ctx, constraints, records) or \
        [record_citation(ctx.collection, r, "title") for r in records]
    return ctx.answer(text, citations, confidence=0.9 if described else 0.6)


def _with_condition(ctx: AskContext, constraints: Constraints, scope: str, total: int, checked: Checked) -> Answer:
    """The works that meet the condition, and what could not be checked."""
    condition, counting = constraints.condition, ctx.classification.kind == QuestionKind.COUNT
    met = [record for record, _ in checked.met]
    shown = "; ".join(_label(r) + (" (judged from the picture)" if r.id in checked.from_pictures else "")
                      for r in met[:LIST_LIMIT])
    more = f" and {len(met) - LIST_LIMIT} more" if len(met) > LIST_LIMIT else ""
    unchecked = len(checked.unchecked) + max(0, total - checked.searched)
    gap = (f"; {unchecked} {'has' if unchecked == 1 else 'have'} no description or passage to check it against, "
           "and the pictures cannot be searched for it" if unchecked else "")
    flags = ([Flag.UNCHECKED] if unchecked else []) + ([Flag.PREDICTION] if checked.from_pictures else [])
    if not met and unchecked:
        text = (f"{NOT_IN_RECORDS} No record or passage of the {total} {scope} in the collection mentions "
                f"“{condition}”{gap}.")
        return ctx.answer(text, [], 0.0, flags=[*flags, Flag.NO_ANSWER])
    if not met:
        by = "meets, by its record, passages or measured picture" if checked.pictures_read else "mentions"
        text = f"{0 if counting else 'None'}. None of the {total} {scope} in the records {by} “{condition}”."
        return ctx.answer(text, [], 0.8)
    summary = f"{len(met)} of the {total} {scope} in the collection's records {'meets' if len(met) == 1 else 'meet'} " \
              f"“{condition}”{gap}"
    text = f"{len(met)}. {summary}: {shown}{more}." if counting else f"{shown}{more}. ({summary}.)"
    citations = [c for _, c in checked.met[:LIST_LIMIT]] + _field_citations(ctx, constraints, met[:LIST_LIMIT])
    return ctx.answer(text, citations, 0.5 if unchecked else 0.85, flags=flags)
