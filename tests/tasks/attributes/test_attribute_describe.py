"""Describing images with a trained head: new images and artworks of the collection, thresholds and
top-k, refused heads, labels the head never saw, and ``describe_all`` writing predictions only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artscope.errors import EmbedderMismatchError, HeadNotTrainedError, InvalidInputError
from artscope.heads.store import read_predictions
from artscope.tasks.attributes import describe, describe_all
from artscope.testing import SyntheticArtwork, draw_artwork


def _new_painting(artist: str, style: str, genre: str, seed: int):
    return draw_artwork(SyntheticArtwork(id="new-1", artist=artist, style=style, genre=genre, year=1810,
                                         file="new.png"), seed=seed)


def test_a_new_image_is_described_with_calibrated_top_k(trained_collection) -> None:
    result = trained_collection.describe(_new_painting("Cai Verde", "checks", "portrait", 777), top_k=3)
    assert result.artwork_id is None and len(result.version) == 12 and result.embedder == "builtin"
    fields = {f.field: f for f in result.fields}
    assert list(fields) == ["artist", "style", "genre", "period"]
    assert fields["artist"].label == "Cai Verde" and fields["style"].label == "checks"
    assert fields["genre"].label == "portrait"
    for field in result.fields:
        probabilities = [p.probability for p in field.top_k]
        assert field.kind == "prediction" and field.curated is None
        assert len(field.top_k) == 3 and probabilities == sorted(probabilities, reverse=True)
        assert 0 < sum(probabilities) <= 1 + 1e-6 and field.probability == probabilities[0]


def test_an_artwork_of_the_collection_by_id_or_by_file(trained_collection, labelled_folder: Path) -> None:
    by_id = trained_collection.describe(artwork_id="art-0003")
    record = trained_collection.catalog.get("art-0003")
    assert by_id.artwork_id == "art-0003"
    assert by_id.field("artist").curated == record.artists[0]
    assert by_id.field("style").curated == record.extra["style"]
    by_file = trained_collection.describe(str(labelled_folder / "images" / "art-0003.png"))
    assert by_file.artwork_id == "art-0003"
    assert [f.label for f in by_file.fields] == [f.label for f in by_id.fields]


def test_unknown_below_the_threshold(trained_collection) -> None:
    sure = trained_collection.describe(artwork_id="art-0010", threshold=0.0)
    assert not any(f.unknown for f in sure.fields)
    threshold = min(f.probability for f in sure.fields) + 1e-6  # the least sure field falls below
    result = trained_collection.describe(artwork_id="art-0010", threshold=threshold)
    assert result.threshold == threshold and any(f.unknown for f in result.fields)
    for field in result.fields:
        assert field.unknown == (field.probability < threshold)
        assert field.label == ("unknown" if field.unknown else field.top_k[0].label)


def test_only_the_fields_asked_for(trained_collection) -> None:
    result = trained_collection.describe(artwork_id="art-0001", fields=["genre", "artists"])
    assert [f.field for f in result.fields] == ["genre", "artist"]
    with pytest.raises(HeadNotTrainedError, match="does not predict medium"):
        trained_collection.describe(artwork_id="art-0001", fields=["medium"])


@pytest.mark.parametrize("options", [{}, {"image": b"x", "artwork_id": "art-0001"},
                                     {"artwork_id": "art-0001", "top_k": 0},
                                     {"artwork_id": "art-0001", "threshold": 1.5}])
def test_bad_requests_are_refused(trained_collection, options: dict) -> None:
    with pytest.raises(InvalidInputError):
        describe(trained_collection, **options)


def test_without_a_head_it_says_how_to_train_one(untrained_collection) -> None:
    with pytest.raises(HeadNotTrainedError, match="artscope train attributes -c DIR"):
        untrained_collection.describe(artwork_id="art-0001")


def test_a_head_trained_on_another_embedder_is_refused(writable_collection) -> None:
    meta_path = writable_collection.heads_dir / "attributes" / "head.json"
    meta = json.loads(meta_path.read_text())
    meta["embedder"]["spec"] = "hf:openai/clip-vit-base-patch32"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(EmbedderMismatchError, match=r"'hf:openai/clip-vit-base-patch32'.*'builtin'"):
        writable_collection.describe(artwork_id="art-0001")


def test_labels_the_head_never_saw(writable_collection, tmp_path: Path) -> None:
    folder = tmp_path / "more"
    (folder / "images").mkdir(parents=True)
    _new_painting("Ada Rossi", "dots", "landscape", 4242).save(folder / "images" / "eva.png")
    (folder / "catalog.csv").write_text("id,file,artist,style,genre,date\n"
                                        "eva-1,images/eva.png,Eva Nuova,pointillism,landscape,1990\n")
    writable_collection.ingest([str(folder)])
    result = writable_collection.describe(artwork_id="eva-1")
    assert result.field("artist").curated == "Eva Nuova"
    assert result.field("artist").label in {"Ada Rossi", "Ben Blau", "Cai Verde", "Dora Gold"}
    assert result.field("style").curated == "pointillism" and result.field("style").label != "pointillism"
    summary = describe_all(writable_collection)
    assert summary.artworks == 121


def test_describe_all_writes_predictions_and_leaves_records_alone(writable_collection) -> None:
    catalog = writable_collection.catalog
    before = {r.id: r.model_dump() for r in catalog.iter_records()}
    summary = describe_all(writable_collection, top_k=2)
    assert summary.artworks == len(before) and summary.fields == ["artist", "style", "genre", "period"]
    assert {r.id: r.model_dump() for r in catalog.iter_records()} == before
    stored = read_predictions(catalog, "art-0002", task="attributes")
    by_field = {p.field: [x for x in stored if x.field == p.field] for p in stored}
    assert set(by_field) == set(summary.fields)
    assert all(1 <= len(rows) <= 2 and rows[0].model == summary.model and rows[0].version == summary.version
               for rows in by_field.values())
    assert by_field["artist"][0].value == before["art-0002"]["artists"][0]
    again = describe_all(writable_collection, top_k=1)  # a rerun replaces, never piles up
    assert again.predictions == len(before) * len(summary.fields)
    assert len(read_predictions(catalog, "art-0002")) == len(summary.fields)
