"""Composed search is honest: the change words do real work (builtin embedder: measured words), hits
are ordered by the number they carry, and the number is what the result says it is."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from artscope.collection import Collection
from artscope.tasks.search.pixels import together, together_each
from tasks.search.conftest import AT_NIGHT


def _ids(result) -> list[str]:
    return [h.artwork.id for h in result.hits]


def test_at_night_moves_the_darkened_copy_of_the_same_work_up(night_collection: Collection,
                                                              night_folder: Path) -> None:
    """The image alone ranks a darkened copy of the reference below daylight works (the builtin
    image vector is mostly light and colour); "but at night" puts it first or second."""
    firsts = 0
    for artwork_id in AT_NIGHT:
        reference = night_folder / "images" / f"{artwork_id}.jpg"
        alone = _ids(night_collection.search(image=reference, limit=20))
        composed = _ids(night_collection.search("the same, but at night", image=reference, limit=20))
        night_copy = f"{artwork_id}-at-night"
        assert alone.index(night_copy) >= 5 and composed.index(night_copy) <= 1, (artwork_id, composed)
        firsts += composed[0] == night_copy
    assert firsts >= 3
    top = night_collection.search("the same, but at night", image=night_folder / "images" / "colosseum.jpg").hits[0]
    assert top.artwork.id == "colosseum-at-night" and {s.name for s in top.signals} == {"look", "pixels"}
    assert next(s for s in top.signals if s.name == "pixels").evidence == "night"


def test_cards_are_ordered_by_the_number_they_show(night_collection: Collection, night_folder: Path) -> None:
    result = night_collection.search("but at night", image=night_folder / "images" / "colosseum.jpg", limit=8)
    assert result.score_label == "composed match" and "mean lightness" in result.notes[0]
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    for hit in result.hits:
        parts = {s.name: s.score for s in hit.signals}
        assert hit.score == hit.similarity
        assert math.isclose(hit.score, math.sqrt(parts["look"] * parts["pixels"]), abs_tol=2e-6)
    fused = night_collection.search("castle by a lake", limit=8)
    assert fused.score_label == "fused rank"
    assert [h.score for h in fused.hits] == sorted((h.score for h in fused.hits), reverse=True)
    assert 0 < fused.hits[0].score <= 1


def test_words_the_pixels_cannot_decide_are_matched_against_the_records(night_collection: Collection,
                                                                        night_folder: Path) -> None:
    result = night_collection.search("the same, but a bridge", image=night_folder / "images" / "colosseum.jpg",
                                     limit=3)
    assert _ids(result)[0] == "pont-du-gard"
    assert {s.name for s in result.hits[0].signals} == {"look", "words"}
    assert "'bridge' against records and passages" in result.notes[0]
    same = night_collection.search("the same please", image=night_folder / "images" / "colosseum.jpg", limit=3)
    assert _ids(same)[0] == "colosseum" and "all filler" in same.notes[0]


def test_text_search_gets_a_pixels_signal_for_measured_words(night_collection: Collection) -> None:
    result = night_collection.search("castle at night", limit=5)
    top = result.hits[0]
    assert top.artwork.id == "neuschwanstein-castle-at-night", _ids(result)
    pixels = next(s for s in top.signals if s.name == "pixels")
    assert pixels.evidence == "measured: night" and pixels.score > 0.9


def test_several_measured_words_are_met_together_by_their_geometric_mean() -> None:
    scores = np.array([[0.25, 1.0], [0.5, 0.0], [0.8, 0.8], [1.0, 1.0]])
    np.testing.assert_allclose(together_each(scores), [0.5, 0.0, 0.8, 1.0])
    assert together(np.array([0.25, 1.0])) == 0.5 and together(np.array([0.9, 0.0])) == 0.0
    assert together(np.zeros(0)) == 0.0 and together_each(np.zeros((3, 0))).tolist() == [0.0, 0.0, 0.0]
