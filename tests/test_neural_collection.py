"""A collection built on a cross-modal neural backend (a tiny random-init CLIP through ``hf:``): the
same ingest, index layout, search and attribute heads as the builtin default, plus text->pixels."""

from __future__ import annotations

from pathlib import Path

import artscope
from artscope.index import IMAGES
from artscope.tasks.attributes import train
from artscope.tasks.attributes.types import AttributesConfig


def test_a_cross_modal_collection_end_to_end(tiny_clip_dir: Path, synthetic_folder: Path, tmp_path: Path) -> None:
    with artscope.create(tmp_path / "c", embedder=f"hf:{tiny_clip_dir}") as collection:
        assert collection.info.cross_modal and collection.info.token_dim
        summary = collection.ingest([str(synthetic_folder)])
        assert summary.added == 48 and summary.failed == 0
        stored = collection.index.retrieve(IMAGES, [1], vectors=["image", "tokens", "pooled"])[0].vectors
        assert len(stored["tokens"]) <= collection.manifest.token_budget and len(stored["pooled"]) == 4
        result = collection.search("portrait in blue", limit=48)
        assert {"bm25", "text", "image_text"} <= {s.name for h in result.hits for s in h.signals}
        # a random-init model's dense signals are noise; weighting them out leaves the catalogue text
        words_only = collection.search("portrait in blue", limit=3, weights={"text": 0, "image_text": 0})
        assert all(h.artwork.artists == ["Ben Blau"] for h in words_only.hits)
        config = AttributesConfig(fields=["genre"], extra_labels={"genre": ["seascape"]})
        config.head.epochs = 3
        report = train(collection, config)
        assert report.fields[0].open_set_classes == 1  # "seascape" has no image, only its name
        genre = collection.describe(artwork_id="art-0001", top_k=4).field("genre")
        assert genre.kind == "prediction" and genre.curated == "landscape"
        # all four classes are scored, the image-less one through its embedded name
        assert {p.label for p in genre.top_k} == {"landscape", "portrait", "still life", "seascape"}
    with artscope.open(tmp_path / "c") as reopened:
        same_file = reopened.search(image=str(synthetic_folder / "images" / "art-0007.png"), limit=1)
        assert same_file.hits[0].match == "exact"
