"""Dialogue questions: chosen by expected information gain over the weighted candidates, only from
fields that split them (never free text or provenance), with options that read unambiguously; and
the facet fields they draw on."""

from __future__ import annotations

import re

import numpy as np
import pytest

from artscope.collection import Collection
from artscope.errors import InvalidInputError
from artscope.tasks.search.dialogue import answer_dialogue, start_dialogue
from artscope.tasks.search.facets import facet_fields, question_fields
from artscope.tasks.search.questions import NONE_OF_THESE, choose_question, expected_gain
from artscope.tasks.search.types import SearchHit
from artscope.types import ArtworkRecord


def _hit(artwork_id: str, similarity: float = 0.5, **fields: object) -> SearchHit:
    return SearchHit(artwork=ArtworkRecord(id=artwork_id, **fields), score=similarity, similarity=similarity)


def test_expected_gain_is_the_fall_in_entropy_a_known_answer_brings() -> None:
    uniform = np.full(4, 0.25)
    halves = [(np.array([1, 1, 0, 0], bool),) * 2, (np.array([0, 0, 1, 1], bool),) * 2]
    assert expected_gain(uniform, halves) == pytest.approx(1.0)  # 2 bits before, 1 after
    everyone = np.ones(4, bool)
    assert expected_gain(uniform, [(everyone, everyone)]) == pytest.approx(0.0)
    # half the candidates have no value: their visitors skip, which tells nothing
    unknown = [(np.array([1, 0, 0, 0], bool),) * 2, (np.array([0, 1, 0, 0], bool),) * 2]
    assert expected_gain(uniform, unknown) == pytest.approx(0.5 * 2.0)


def test_fields_that_do_not_split_the_likely_candidates_are_not_asked() -> None:
    hits = [_hit(f"p{i}", 0.8, type="painting", place=f"Town {i}, France") for i in range(6)]
    hits += [_hit(f"b{i}", 0.1, type="building", place=f"Town {i}, {'Italy' if i % 2 else 'Spain'}") for i in range(6)]
    question = choose_question(hits, set(), ["type", "place"])
    assert question is None  # the likely ones are all paintings in France: nothing to ask
    hits[1] = _hit("p1", 0.8, type="painting", place="Rome, Italy")
    question = choose_question(hits, set(), ["type", "place"])
    assert question is not None and question.field == "place"
    assert question.options[:2] == ["France", "Italy"] and question.options[-1] == NONE_OF_THESE


def test_castle_questions_offer_the_castles_places_quoted(night_collection: Collection) -> None:
    turn = start_dialogue(night_collection, text="castle")
    question = turn.question
    assert question is not None and question.field == "place"
    castles = {r.place.rsplit(",", 1)[-1].strip() for r in night_collection.catalog.iter_records()
               if "castle" in (r.title or "").lower()}
    assert set(question.options[:3]) <= castles and question.options[-1] == NONE_OF_THESE
    assert re.findall(r"“([^”]+)”", question.text) == question.options[:-1]  # every option quoted, in order
    germany = answer_dialogue(night_collection, turn.session_id, "Germany")
    assert germany.hits and all(h.artwork.place.endswith("Germany") for h in germany.hits)
    assert germany.question is None or germany.question.field != "place"


def test_none_of_these_rules_the_listed_values_out(night_collection: Collection) -> None:
    turn = start_dialogue(night_collection, text="castle")
    listed = [o for o in turn.question.options if o != NONE_OF_THESE]
    after = answer_dialogue(night_collection, turn.session_id, NONE_OF_THESE)
    assert after.excluded == {"place": listed}
    assert after.hits and not any(h.artwork.place and h.artwork.place.rsplit(",", 1)[-1].strip() in listed
                                  for h in after.hits)
    if after.question is not None and after.question.field == "place":  # asked again: other values
        assert not set(after.question.options[:-1]) & set(listed)


def test_years_read_unambiguously_and_filter(night_collection: Collection) -> None:
    turn = start_dialogue(night_collection, text="a painting by Vincent van Gogh")
    year = turn.question if turn.question and turn.question.field == "year" else None
    if year is None:  # answer the other questions until the year is asked
        for _ in range(3):
            turn = answer_dialogue(night_collection, turn.session_id, "skip")
            if turn.question is not None and turn.question.field == "year":
                year = turn.question
                break
    assert year is not None
    before, later = year.options
    pivot = int(before.split()[-1])
    assert later == f"{pivot} or later" and year.text == f"When was it made: “{before}” or “{later}”?"
    turn = answer_dialogue(night_collection, turn.session_id, later)
    assert turn.filters["year"] == {"gte": pivot}
    assert turn.hits and all(h.artwork.year_start >= pivot for h in turn.hits)


def test_free_text_and_provenance_fields_are_never_facets_or_questions(night_collection: Collection) -> None:
    assert {"caption", "origin", "source"} <= set(night_collection.catalog.user_fields())
    assert facet_fields(night_collection) == ["type", "place"]  # 20 works: few places yet
    assert question_fields(night_collection) == ["type", "place", "year"]


def test_a_collection_names_its_facet_and_filter_fields(synthetic_collection: Collection) -> None:
    assert facet_fields(synthetic_collection) == ["artist", "genre", "style"]  # every type is "painting"
    synthetic_collection.set_filters(["style", "genre", "year"], actor="test")
    synthetic_collection.set_facets(["style", "genre"], actor="test")
    reopened = type(synthetic_collection)(synthetic_collection.path, type(synthetic_collection.manifest)
                                          .read(synthetic_collection.path))
    with reopened:
        assert facet_fields(reopened) == ["style", "genre"] and question_fields(reopened) == ["style", "genre", "year"]
        with pytest.raises(InvalidInputError, match="Unknown filter field 'artist'"):
            reopened.search("painting", filters={"artist": "Ada Rossi"})
        assert reopened.search("painting", filters={"style": "dots"}).hits
    with pytest.raises(InvalidInputError, match="must also be filter fields"):
        synthetic_collection.set_facets(["artist"], actor="test")
    with pytest.raises(InvalidInputError, match="must also be filter fields"):
        synthetic_collection.set_filters(["year"], actor="test")  # would leave the facets out
    with pytest.raises(InvalidInputError, match="cannot be a facet"):
        synthetic_collection.set_facets(["colour"], actor="test")
    synthetic_collection.set_facets(None, actor="test")  # back to automatic
    synthetic_collection.set_filters(None, actor="test")
    assert synthetic_collection.manifest.facets is None and "artist" in synthetic_collection.filter_fields()
