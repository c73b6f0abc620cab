"""A question's focus: what its answer must state, so the answering sentence is chosen by it and not
by the words it shares with the question alone.

Field questions focus on a value of their kind (a year, a place, "by" a name, a material, a
measurement). Open questions may focus on who did something ("Who gave ...?": a name the question
does not hold), what a work was for ("What was it used for?", "Why was it built?": a clause of
purpose), a river or lake ("What river does it cross?"), a quantity ("How long did it take ...?": a
number with the counted thing), or what a work was ("What was it originally?"). Each focus is a
pattern over sentences whose ``value`` group is the span that answers; a sentence that does not
match it does not answer the question, however many words it shares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from artscope.tasks.ask.classify import Classification
from artscope.tasks.ask.types import QuestionKind

K = QuestionKind

_MATERIALS = (r"marble|limestone|sandstone|granite|stone|bricks?|wood|timber|bronze|iron|steel|concrete|"
              r"glass|gold|silver|copper|clay|terracotta|oil paint|oil|tempera|watercolou?r|ink|canvas|"
              r"paper|panel|plaster|coquina|basalt|ivory|porcelain|rock|metal|metallic|wrought iron|makrana marbles?")
_UNITS = (r"m|km|cm|mm|meters|metres|meter|metre|feet|foot|ft|inches|miles|acres|kilometers|kilometres|"
          r"hectares|years|people|visitors|%")
_TITLES = r"(?:emperor|empress|king|queen|pharaoh|sultan|prince|princess|architect|artist|painter|sculptor)"
_NAME = (r"[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|II|III|IV|V|of|the|de|van|von|da|del|al-\w+|bin|"
         rf"{_TITLES}(?=\s+[A-Z])))*")
_AGENT = (r"\b(?:by|from|of its founder,?|founder,?)\s+(?P<value>(?:the\s+)?(?:[a-z]+\s+){0,3}?" + _NAME + r")"
          r"|(?P<doer>" + _NAME + r")\s+(?:carried|built|designed|founded|commissioned|painted|established|"
          r"created|erected|arrived|sculpted|completed|started|began|ordered)\b")
_PURPOSE = (r"(?P<value>(?:(?:the|a|an)\s+)?(?:\b(?:used|served|serves|serving|intended|designed|built|constructed|"
            r"erected|made|established|meant)\s+(?:as|for|to|so that)\b|\bsetting for\b|\bin order to\b|\bso that\b"
            r"|\bdedicated to\b|\bfor the (?:purpose|use) of\b|\bto (?:house|mark|commemorate|protect|allow|"
            r"accommodate|honou?r|observe|preserve|celebrate|shelter|defend|guard|symboli[sz]e)\b)[^.;]*)")
_WATER = (r"(?P<value>(?:the\s+)?(?:River|Lake|Bay of|Sea of|Gulf of)\s+[A-Z][\w'’-]+"
          r"|[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*\s+(?:[Rr]iver|[Ll]ake|[Bb]ay|[Ss]ea|[Hh]arbou?r|[Cc]anal))")
_IDENTITY = (r"\b(?:was|is|were|are|served as)\s+(?P<value>(?:the|a|an)\s+[^,.;]+?)"
             r"(?=\s+(?:until|in|which|where|that|and)\b|[,.;]|$)")


SPAN_WORDS = 14


@dataclass(frozen=True)
class Focus:
    """What an answer must state: sentences that match ``answer`` can answer, its ``value`` group is
    the span stated first."""

    name: str
    answer: re.Pattern[str]
    self_evident: bool = False
    """A sentence stating such a value about the artwork supports the answer without sharing a word
    with the question ("What is it made of?" / "a white marble mausoleum"). Dates, places and names
    are not: passages give them for many reasons ("listed by UNESCO in 1987")."""
    new_name: bool = False
    """The value must name something the question does not ("Who gave it?" is not answered by "He")."""
    capitalise: bool = False
    """The value is a phrase that opens the answer ("The setting for ..."), not a name or a number."""
    shares_words: bool = True
    """The sentence must also share a word with the question. Field values need it (passages give dates
    and places for many reasons); a clause of purpose, a river, or what a work was are specific enough."""

    def value(self, match: re.Match[str]) -> str | None:
        """The span that answers, at most ``SPAN_WORDS`` words (the sentence follows it in full)."""
        found = next((g for g in (match.groupdict().get("value"), match.groupdict().get("doer")) if g), None)
        if not found:
            return None
        spoken = found.strip(" ,.;").split()
        return " ".join(spoken[:SPAN_WORDS]) + (" …" if len(spoken) > SPAN_WORDS else "")


FIELD_FOCI: dict[QuestionKind, Focus] = {
    K.DATE: Focus("date", re.compile(r"(?P<value>\b\d{1,2}(?:st|nd|rd|th) century(?: BCE?| AD| CE)?"
                                     rf"|\b(?:c(?:a)?\.\s*)?\d{{3,4}}(?:\s*(?:BCE?|AD|CE)\b)?(?!\s*(?:{_UNITS})\b)"
                                     r"|\b\d+ (?:BCE?|AD|CE)\b)")),
    K.CREATOR: Focus("creator", re.compile(
        r"\bby (?:the )?(?:(?:[A-Z]\w+ )?(?:pharaoh|king|queen|emperor|empress|sultan|architect|artist|painter|"
        r"sculptor) )?(?P<value>[A-Z][\w'’.-]*(?: (?:de |van |von |da |al-)?[A-Z][\w'’-]*){0,4})"), new_name=True),
    K.PLACE: Focus("place", re.compile(r"\b(?:in|at|near|on) (?:the )?"
                                       r"(?P<value>[A-Z][\w'’.-]*(?:,? (?:de |del |of |the )?[A-Z][\w'’-]*){0,4})")),
    K.MATERIAL: Focus("material", re.compile(rf"(?P<value>\b(?:polished |white |red |pink |grey |gray |rare )?"
                                             rf"(?:{_MATERIALS})(?: and (?:{_MATERIALS}))?\b)", re.IGNORECASE),
                      self_evident=True),
    K.DIMENSIONS: Focus("measurement", re.compile(r"(?P<value>\b\d[\d,.]*(?:-| )?(?:m|km|cm|mm|meters|metres|meter|"
                                                  r"metre|feet|foot|ft|inches|miles|acres|kilometers|kilometres|"
                                                  r"hectares)\b(?: \([^)]*\))?)"), self_evident=True),
}
"""Per field kind: what a value of that kind looks like in running text."""

_QUESTION_FOCI: list[tuple[re.Pattern[str], Focus]] = [
    (re.compile(r"\b(?:used for|use of|what (?:was|is|were) it for|what for|purpose|function|why (?:was|is|were|did)"
                r"|built (?:to|for)|serve[sd]? as|what did .* serve)\b"),
     Focus("purpose", re.compile(_PURPOSE), capitalise=True, shares_words=False)),
    (re.compile(r"\bwho\b|\bby whom\b|\bwhose\b"), Focus("agent", re.compile(_AGENT), capitalise=True, new_name=True)),
    (re.compile(r"\b(?:what|which) (?:river|lake|sea|bay|canal|harbou?r|body of water)\b"),
     Focus("water", re.compile(_WATER), shares_words=False)),
    (re.compile(r"\bwhat (?:is|was|were|are)\b.*\b(?:originally|formerly|once|at first|in the past)\b"),
     Focus("identity", re.compile(_IDENTITY), capitalise=True, shares_words=False)),
]
_HOW_MANY = re.compile(r"\bhow (?:many|much) (?P<noun>[a-z]+)")
_HOW_LONG = re.compile(r"\bhow long did it take\b")


def question_focus(classification: Classification, question: str) -> Focus | None:
    """The focus of a question (lower-case, normalised), or None for an open question without one."""
    if classification.kind in FIELD_FOCI:
        return FIELD_FOCI[classification.kind]
    if _HOW_LONG.search(question):
        return Focus("duration", re.compile(r"(?P<value>\b\d[\d,.]*\s+(?:years|months|days|decades|centuries)\b)"))
    many = _HOW_MANY.search(question)
    if many:
        noun = many.group("noun").rstrip("s")
        return Focus("quantity", re.compile(rf"(?P<value>\b\d[\d,.]*\s+(?:[\w-]+\s+){{0,2}}{noun}\w*)", re.IGNORECASE))
    return next((focus for pattern, focus in _QUESTION_FOCI if pattern.search(question)), None)
