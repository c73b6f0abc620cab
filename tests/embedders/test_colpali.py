"""The ``colpali`` backend on tiny random-init ColQwen2 and ColPali retrievers saved to disk."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from artscope.embedders.base import Embedder
from artscope.embedders.colpali import ColPaliEmbedder
from artscope.embedders.registry import create_embedder
from artscope.errors import InvalidInputError, ModelNotFoundError

RETRIEVERS = ["tiny_colqwen2_dir", "tiny_colpali_dir"]
QUERIES = ["a stormy sea with a ship", "portrait of a woman with flowers", "a dog"]


@pytest.fixture(scope="module", params=RETRIEVERS)
def embedder(request: pytest.FixtureRequest) -> ColPaliEmbedder:
    folder: Path = request.getfixturevalue(request.param)
    return create_embedder(f"colpali:{folder}", device="cpu")


@pytest.fixture(scope="module")
def colqwen2(tiny_colqwen2_dir: Path) -> ColPaliEmbedder:
    return create_embedder(f"colpali:{tiny_colqwen2_dir}", device="cpu")


def test_info_is_one_cross_modal_space_of_the_embedding_dim(embedder: ColPaliEmbedder) -> None:
    info = embedder.info
    assert isinstance(embedder, Embedder)
    assert info.spec.startswith("colpali:")
    assert info.cross_modal is True
    assert info.image_dim == info.text_dim == info.token_dim == 16
    assert info.max_tokens == 16


def test_images_give_unit_global_and_token_vectors(embedder: ColPaliEmbedder,
                                                   paintings: list[Image.Image]) -> None:
    out = embedder.embed_images(paintings)
    assert out.global_vectors.shape == (len(paintings), 16)
    assert out.tokens is not None and out.tokens.shape == (len(paintings), 16, 16)
    np.testing.assert_allclose(np.linalg.norm(out.global_vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(out.tokens, axis=2), 1.0, atol=1e-5)
    assert not np.allclose(out.global_vectors[0], out.global_vectors[2], atol=1e-4)


def test_a_batch_gives_what_single_items_give(embedder: ColPaliEmbedder,
                                              paintings: list[Image.Image]) -> None:
    # Images of different sizes give ColQwen2 different numbers of image tokens: padding at work.
    batch = embedder.embed_images(paintings)
    for i, painting in enumerate(paintings):
        single = embedder.embed_images([painting])
        np.testing.assert_allclose(single.global_vectors[0], batch.global_vectors[i], atol=1e-4)
        np.testing.assert_allclose(single.tokens[0], batch.tokens[i], atol=1e-4)
    together = embedder.embed_texts(QUERIES)
    for i, query in enumerate(QUERIES):
        np.testing.assert_allclose(embedder.embed_texts([query])[0], together[i], atol=1e-4)


def test_text_global_is_the_mean_of_the_query_tokens(embedder: ColPaliEmbedder) -> None:
    tokens = embedder.embed_text_tokens(QUERIES)
    vectors = embedder.embed_texts(QUERIES)
    assert vectors.shape == (3, 16)
    assert len(tokens) == 3
    assert len({t.shape[0] for t in tokens}) > 1  # queries keep their own lengths, no padding rows
    for query_tokens, vector in zip(tokens, vectors, strict=True):
        assert query_tokens.shape[1] == 16
        np.testing.assert_allclose(np.linalg.norm(query_tokens, axis=1), 1.0, atol=1e-5)
        mean = query_tokens.mean(axis=0)
        np.testing.assert_allclose(vector, mean / np.linalg.norm(mean), atol=1e-5)


def test_late_interaction_scores_with_stored_tokens(embedder: ColPaliEmbedder,
                                                    paintings: list[Image.Image]) -> None:
    images = embedder.embed_images(paintings).tokens
    query = embedder.embed_text_tokens(QUERIES[:1])[0]
    maxsim = np.einsum("qd,ntd->nqt", query, images).max(axis=2).sum(axis=1)
    assert maxsim.shape == (len(paintings),)
    assert np.all(np.abs(maxsim) <= query.shape[0] + 1e-4)


def test_colqwen2_tokens_pool_the_image_token_grid(colqwen2: ColPaliEmbedder) -> None:
    """Global = mean of the image-token vectors; tokens = 4x4 adaptive pooling of their grid."""
    image = Image.fromarray(np.random.default_rng(3).integers(0, 256, (168, 224, 3), dtype=np.uint8))
    with torch.inference_mode():
        inputs = colqwen2.processor(images=[image], return_tensors="pt")
        vectors = colqwen2.model(**inputs).embeddings[0]
    _, h, w = (int(x) for x in inputs["image_grid_thw"][0])
    merge = colqwen2.processor.image_processor.merge_size
    assert (h // merge) * (w // merge) > 16  # more image tokens than the budget: pooling reduces
    grid = vectors[inputs["input_ids"][0] == colqwen2.image_token_id].reshape(h // merge, w // merge, -1)
    expected_tokens = torch.nn.functional.adaptive_avg_pool2d(grid.permute(2, 0, 1), (4, 4)).flatten(1).T
    expected_global = grid.reshape(-1, grid.shape[-1]).mean(dim=0)
    out = colqwen2.embed_images([image])
    normalize = torch.nn.functional.normalize
    np.testing.assert_allclose(out.tokens[0], normalize(expected_tokens, dim=-1), atol=1e-5)
    np.testing.assert_allclose(out.global_vectors[0], normalize(expected_global, dim=0), atol=1e-5)


def test_empty_inputs_give_empty_arrays(colqwen2: ColPaliEmbedder) -> None:
    out = colqwen2.embed_images([])
    assert out.global_vectors.shape == (0, 16)
    assert out.tokens is not None and out.tokens.shape == (0, 16, 16)
    assert colqwen2.embed_texts([]).shape == (0, 16)
    assert colqwen2.embed_text_tokens([]) == []


def test_a_missing_model_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    start = time.perf_counter()
    with pytest.raises(ModelNotFoundError, match=r"hf download vidore/colqwen2-v1\.0-hf"):
        create_embedder("colpali:vidore/colqwen2-v1.0-hf")
    with pytest.raises(ModelNotFoundError, match="No model folder"):
        create_embedder("colpali:/nonexistent/colqwen2")
    assert time.perf_counter() - start < 5


def test_a_model_of_another_kind_is_refused(tiny_clip_dir: Path) -> None:
    with pytest.raises(InvalidInputError, match="'hf:'"):
        create_embedder(f"colpali:{tiny_clip_dir}")
