"""Questions in the visitor's language: the answer notes the language and quotes evidence untranslated."""

from __future__ import annotations

import re

import pytest

from artscope.collection import Collection
from artscope.tasks.ask import prepare
from artscope.tasks.ask.grounding import messages_for


def test_a_question_in_french_is_noted_and_english_evidence_quoted_as_it_is(ask_collection: Collection) -> None:
    answer = ask_collection.ask("De quoi est fait le Taj Mahal ?", llm=None)
    assert answer.language == "fr"
    assert answer.notes == ["The question is in French; the evidence is quoted in its own language, untranslated."]
    assert answer.answered and "white marble mausoleum" in answer.text
    assert answer.citations and all(c.quote and c.quote in answer.text for c in answer.citations)


def test_an_english_question_gets_no_language_note(ask_collection: Collection) -> None:
    answer = ask_collection.ask("What is the Taj Mahal made of?", llm=None)
    assert answer.language == "en" and answer.notes == []


def test_the_language_model_is_told_to_answer_in_the_question_s_language(ask_collection: Collection) -> None:
    _, user = messages_for(prepare(ask_collection, "Wer hat das Nachtcafé gemalt?"), send_image=False)
    assert re.search(r"The question is in German: answer in German.*untranslated", user["content"])
    _, english = messages_for(prepare(ask_collection, "Who painted the Night Cafe?"), send_image=False)
    assert "answer in" not in english["content"]


@pytest.mark.parametrize(("question", "value", "field"), [
    ("エッフェル塔はいつ建てられましたか", "1889", "date"),
    ("Qui a peint la Terrasse du café le soir ?", "Vincent van Gogh", "artists"),
    ("Wer hat das Nachtcafé gemalt?", "Vincent van Gogh", "artists"),
])
def test_a_field_question_in_another_language_is_answered_from_the_record(ask_collection: Collection, question: str,
                                                                          value: str, field: str) -> None:
    answer = ask_collection.ask(question, llm=None)
    assert answer.answered and answer.text.startswith(f"{value}.")
    assert any(c.kind == "record-field" and c.field == field for c in answer.citations)


def test_a_work_the_collection_lacks_is_not_answered_in_any_language(ask_collection: Collection) -> None:
    assert not ask_collection.ask("Qui a peint la Joconde ?", llm=None).answered
