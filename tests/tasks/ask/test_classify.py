"""Question kinds from keyword patterns (MUSEUM-65's categories plus counts and lists)."""

from __future__ import annotations

import pytest

from artscope.tasks.ask.classify import classify
from artscope.tasks.ask.types import QuestionKind

K = QuestionKind


@pytest.mark.parametrize(("question", "kind"), [
    ("What is this painting called?", K.TITLE),
    ("What is this?", K.TITLE),
    ("Who painted the Cafe Terrace at Night?", K.CREATOR),
    ("Who built the Charminar?", K.CREATOR),
    ("When was the Eiffel Tower built?", K.DATE),
    ("Which century is it from?", K.DATE),
    ("Where is the Colosseum?", K.PLACE),
    ("What is the Colosseum made of?", K.MATERIAL),
    ("What medium did the artist use?", K.CREATOR),  # "artist" wins: who made it comes first
    ("What type of object is this?", K.TYPE),
    ("What does the painting depict?", K.SUBJECT),
    ("Which museum holds this painting?", K.COLLECTION),
    ("How big is this painting?", K.DIMENSIONS),
    ("How long is the Great Wall?", K.DIMENSIONS),
    ("How long did it take to build the Great Pyramid?", K.DESCRIPTION),  # a duration, not a length
    ("What was the Aula Palatina originally?", K.DESCRIPTION),  # "originally" is not "origin"
    ("What does the inscription say?", K.LANGUAGE),
    ("Under what licence can I reuse this image?", K.LICENSE),
    ("What style is this?", K.STYLE),
    ("What colour is the sky?", K.VISUAL),
    ("Why was the Charminar built?", K.DESCRIPTION),
    ("Tell me about Petra.", K.DESCRIPTION),
    ("How many woodcuts from before 1800?", K.COUNT),
    ("Which works by Hokusai are here?", K.LIST),
    ("How many people are in this painting?", K.DESCRIPTION),  # about one work, not a count
])
def test_kinds(question: str, kind: QuestionKind) -> None:
    assert classify(question).kind == kind


def test_fields_the_question_names_come_first() -> None:
    assert classify("What language is the inscription in?").fields[:2] == ("language", "inscription")
    assert classify("What is the inscription?").fields[0] == "inscription"
    style = classify("What genre is this painting?")
    assert style.fields[0] == "genre" and style.predictable[0] == "genre"
    assert classify("Who is credited for the photo?").fields[0] == "credit"
    assert classify("How many works are there?").collection_level
    assert not classify("Who painted it?").collection_level and classify("Who painted it?").field_question
