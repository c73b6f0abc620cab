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


def _as_written_by_version_1(path: Path) -> None:
    """Rewrite a ``builtin:english`` collection's manifest as artscope wrote it before multilingual text."""
    manifest = json.loads((path / "artscope.json").read_text())
    embedder = manifest["embedder"]
    assert embedder["spec"] == "builtin:english"
    embedder.update(spec="builtin", version="1")
    embedder.pop("images")
    (path / "artscope.json").write_text(json.dumps(manifest))


def test_a_collection_built_before_multilingual_text_keeps_working_then_turns_multilingual(tmp_path: Path) -> None:
    from artscope.testing import write_synthetic_folder

    write_synthetic_folder(tmp_path / "folder", n=12)
    with artscope.create(tmp_path / "c", embedder="builtin:english") as collection:
        collection.ingest([tmp_path / "folder"])
    _as_written_by_version_1(tmp_path / "c")
    with artscope.open(tmp_path / "c") as collection:  # read as what still makes its vectors
        assert (collection.info.spec, collection.info.text_dim) == ("builtin:english", 384)
        english = collection.search("a landscape in red tones", limit=3)
        assert english.hits and english.hits[0].artwork.extra["genre"] == "landscape"
        collection.embed("builtin")  # `artscope embed -c DIR --embedder builtin`
    with artscope.open(tmp_path / "c") as collection:
        assert (collection.info.spec, collection.info.text_dim, collection.info.multilingual) == ("builtin", 896, True)
        french = collection.search("un paysage aux tons rouges", limit=3)
        top = french.hits[0].artwork
        assert (top.extra["genre"], top.artists) == ("landscape", ["Ada Rossi"])  # Ada Rossi paints in red
