"""Ranking on a synthetic collection whose right answers are known (artist = palette, style =
texture, genre = layout; titles and descriptions say so in words)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import artscope
from artscope.errors import InvalidInputError, NotFoundError
from artscope.testing import draw_artwork, synthetic_artworks, write_synthetic_folder


def test_text_search_ranks_matching_records_first(synthetic_collection) -> None:
    result = synthetic_collection.search("portrait in blue", limit=4)
    assert all(h.artwork.artists == ["Ben Blau"] and h.artwork.extra["genre"] == "portrait" for h in result.hits)
    signals = {s.name for s in result.hits[0].signals}
    assert {"bm25", "text"} <= signals
    assert result.hits[0].similarity > 0.3 and not result.no_good_match


def test_image_search_finds_the_same_image_first_and_says_exact(synthetic_collection, synthetic_folder) -> None:
    result = synthetic_collection.search(image=str(synthetic_folder / "images" / "art-0010.png"), limit=5)
    assert result.hits[0].artwork.id == "art-0010" and result.hits[0].match == "exact"
    assert all(h.match != "exact" for h in result.hits[1:])


def test_more_like_this_excludes_itself_and_prefers_its_artist(synthetic_collection) -> None:
    result = synthetic_collection.search(artwork_id="art-0000", limit=5)
    ids = [h.artwork.id for h in result.hits]
    assert "art-0000" not in ids
    assert sum(h.artwork.artists == ["Ada Rossi"] for h in result.hits) >= 3


def test_filters_and_facets(synthetic_collection) -> None:
    result = synthetic_collection.search("painting", filters={"style": "dots", "year": {"gte": 1840}},
                                         limit=50, facets=["artist", "style"])
    assert result.hits and all(h.artwork.extra["style"] == "dots" and h.artwork.year_start >= 1840
                               for h in result.hits)
    assert set(result.facets["style"]) == {"dots"}
    with pytest.raises(InvalidInputError, match="Unknown filter field"):
        synthetic_collection.search("painting", filters={"colour": "red"})
    with pytest.raises(InvalidInputError, match="Unknown facet"):
        synthetic_collection.search("painting", facets=["colour"])


def test_relevance_cutoff_reports_no_good_match(synthetic_collection) -> None:
    result = synthetic_collection.search("quantum chromodynamics lecture notes", min_score=0.5)
    assert result.no_good_match and result.hits == []


def test_bad_queries_are_clear_errors(synthetic_collection, tmp_path) -> None:
    with pytest.raises(InvalidInputError, match="Give a text query"):
        synthetic_collection.search("   ")
    (tmp_path / "bad.jpg").write_text("no")
    with pytest.raises(InvalidInputError, match="not an image"):
        synthetic_collection.search(image=str(tmp_path / "bad.jpg"))
    with pytest.raises(NotFoundError):
        synthetic_collection.search(artwork_id="nope")


def test_composed_query_beats_image_only_and_text_only(synthetic_collection) -> None:
    """Reference: one artist's work; change: another colour. The target keeps style and genre."""
    items = {(a.artist, a.style, a.genre): a for a in synthetic_artworks(48)}
    scores = {"composed": 0, "image": 0, "text": 0}
    cases = 0
    for (artist, style, genre), art in items.items():
        if artist != "Ada Rossi":
            continue
        target = items[("Ben Blau", style, genre)]
        reference = draw_artwork(art, seed=999)  # a fresh image of the reference, not the stored file
        runs = {"composed": synthetic_collection.search("in blue", image=reference, limit=3),
                "image": synthetic_collection.search(image=reference, limit=3),
                "text": synthetic_collection.search("in blue", limit=3)}
        for name, result in runs.items():
            scores[name] += target.id in [h.artwork.id for h in result.hits]
        cases += 1
    assert cases == 12
    assert scores["composed"] > scores["image"] and scores["composed"] > scores["text"]
    assert scores["composed"] >= 0.6 * cases



def test_a_weak_text_match_is_flagged_without_a_cutoff(synthetic_collection) -> None:
    unrelated = synthetic_collection.search("quantum chromodynamics lecture notes")
    assert unrelated.no_good_match and all(h.similarity < 0.3 for h in unrelated.hits)
    assert not synthetic_collection.search("portrait in blue").no_good_match


def _with_a_passage(tmp_path: Path, passage_id: str, artwork_id: str) -> Path:
    """Four synthetic works and one wall text about a zeppelin over Marseille, naming ``artwork_id``."""
    write_synthetic_folder(tmp_path / "works", n=4)
    (tmp_path / "texts.jsonl").write_text(json.dumps(
        {"id": passage_id, "artwork_id": artwork_id, "source": "wall text",
         "text": "A zeppelin drifting over the harbour of Marseille."}) + "\n", encoding="utf-8")
    with artscope.create(tmp_path / "c", embedder="builtin:nostyle") as collection:
        collection.ingest([str(tmp_path / "works"), str(tmp_path / "texts.jsonl")])
    return tmp_path / "c"


def test_words_found_only_in_a_passage_find_its_artwork_and_say_which_passage(tmp_path: Path) -> None:
    with artscope.open(_with_a_passage(tmp_path, "zeppelin-text", "art-0002")) as collection:
        top = collection.search("the zeppelin drifting over the harbour", limit=1).hits[0]
    assert top.artwork.id == "art-0002"
    assert next(s for s in top.signals if s.name == "bm25").evidence == "passage:zeppelin-text"


def test_a_passage_naming_an_artwork_not_in_the_catalog_finds_nothing(tmp_path: Path) -> None:
    """A passage may name any artwork id; an id the catalog lacks is no search result (with or without
    filters), though its passage matches the query best."""
    with artscope.open(_with_a_passage(tmp_path, "ghost-text", "lost-work")) as collection:
        for filters in (None, {"year": {"gte": 1000}}):
            result = collection.search("zeppelin over the harbour of Marseille", filters=filters or {}, limit=10)
            assert "lost-work" not in [h.artwork.id for h in result.hits]
            assert result.total == len(result.hits) == 4
