"""A collection directory: manifest, reopening, refusing another embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import artscope
from artscope.embedders.base import EmbedderInfo
from artscope.errors import CollectionError, EmbedderMismatchError


class OtherEmbedder:
    info = EmbedderInfo(spec="hf:some/clip", image_dim=512, text_dim=512, cross_modal=True)

    def embed_images(self, images):
        raise NotImplementedError

    def embed_texts(self, texts):
        raise NotImplementedError


def test_create_writes_the_manifest_and_layout(tmp_path: Path) -> None:
    path = tmp_path / "museum"
    artscope.create(path).close()
    manifest = json.loads((path / "artscope.json").read_text())
    assert manifest["embedder"]["spec"] == "builtin" and manifest["schema_version"] >= 3
    assert manifest["artscope_version"] == artscope.__version__ and manifest["token_budget"] == 32
    assert {p.name for p in path.iterdir()} >= {"catalog.sqlite", "index", "heads", "thumbs", "artscope.json"}


def test_reopening_with_another_embedder_is_refused_naming_both(tmp_path: Path) -> None:
    artscope.create(tmp_path / "c").close()
    with pytest.raises(EmbedderMismatchError) as error:
        artscope.open(tmp_path / "c", embedder=OtherEmbedder())
    assert "'builtin'" in str(error.value) and "'hf:some/clip'" in str(error.value)
    with artscope.open(tmp_path / "c", embedder="builtin") as collection:  # the same one is fine
        assert collection.info.spec == "builtin"


def test_bad_locations_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CollectionError, match="not an artscope collection"):
        artscope.open(tmp_path)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("mine")
    with pytest.raises(CollectionError, match=r"holds files that are not an artscope collection \(x\.txt\)"):
        artscope.create(tmp_path / "full")
    assert (tmp_path / "full" / "x.txt").read_text() == "mine"
    artscope.create(tmp_path / "c").close()
    with pytest.raises(CollectionError, match="already holds"):
        artscope.create(tmp_path / "c")
