"""Head folders (save, replace, refuse) and predictions in the catalogue."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from artscope.catalog import Catalog
from artscope.embedders.base import EmbedderInfo
from artscope.errors import EmbedderMismatchError, HeadNotTrainedError
from artscope.heads import store
from artscope.heads.store import (
    StoredPrediction,
    head_dir,
    load_head,
    read_envelope,
    read_predictions,
    save_head,
    write_predictions,
)
from artscope.types import ArtworkRecord

INFO = EmbedderInfo(spec="builtin", image_dim=8, text_dim=4, version="2")
HINT = "train one with `artscope train demo -c DIR`"


def test_a_saved_head_loads_back_with_its_version(tmp_path: Path) -> None:
    folder = head_dir(tmp_path / "heads", "demo")
    weights = np.arange(6, dtype=np.float32).reshape(2, 3)
    envelope = save_head(folder, "demo", INFO, {"w": weights}, {"k": [1]})
    tensors, loaded = load_head(folder, "demo", INFO, HINT)
    np.testing.assert_array_equal(tensors["w"], np.arange(6).reshape(2, 3))
    assert loaded == envelope and loaded.meta == {"k": [1]} and len(loaded.version) == 12
    again = save_head(folder, "demo", INFO, {"w": np.zeros((2, 3), np.float32)}, {})
    assert again.version != envelope.version and sorted(p.name for p in folder.parent.iterdir()) == ["demo"]


def after_the_first_envelope_read(monkeypatch: pytest.MonkeyPatch, then: Callable[[], object]) -> None:
    """A reader of a head reads its envelope, then ``then`` happens (once), then the reader goes on."""
    read, done = store.read_envelope, []

    def read_then(*args: object) -> store.HeadEnvelope:
        envelope = read(*args)
        if not done:
            done.append(then())
        return envelope

    monkeypatch.setattr(store, "read_envelope", read_then)


def test_a_head_replaced_between_its_two_reads_loads_as_one_version(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A training job saved a new head after a reader had read the old envelope: the reader must not pair
    it with the new weights (predictions would name the old version)."""
    folder = head_dir(tmp_path / "heads", "demo")
    save_head(folder, "demo", INFO, {"w": np.zeros(3, np.float32)}, {})
    replaced: list[store.HeadEnvelope] = []
    after_the_first_envelope_read(monkeypatch, lambda: replaced.append(
        save_head(folder, "demo", INFO, {"w": np.ones(3, np.float32)}, {})))
    tensors, envelope = load_head(folder, "demo", INFO, HINT)
    assert envelope == replaced[0]
    np.testing.assert_array_equal(tensors["w"], np.ones(3))


def test_a_head_read_between_the_two_renames_of_its_replacement_is_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CI's schemathesis campaign: a describe-all job resumed while a training job swapped its new head in
    found no weights file (a 500)."""
    folder = head_dir(tmp_path / "heads", "demo")
    save_head(folder, "demo", INFO, {"w": np.zeros(3, np.float32)}, {})
    # a new head is being swapped in: the old folder has stepped aside (swap_in's first rename)
    after_the_first_envelope_read(monkeypatch, lambda: folder.rename(folder.with_name(".demo-old")))
    pauses: list[store.HeadEnvelope] = []

    def pause(_seconds: float) -> None:  # the saving job goes on: its new head takes the name
        pauses.append(save_head(folder, "demo", INFO, {"w": np.ones(3, np.float32)}, {}))

    monkeypatch.setattr(store, "sleep", pause, raising=False)
    tensors, envelope = load_head(folder, "demo", INFO, HINT)
    assert len(pauses) == 1 and envelope == pauses[0]
    np.testing.assert_array_equal(tensors["w"], np.ones(3))
    assert sorted(p.name for p in folder.parent.iterdir()) == ["demo"]


def test_a_head_whose_weights_are_not_the_version_it_names_is_refused(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = head_dir(tmp_path / "heads", "demo")
    save_head(folder, "demo", INFO, {"w": np.zeros(3, np.float32)}, {})
    store.save_file({"w": np.ones(3, np.float32)}, str(folder / store.WEIGHTS_NAME))  # changed by hand
    monkeypatch.setattr(store, "REREAD_PAUSE_S", 0.0, raising=False)
    with pytest.raises(HeadNotTrainedError, match="do not match the version its metadata names"):
        load_head(folder, "demo", INFO, HINT)


def test_heads_are_refused_when_missing_damaged_of_another_kind_or_embedder(tmp_path: Path) -> None:
    folder = tmp_path / "heads" / "demo"
    with pytest.raises(HeadNotTrainedError, match="train demo"):
        read_envelope(folder, "demo", HINT)
    save_head(folder, "demo", INFO, {"w": np.zeros(2, np.float32)}, {})
    with pytest.raises(HeadNotTrainedError, match="'demo' head, not 'other'"):
        read_envelope(folder, "other", HINT)
    with pytest.raises(EmbedderMismatchError, match=r"'builtin'.*'hf:x'.*train demo"):
        load_head(folder, "demo", INFO.model_copy(update={"spec": "hf:x"}), HINT)
    (folder / "head.json").write_text("{not json")
    with pytest.raises(HeadNotTrainedError, match="damaged"):
        read_envelope(folder, "demo", HINT)


def test_predictions_replace_a_field_and_keep_others(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite")
    catalog.upsert_artwork(ArtworkRecord(id="a1", artists=["Curated Name"]))

    def row(field: str, value: str, probability: float, version: str = "v1") -> StoredPrediction:
        return StoredPrediction(artwork_id="a1", task="attributes", field=field, value=value,
                                probability=probability, model="m", version=version)

    first = [row("artist", "X", 0.7), row("artist", "Y", 0.2), row("style", "S", 0.9)]
    assert write_predictions(catalog, first) == 3
    write_predictions(catalog, [row("artist", "Z", 0.8, "v2")])
    stored = read_predictions(catalog, "a1", task="attributes")
    assert [(p.field, p.value, p.version) for p in stored] == [("artist", "Z", "v2"), ("style", "S", "v1")]
    assert read_predictions(catalog, "a1", task="aesthetics") == []
    assert catalog.get("a1").artists == ["Curated Name"]
    catalog.close()


def test_a_head_outlives_a_new_text_model_but_not_new_image_vectors(tmp_path: Path) -> None:
    from artscope.embedders.registry import create_embedder

    multilingual = create_embedder("builtin").info
    folder = head_dir(tmp_path / "heads", "demo")
    recorded_by_version_1 = EmbedderInfo(spec="builtin", image_dim=multilingual.image_dim, text_dim=384,
                                         token_dim=multilingual.token_dim, max_tokens=multilingual.max_tokens)
    save_head(folder, "demo", recorded_by_version_1, {"w": np.zeros(2, np.float32)}, {})
    assert read_envelope(folder, "demo", HINT).embedder.spec == "builtin:english"
    load_head(folder, "demo", multilingual, HINT)  # the texts were embedded again; the images were not
    with pytest.raises(EmbedderMismatchError, match="builtin:nostyle"):
        load_head(folder, "demo", create_embedder("builtin:nostyle").info, HINT)
