"""Dialogue sessions narrow down by informative questions; passages come back with their sources."""

from __future__ import annotations

import pytest

from artscope.errors import InvalidInputError, NotFoundError
from artscope.tasks.search.dialogue import answer_dialogue, resume_dialogue, start_dialogue
from artscope.tasks.search.passages import PassageSearchRequest, search_passages


def _truth(artwork, field: str) -> str:
    return {"artist": artwork.artists[0] if artwork.artists else ""}.get(field, artwork.field(field) or "")


def test_answering_questions_reaches_the_target(synthetic_collection) -> None:
    """A simulated user who knows the target answers each question truthfully."""
    target = synthetic_collection.catalog.get("art-0029")  # Ben Blau, checks, portrait... whatever it is
    turn = start_dialogue(synthetic_collection, text="a painting", limit=5)
    assert turn.round == 1 and turn.question is not None and len(turn.question.options) >= 2
    for _ in range(6):
        if turn.question is None or turn.hits[0].artwork.id == target.id:
            break
        q = turn.question
        if q.field == "year":
            pivot = int(q.options[0].split()[-1])
            answer = q.options[0] if target.year_start < pivot else q.options[1]
        else:
            truth = _truth(target, q.field)
            answer = truth if truth in q.options else "skip"
        turn = answer_dialogue(synthetic_collection, turn.session_id, answer, limit=5)
    assert target.id in [h.artwork.id for h in turn.hits]
    assert turn.round >= 3  # it took questions, not luck
    resumed = resume_dialogue(synthetic_collection, turn.session_id, limit=5)
    assert resumed.round == turn.round and [h.artwork.id for h in resumed.hits] == [h.artwork.id for h in turn.hits]


def test_the_first_question_splits_the_candidates(synthetic_collection) -> None:
    turn = start_dialogue(synthetic_collection, text="a painting")
    assert turn.question.gain >= 1.5  # 4 artists / 4 styles / 3 genres are all informative
    free = answer_dialogue(synthetic_collection, turn.session_id, "with a dark oval figure")
    assert free.query == "a painting with a dark oval figure"


def test_dialogue_bad_input(synthetic_collection) -> None:
    with pytest.raises(InvalidInputError):
        start_dialogue(synthetic_collection, text=" ")
    with pytest.raises(NotFoundError, match="No dialogue session"):
        answer_dialogue(synthetic_collection, "nope", "yes")


def test_passages_for_text_image_and_artwork(synthetic_collection, synthetic_folder) -> None:
    by_text = search_passages(synthetic_collection, PassageSearchRequest(text="workshop palette Ada Rossi"))
    assert by_text.hits and by_text.hits[0].passage.source == "synthetic wall text"
    assert "Ada Rossi" in by_text.hits[0].passage.text
    first = by_text.hits[0].passage
    by_image = search_passages(synthetic_collection, PassageSearchRequest(
        image=str(synthetic_folder / "images" / f"{first.artwork_id}.png")))
    assert by_image.identified == [first.artwork_id] and by_image.hits[0].passage.id == first.id
    by_artwork = search_passages(synthetic_collection, PassageSearchRequest(artwork_id=first.artwork_id))
    assert [h.passage.id for h in by_artwork.hits] == [first.id]
    with pytest.raises(InvalidInputError):
        search_passages(synthetic_collection, PassageSearchRequest())
