"""Question kinds, told apart by keyword patterns.

MUSEUM-65 found that questions about museum objects fall into a few recurring kinds (title,
creator, date, origin, material, type, subject, collection, language, dimensions, ...). Each kind
has patterns tried in a fixed order (the first that matches wins) and the record fields that answer
it, in order of preference; ``extra`` fields of the same meaning are listed too because sources name
them differently. English only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from artscope.tasks.ask.types import QuestionKind

K = QuestionKind

FIELDS: dict[QuestionKind, tuple[str, ...]] = {
    K.TITLE: ("title",),
    K.CREATOR: ("artists", "creator", "maker", "architect", "author"),
    K.DATE: ("date",),
    K.PLACE: ("place", "country", "culture", "city", "location"),
    K.MATERIAL: ("medium", "materials", "material", "technique"),
    K.TYPE: ("type", "classification", "object_type", "object_name"),
    K.SUBJECT: ("subjects", "depicts", "subject", "iconclass"),
    K.COLLECTION: ("institution", "repository", "collection", "department", "gallery"),
    K.DIMENSIONS: ("dimensions",),
    K.LANGUAGE: ("inscription", "inscriptions", "language", "markings"),
    K.LICENSE: ("license", "credit", "rights"),
    K.STYLE: ("style", "genre", "movement", "period", "school"),
}
"""The record fields (well-known or ``extra``) that answer each field question, best first."""

PREDICTABLE: dict[QuestionKind, tuple[str, ...]] = {
    K.CREATOR: ("artist",),
    K.STYLE: ("style", "genre", "period"),
    K.MATERIAL: ("medium",),
    K.DATE: ("period",),
}
"""Attributes the ``attributes`` task predicts that answer a kind (as labelled predictions)."""

_WORK = (r"(?:it|(?:this|that|the) (?:painting|picture|image|photo|work|artwork|object|piece|print|drawing|"
         r"building|monument)|this|that)")
_PLURAL_WORKS = (r"(?:works|artworks|paintings|pictures|objects|pieces|items|prints|drawings|sculptures|"
                 r"photographs|photos|monuments|buildings|sites|woodcuts|etchings|engravings|statues|"
                 r"portraits|landscapes|castles|temples|churches|pyramids)")

_PATTERNS: list[tuple[QuestionKind, str]] = [
    # a count over the collection names what it counts ("how many woodcuts") or where ("are there")
    (K.COUNT, rf"\b(?:how many|number of)(?:\s+\w+){{0,2}}\s+{_PLURAL_WORKS}\b|^count\b"
              r"|\b(?:how many|number of)\b.*\b(?:are there|in the collection|does the collection|do you have"
              r"|are held|are here)\b"),
    (K.LIST, rf"\b(?:which|what|list|show(?: me)?|any|all)\b(?:\s+\w+){{0,2}}\s+{_PLURAL_WORKS}\b"
             r"|\blist\b|\bwhat (?:else|other)\b"),
    (K.LICENSE, r"licen[cs]e|copyright|public domain|\brights?\b|\bre-?use\b|\bcredit|permission|"
                r"attribution|who took (?:the|this) photo|\bphotographer\b"),
    (K.DIMENSIONS, r"how (?:big|large|tall|high|wide|heavy|deep)\b|how long\b(?! (?:did|does|do|has|have|had|ago)\b)"
                   r"|\bsize\b|dimension|measure|"
                   r"\bheight\b|\bwidth\b|\bdepth\b"),
    (K.LANGUAGE, r"language|inscri|\bwritten\b|\bwriting\b|\btext on\b|lettering|\bsigned\b|signature|"
                 rf"what does {_WORK} (?:say|read)"),
    (K.COLLECTION, r"\b(?:which|what|whose) (?:museum|gallery|collection|institution)|\bmuseum\b|\bgallery\b|"
                   r"institution|\b(?:held|housed|kept|owned)\b|\bwho owns\b|on (?:view|display)|accession"),
    (K.CREATOR, r"\bwho (?:\w+ )?(?:painted|made|created|drew|designed|built|sculpted|carved|engraved|etched|"
                r"produced|constructed|erected|wrote|founded)\b|\bartists?\b|\bpainter\b|\bcreator\b|"
                r"\bauthor\b|\bsculptor\b|\barchitect\b|\bmaker\b|by whom|who is (?:it|this|that) by|"
                r"attributed"),
    (K.DATE, r"\bwhen\b|what year|which year|\byear\b|\bdated?\b|how old|\bcentury\b|\bdecade\b"),
    (K.PLACE, r"\bwhere\b|\bplace\b|\bcountry\b|\bcity\b|\bregion\b|\borigins?\b|\blocated\b|\blocation\b|"
              r"from which|\bnation"),
    (K.MATERIAL, r"material|\bmedium\b|made (?:of|from|out of|with)\b|(?:built|constructed|carved) "
                 r"(?:of|from|out of)\b|technique|what (?:kind|sort) of paint|\bsupport\b"),
    (K.TYPE, r"what (?:type|kind|sort) of (?:object|thing|artwork|work|item|structure|building|monument|site)"
             r"|object type|classification|\bis (?:it|this|that) an? (?:painting|print|sculpture|drawing|"
             r"photograph|building|monument|object|statue)\b"),
    (K.STYLE, r"\bstyle\b|\bmovement\b|\bgenre\b|\bschool\b|\bperiod\b|what (?:kind|sort|type) of "
              r"(?:painting|art)\b|impressionis|baroque|renaissance|cubis|expressionis|romanticis"),
    (K.VISUAL, r"colou?rs?\b|colou?rful|\bbright|\bdark(?:er|est)?\b|\blight(?:ing)?\b|composition|contrast|"
               r"saturat|\bmood\b|\bfeel\b|beautiful|aesthetic|\bquality\b|\bsharp|\bblur|palette|symmetr|"
               r"texture|brushwork|how good|\brate\b|\bscore\b"),
    (K.DESCRIPTION, r"tell me (?:about|more)|\bdescribe\b|\bexplain\b|\bhistory\b|story of|what do you know"),
    (K.SUBJECT, r"depict|portray|represent|\bshow(?:s|n|ing)?\b|\bsubject\b|\bscene\b|iconograph|\btheme\b|"
                rf"what is (?:in|on) {_WORK}|who is (?:in|on|shown)|what is {_WORK} about"),
    (K.TITLE, r"\btitle|\bcalled\b|\bnamed?\b|known as|^what is (?:this|that|it)\??$"),
]
_COMPILED = [(kind, re.compile(pattern)) for kind, pattern in _PATTERNS]
_ONE_WORK = re.compile(rf"\b{_WORK}\b|\b(?:does|do) (?:it|this)\b")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Classification:
    """A question's kind, whether it asks about the whole collection, and the fields that answer it."""

    kind: QuestionKind
    fields: tuple[str, ...] = ()
    predictable: tuple[str, ...] = ()
    """The attributes (of the attributes task) that would answer it as a labelled prediction."""

    @property
    def collection_level(self) -> bool:
        return self.kind in (K.COUNT, K.LIST)

    @property
    def field_question(self) -> bool:
        return bool(self.fields)


