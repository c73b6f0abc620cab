"""The model-free answerer on a collection the suite builds: one test per question kind, unanswerable
questions, image questions and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from artscope.collection import Collection
from artscope.errors import ImageLoadError, InvalidInputError, NotFoundError
from artscope.tasks.ask import Answer, Flag, QuestionKind, ask, iter_ask, model_free
from artscope.tasks.ask.context import AskContext, record_citation

CAFE = "van-gogh-cafe-terrace-at-night"

K = QuestionKind


def _ask(collection: Collection, question: str, **options: object) -> Answer:
    return ask(collection, question, llm=None, **options)


def _cites(answer: Answer) -> set[str]:
    return {c.marker for c in answer.citations}


@pytest.mark.parametrize(("question", "options", "kind", "value", "marker"), [
    ("What is this painting called?", {"artwork_id": "van-gogh-the-harvest"}, K.TITLE, "The Harvest",
     "[record:van-gogh-the-harvest.title]"),
    ("Who painted the Cafe Terrace at Night?", {}, K.CREATOR, "Vincent van Gogh", f"[record:{CAFE}.artists]"),
    ("Where is the Colosseum?", {}, K.PLACE, "Rome, Italy", "[record:colosseum.place]"),
    ("What medium is the Cafe Terrace at Night?", {}, K.MATERIAL, "oil on canvas", f"[record:{CAFE}.medium]"),
    ("What type of object is the Charminar?", {}, K.TYPE, "monument", "[record:charminar.type]"),
    ("What does the Night Café depict?", {}, K.SUBJECT, "billiard table, interior, lamps",
     "[record:van-gogh-the-night-cafe.subjects]"),
    ("Which museum holds the Cafe Terrace at Night?", {}, K.COLLECTION, "Kröller-Müller Museum",
     f"[record:{CAFE}.institution]"),
    ("How big is it?", {"artwork_id": CAFE}, K.DIMENSIONS, "80.7 × 65.3 cm", f"[record:{CAFE}.dimensions]"),
    ("What language is the inscription on the Night Café in?", {}, K.LANGUAGE, "French",
     "[record:van-gogh-the-night-cafe.language]"),
    ("What is the licence of The Harvest?", {}, K.LICENSE, "public-domain",
     "[record:van-gogh-the-harvest.license]"),
    ("What style is the Cafe Terrace at Night?", {}, K.STYLE, "Post-Impressionism", f"[record:{CAFE}.style]"),
])
def test_field_questions_answer_with_the_record_value_first(
        ask_collection: Collection, question: str, options: dict, kind: QuestionKind, value: str,
        marker: str) -> None:
    answer = _ask(ask_collection, question, **options)
    assert answer.kind == kind
    assert answer.text.startswith(f"{value}. "), answer.text
    assert marker in _cites(answer)
    assert answer.answered and answer.answerer == "model-free" and answer.confidence >= 0.8
    record_citation = next(c for c in answer.citations if c.marker == marker)
    assert record_citation.quote == value and record_citation.source.startswith("catalogue record")


def test_date_from_the_record_with_the_supporting_sentence(ask_collection: Collection) -> None:
    answer = _ask(ask_collection, "When was the Eiffel Tower built?")
    assert answer.kind == K.DATE and answer.artwork_id == "eiffel-tower"
    assert answer.text.startswith("1889. ") and "Paris International Exhibition" in answer.text
    assert _cites(answer) == {"[record:eiffel-tower.date]", "[passage:eiffel-tower-p1]"}


def test_field_missing_from_the_record_is_read_from_a_passage(ask_collection: Collection) -> None:
    answer = _ask(ask_collection, "Who built the Charminar?")
    assert answer.kind == K.CREATOR
    assert answer.text.startswith("Mohammed Quli Qutab Shah. ")
    assert _cites(answer) == {"[passage:charminar-p1]"}
    material = _ask(ask_collection, "What is the Bent Pyramid's casing made of?")
    assert material.text.startswith("polished limestone. ")
    assert _cites(material) == {"[passage:bent-pyramid-p1]"}


def test_open_question_gets_the_best_sentence_not_the_page(ask_collection: Collection) -> None:
    answer = _ask(ask_collection, "Why was the Charminar built?")
    assert answer.kind == K.DESCRIPTION and "end of plague" in answer.text
    assert len(answer.text) < 250 and _cites(answer) == {"[passage:charminar-p1]"}
    general = _ask(ask_collection, "Tell me about the Taj Mahal.")
    assert general.text.startswith("The Taj Mahal is a white marble mausoleum")


def test_question_about_no_named_artwork_searches_all_passages(ask_collection: Collection) -> None:
    answer = _ask(ask_collection, "Which monument was listed as a World Heritage site by UNESCO in 1987?")
    assert answer.artwork_id is None and "[passage:great-wall-of-china-p1]" in _cites(answer)


@pytest.mark.parametrize(("question", "text"), [
    ("How many works by Vincent van Gogh are in the collection?", "4. "),
    ("How many monuments are there in India?", "1. "),
    ("How many works from before 1700?", "2. "),
    ("How many woodcuts from before 1800?", "0. "),
])
def test_counts(ask_collection: Collection, question: str, text: str) -> None:
    answer = _ask(ask_collection, question)
    assert answer.kind == K.COUNT and answer.text.startswith(text), answer.text
    assert answer.answered


def test_lists_cite_the_records_they_name(ask_collection: Collection) -> None:
    answer = _ask(ask_collection, "Which paintings by Van Gogh are dated 1888?")
    assert answer.kind == K.LIST
    for title in ("Cafe Terrace at Night", "The Night Café", "The Harvest"):
        assert title in answer.text
    assert f"[record:{CAFE}.artists]" in _cites(answer) and f"[record:{CAFE}.date]" in _cites(answer)
    nobody = _ask(ask_collection, "Which works by Hokusai are here?")
    assert nobody.text.startswith("None. ") and "Hokusai" in nobody.text and not nobody.citations


@pytest.mark.parametrize("question", [
    "What is the Colosseum made of?",                      # the record and the passage do not say
    "Who built the Great Wall of China?",
    "Which river flows through Paris?",                    # nothing in the collection
    "What colour is the sky in the Cafe Terrace at Night?",  # only the picture could tell
])
def test_unanswerable_questions_say_so(ask_collection: Collection, question: str) -> None:
    answer = _ask(ask_collection, question)
    assert answer.text.startswith("Not in the collection's records.")
    assert not answer.answered and Flag.NO_ANSWER in answer.flags
    assert answer.confidence == 0 and not answer.citations


def test_visual_question_answered_by_labelled_measurements(ask_collection: Collection) -> None:
    answer = _ask(ask_collection, "What are the main colours of the Cafe Terrace at Night?")
    assert answer.kind == K.VISUAL and Flag.PREDICTION in answer.flags
    assert answer.text.startswith("Measured from the image, not stated in the collection's records:")
    assert answer.citations and all(c.kind == "prediction" for c in answer.citations)
    assert all(c.field.startswith("colour.") for c in answer.citations)


def test_image_of_a_stored_work_is_identified_exactly(ask_collection: Collection, cafe_image: Path) -> None:
    answer = _ask(ask_collection, "Who painted this?", image=cafe_image)
    assert answer.identified is not None and answer.identified.artwork_id == CAFE
    assert answer.identified.match == "exact" and answer.identified.in_collection
    recognised = "This is “Cafe Terrace at Night”, in the collection. "
    assert answer.text.startswith(recognised + "Vincent van Gogh. ") and answer.artwork_id == CAFE
    title = _ask(ask_collection, "What is this?", image=cafe_image.read_bytes())
    assert title.text.startswith(recognised + "Cafe Terrace at Night. ")
    unknown = _ask(ask_collection, "Who lived here?", image=cafe_image)  # recognised, but not answerable
    assert unknown.text.startswith(recognised + "Not in the collection's records.") and not unknown.answered


def test_unrelated_image_is_probably_not_in_the_collection(ask_collection: Collection) -> None:
    rng = np.random.default_rng(3)
    noise = Image.fromarray(rng.integers(0, 256, (120, 160, 3), dtype=np.uint8))
    answer = _ask(ask_collection, "When was this made?", image=noise)
    assert answer.identified is not None and not answer.identified.in_collection
    assert Flag.NOT_IN_COLLECTION in answer.flags and Flag.NO_ANSWER in answer.flags
    assert "probably not in the collection" in answer.text and answer.artwork_id is None


def test_bad_input_gets_clear_errors(ask_collection: Collection, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        _ask(ask_collection, "   ")
    with pytest.raises(NotFoundError, match="no-such-work"):
        _ask(ask_collection, "Who painted it?", artwork_id="no-such-work")
    (tmp_path / "broken.jpg").write_bytes(b"not an image at all")
    with pytest.raises(ImageLoadError):
        _ask(ask_collection, "Who painted this?", image=tmp_path / "broken.jpg")
    with pytest.raises(ImageLoadError, match="not found"):
        _ask(ask_collection, "Who painted this?", image=str(tmp_path / "missing.jpg"))
    with pytest.raises(InvalidInputError, match="max_steps"):
        _ask(ask_collection, "Who painted it?", max_steps=0)


def test_iter_ask_yields_the_steps_then_the_answer(ask_collection: Collection) -> None:
    events = list(iter_ask(ask_collection, "When was the Eiffel Tower built?", llm=None))
    assert [e.type for e in events[:-1]] == ["step"] * (len(events) - 1) and events[-1].type == "answer"
    tools = [e.step.tool for e in events[:-1]]
    assert tools[0] == "classify" and "record" in tools
    assert events[-1].answer.steps == [e.step for e in events[:-1]]
    assert ask_collection.ask("When was the Eiffel Tower built?", llm=None).text == events[-1].answer.text


@pytest.mark.parametrize(("question", "start", "marker"), [
    ("Who commissioned the Taj Mahal?", "The Mughal emperor Shah Jahan. ", "[passage:taj-mahal-p1]"),
    ("What was the Eiffel Tower built for?", "Built for the Paris International Exhibition",
     "[passage:eiffel-tower-p1]"),
    ("Why was the Charminar built?", "To mark the end of plague", "[passage:charminar-p1]"),
    ("What was the Colosseum originally?", "The first permanent amphitheatre to be raised. ",
     "[passage:colosseum-p1]"),
    ("How long is the Great Wall of China?", "13170 miles (21196 kilometers). ", "[passage:great-wall-of-china-p1]"),
])
def test_open_questions_answer_with_the_span_their_focus_asks_for(ask_collection: Collection, question: str,
                                                                  start: str, marker: str) -> None:
    answer = _ask(ask_collection, question)
    assert answer.text.startswith(start), answer.text
    assert _cites(answer) == {marker} and answer.answered and answer.confidence >= 0.4  # fused text cosines run lower


def test_a_question_asking_two_things_answers_what_it_can_and_says_what_it_cannot(
        ask_collection: Collection) -> None:
    answer = _ask(ask_collection, "Who built the Eiffel Tower and what was it built for?")
    assert answer.text.startswith("Built for the Paris International Exhibition")
    assert answer.text.endswith("The collection's records do not say who built the Eiffel Tower.")
    assert _cites(answer) == {"[passage:eiffel-tower-p1]"} and answer.answered
    assert answer.confidence < 0.5  # half the question is unanswered


@pytest.mark.parametrize("question", [
    "What is the name of the king buried in the Bent Pyramid?",  # the record's title must not answer it
    "How many towers does the Great Wall of China have?",       # a passage with a number but no towers
    "Who was the architect of the Charminar?",                    # the builder is known, the architect not
    "What river flows past the Colosseum?",                       # no river in its passage
])
def test_a_focus_the_evidence_does_not_address_gets_no_answer(ask_collection: Collection, question: str) -> None:
    answer = _ask(ask_collection, question)
    assert not answer.answered and answer.confidence == 0, answer.text
    assert answer.text.startswith("Not in the collection's records.")


def test_lists_keep_only_the_works_that_meet_the_condition(ask_collection: Collection) -> None:
    limestone = _ask(ask_collection, "Which monuments are built of limestone?")
    assert limestone.kind == K.LIST and limestone.text.startswith("Bent Pyramid. ")
    assert {c.artwork_id for c in limestone.citations} == {"bent-pyramid"}
    assert "[passage:bent-pyramid-p1]" in _cites(limestone)
    billiards = _ask(ask_collection, "Which paintings show a billiard table?")
    assert billiards.text.startswith("The Night Café (1888). ")
    assert "[record:van-gogh-the-night-cafe.subjects]" in _cites(billiards)
    assert Flag.UNCHECKED in billiards.flags and billiards.confidence <= 0.5  # two paintings say nothing
    assert "could not be checked" in " ".join(billiards.warnings)
    counted = _ask(ask_collection, "How many monuments are built of limestone?")
    assert counted.kind == K.COUNT and counted.text.startswith("1. ")


@pytest.mark.parametrize(("planted", "kept"), [
    ("Paul Gauguin.", ""),                                                        # another artist
    ("Vincent van Gogh. He painted it in 1890.", "Vincent van Gogh."),            # another year
    ("Vincent van Gogh. He painted it in Paris.", "Vincent van Gogh."),           # the record says Arles
])
def test_the_model_free_answer_loses_sentences_its_citations_do_not_support(
        ask_collection: Collection, monkeypatch: pytest.MonkeyPatch, planted: str, kept: str) -> None:
    """The model-free composer is replaced by one that writes a false sentence behind a valid citation
    (the record's artist field): the sentence goes, the answer is flagged and its confidence falls."""
    def composer(ctx: AskContext) -> Answer:
        return ctx.answer(planted, [record_citation(ctx.collection, ctx.record, "artists")], 0.95)

    monkeypatch.setattr(model_free, "_answer_one", composer)
    answer = _ask(ask_collection, "Who painted the Cafe Terrace at Night?")
    assert Flag.UNSUPPORTED in answer.flags
    if kept:
        assert answer.text == kept and answer.answered and answer.confidence == pytest.approx(0.95 / 2)
    else:
        assert not answer.answered and answer.confidence == 0 and answer.text.startswith("Not in the collection")


def test_a_condition_nothing_can_check_is_not_answered(ask_collection: Collection) -> None:
    answer = _ask(ask_collection, "Which paintings show a cat?")
    assert not answer.answered and not answer.citations and Flag.UNCHECKED in answer.flags
    assert "no description or passage" in answer.text


def test_visitors_get_warnings_in_words_not_flag_names(ask_collection: Collection) -> None:
    answer = _ask(ask_collection, "Which paintings show a billiard table?")
    payload = answer.model_dump(mode="json")
    assert payload["warnings"] and all(f not in " ".join(payload["warnings"]) for f in payload["flags"])
