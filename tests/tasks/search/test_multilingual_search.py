"""Text search in the visitor's own language over English records (the default builtin embedder is
multilingual). benchmarks/multilingual.py measures it on the sample collection."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("query", ["un portrait aux tons bleus", "ein Porträt in Blautönen",
                                   "青い色調の肖像画", "портрет в синих тонах"])
def test_a_query_in_another_language_finds_the_english_records_by_meaning(synthetic_collection, query: str) -> None:
    result = synthetic_collection.search(query, limit=3)
    assert all(h.artwork.artists == ["Ben Blau"] and h.artwork.extra["genre"] == "portrait" for h in result.hits)
    # words shared by chance with English texts would mislead: only the meaning ranks
    assert all({s.name for s in hit.signals} == {"text"} for hit in result.hits)
    assert not result.no_good_match


def test_an_english_query_keeps_its_words_and_weights_still_win(synthetic_collection) -> None:
    english = synthetic_collection.search("a portrait in blue tones", limit=3)
    assert "bm25" in {s.name for s in english.hits[0].signals}
    french = synthetic_collection.search("un portrait aux tons bleus", limit=3, weights={"bm25": 1.0})
    assert "bm25" in {s.name for hit in french.hits for s in hit.signals}


def test_an_english_only_text_model_keeps_every_signal(tmp_path, synthetic_folder) -> None:
    import artscope

    with artscope.create(tmp_path / "c", embedder="builtin:english") as collection:
        collection.ingest([str(synthetic_folder)])
        result = collection.search("un portrait aux tons bleus", limit=3)
    assert "bm25" in {s.name for hit in result.hits for s in hit.signals}