def normalise_question(question: str) -> str:
    """Lower-cased, single-spaced, with curly quotes made plain."""
    text = question.replace("’", "'").replace("“", '"').replace("”", '"')
    return _SPACES.sub(" ", text).strip().lower()


def _named_first(text: str, fields: tuple[str, ...]) -> tuple[str, ...]:
    """The kind's fields with those the question names put first, in the order it names them ("what
    *language* is the *inscription* in?" asks for the language)."""
    spelled = text.replace("licence", "license")
    found = [(m.start(), f) for f in fields if (m := re.search(rf"\b{f.rstrip('s')}", spelled))]
    named = tuple(f for _, f in sorted(found))
    return named + tuple(f for f in fields if f not in named)


def classify(question: str) -> Classification:
    """The kind of a question (``description`` when no pattern matches)."""
    text = normalise_question(question)
    for kind, pattern in _COMPILED:
        if not pattern.search(text):
            continue
        # "How many figures are in this painting?" is about one work, not a count over the collection.
        if kind == K.COUNT and _ONE_WORK.search(text):
            continue
        return Classification(kind=kind, fields=_named_first(text, FIELDS.get(kind, ())),
                              predictable=_named_first(text, PREDICTABLE.get(kind, ())))
    return Classification(kind=K.DESCRIPTION)
