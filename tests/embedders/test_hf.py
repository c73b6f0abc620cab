"""The ``hf`` backend on tiny random-init CLIP, SigLIP and SigLIP 2 models saved to disk."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from artscope.embedders.base import Embedder
from artscope.embedders.hf import HFEmbedder
from artscope.embedders.registry import create_embedder
from artscope.embedders.torch_common import TOKEN_GRID, grid_pool
from artscope.errors import InvalidInputError, ModelNotFoundError

FAMILIES = ["tiny_clip_dir", "tiny_siglip_dir", "tiny_siglip2_dir"]


@pytest.fixture(scope="module", params=FAMILIES)
def embedder(request: pytest.FixtureRequest) -> HFEmbedder:
    folder: Path = request.getfixturevalue(request.param)
    return create_embedder(f"hf:{folder}", device="cpu")


def test_info_describes_one_cross_modal_space(embedder: HFEmbedder) -> None:
    info = embedder.info
    assert isinstance(embedder, Embedder)
    assert info.spec.startswith("hf:")
    assert info.cross_modal is True
    assert info.image_dim == info.text_dim
    assert info.max_tokens == TOKEN_GRID[0] * TOKEN_GRID[1] == 16
    assert info.token_dim is not None


def test_clip_tokens_are_projected_into_the_global_space(tiny_clip_dir: Path) -> None:
    info = create_embedder(f"hf:{tiny_clip_dir}", device="cpu").info
    # projection_dim is 24 and the vision width 32: tokens went through visual_projection.
    assert (info.image_dim, info.text_dim, info.token_dim) == (24, 24, 24)


def test_siglip_tokens_are_the_patch_states(tiny_siglip_dir: Path) -> None:
    info = create_embedder(f"hf:{tiny_siglip_dir}", device="cpu").info
    assert (info.image_dim, info.text_dim, info.token_dim) == (32, 32, 32)


def test_images_give_unit_global_and_token_vectors(embedder: HFEmbedder,
                                                   paintings: list[Image.Image]) -> None:
    out = embedder.embed_images(paintings)
    info = embedder.info
    assert out.global_vectors.shape == (len(paintings), info.image_dim)
    assert out.tokens is not None
    assert out.tokens.shape == (len(paintings), info.max_tokens, info.token_dim)
    assert out.global_vectors.dtype == np.float32 and out.tokens.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out.global_vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(out.tokens, axis=2), 1.0, atol=1e-5)
    # different pictures, different vectors
    assert not np.allclose(out.global_vectors[0], out.global_vectors[1], atol=1e-4)


def test_texts_are_unit_vectors_in_the_image_space(embedder: HFEmbedder) -> None:
    texts = ["a stormy sea with a ship", "portrait of a woman", "flowers"]
    vectors = embedder.embed_texts(texts)
    assert vectors.shape == (3, embedder.info.image_dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    image = embedder.embed_images([Image.new("RGB", (50, 40), "navy")]).global_vectors
    assert (vectors @ image.T).shape == (3, 1)


def test_a_batch_gives_what_single_items_give(embedder: HFEmbedder, paintings: list[Image.Image]) -> None:
    embedder.batch_size = 2  # several batches, the last one short
    try:
        batch = embedder.embed_images(paintings)
        texts = ["a cat", "the sea with a ship at night", "a dog"]
        text_batch = embedder.embed_texts(texts)
    finally:
        embedder.batch_size = 16
    for i, painting in enumerate(paintings):
        single = embedder.embed_images([painting])
        np.testing.assert_allclose(single.global_vectors[0], batch.global_vectors[i], atol=1e-5)
        np.testing.assert_allclose(single.tokens[0], batch.tokens[i], atol=1e-5)
    for i, text in enumerate(texts):
        np.testing.assert_allclose(embedder.embed_texts([text])[0], text_batch[i], atol=1e-5)


def test_empty_inputs_give_empty_arrays(embedder: HFEmbedder) -> None:
    info = embedder.info
    out = embedder.embed_images([])
    assert out.global_vectors.shape == (0, info.image_dim)
    assert out.tokens is not None and out.tokens.shape == (0, info.max_tokens, info.token_dim)
    assert embedder.embed_texts([]).shape == (0, info.text_dim)


def test_siglip_text_is_padded_to_the_trained_64_tokens(tiny_siglip_dir: Path) -> None:
    from transformers import AutoModel, AutoTokenizer

    embedder = create_embedder(f"hf:{tiny_siglip_dir}", device="cpu")
    model = AutoModel.from_pretrained(tiny_siglip_dir).eval()
    tokenizer = AutoTokenizer.from_pretrained(tiny_siglip_dir)
    text = ["a painting of the sea"]

    def reference(**padding: object) -> np.ndarray:
        with torch.inference_mode():
            encoded = tokenizer(text, return_tensors="pt", **padding)
            out = model.get_text_features(**encoded).pooler_output
        return torch.nn.functional.normalize(out, dim=-1).numpy()

    ours = embedder.embed_texts(text)
    np.testing.assert_allclose(ours, reference(padding="max_length", max_length=64), atol=1e-5)
    # SigLIP pools the last position, so the padding changes the vector: the check above is real.
    assert not np.allclose(ours, reference(padding="longest"), atol=1e-3)


def test_clip_text_is_padded_to_the_longest_text_only(tiny_clip_dir: Path) -> None:
    embedder = create_embedder(f"hf:{tiny_clip_dir}", device="cpu")
    assert embedder.text_padding == "longest" and embedder.text_length == 77
    # CLIP pools at the end-of-text token under a causal mask: padding cannot change a vector.
    short, long = "a cat", "a storm at sea with a ship at night and a woman with flowers"
    together = embedder.embed_texts([short, long])
    np.testing.assert_allclose(embedder.embed_texts([short])[0], together[0], atol=1e-5)


def test_grid_pool_is_adaptive_average_pooling() -> None:
    torch.manual_seed(0)
    grids = [(7, 7), (3, 5), (8, 6), (2, 2)]
    length, dim = 1 + max(h * w for h, w in grids), 4
    states = torch.randn(len(grids), length, dim)
    is_patch = torch.zeros(len(grids), length, dtype=torch.bool)
    for b, (h, w) in enumerate(grids):
        is_patch[b, 1 : 1 + h * w] = True  # a CLS state first, then the patches, then padding
    pooled = grid_pool(states, is_patch, torch.tensor(grids), (4, 4))
    assert pooled.shape == (len(grids), 16, dim)
    for b, (h, w) in enumerate(grids):
        patches = states[b, 1 : 1 + h * w].reshape(h, w, dim).permute(2, 0, 1)
        expected = torch.nn.functional.adaptive_avg_pool2d(patches, (4, 4)).flatten(1).T
        torch.testing.assert_close(pooled[b], expected, atol=1e-5, rtol=1e-5)


def test_a_missing_folder_fails_fast_with_what_to_do() -> None:
    start = time.perf_counter()
    with pytest.raises(ModelNotFoundError) as error:
        create_embedder("hf:/nonexistent")
    assert time.perf_counter() - start < 5
    message = str(error.value)
    assert "/nonexistent" in message and "hf:/nonexistent" in message
    assert "folder" in message


def test_a_hub_id_not_in_the_cache_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    start = time.perf_counter()
    with pytest.raises(ModelNotFoundError) as error:
        create_embedder("hf:google/siglip-base-patch16-224")
    assert time.perf_counter() - start < 5
    message = str(error.value)
    assert "hf download google/siglip-base-patch16-224" in message
    assert "HF_HOME" in message and "hf:/path/to/folder" in message


def test_a_hub_id_in_the_cache_loads_offline(tiny_clip_dir: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    # The layout `hf download` leaves: models--owner--name/{refs/main, snapshots/<revision>/...}
    repo = tmp_path / "models--artscope-test--tiny-clip"
    shutil.copytree(tiny_clip_dir, repo / "snapshots" / "0123abcd")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0123abcd")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    by_id = create_embedder("hf:artscope-test/tiny-clip", device="cpu")
    by_path = create_embedder(f"hf:{tiny_clip_dir}", device="cpu")
    assert by_id.info.spec == "hf:artscope-test/tiny-clip"
    np.testing.assert_allclose(by_id.embed_texts(["a cat"]), by_path.embed_texts(["a cat"]), atol=1e-6)


def test_a_folder_without_a_model_is_reported(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelNotFoundError, match="save_pretrained"):
        create_embedder(f"hf:{tmp_path}")


def test_a_folder_without_weights_is_reported(tiny_clip_dir: Path, tmp_path: Path) -> None:
    partial = tmp_path / "half-copied"
    shutil.copytree(tiny_clip_dir, partial, ignore=shutil.ignore_patterns("*.safetensors"))
    with pytest.raises(ModelNotFoundError, match="complete model"):
        create_embedder(f"hf:{partial}")


def test_a_file_instead_of_a_folder_is_reported(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"")
    with pytest.raises(ModelNotFoundError, match="is a file"):
        create_embedder(f"hf:{weights}")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error raised when CUDA is absent")
def test_asking_for_cuda_without_a_gpu_says_so(tiny_clip_dir: Path) -> None:
    with pytest.raises(InvalidInputError, match="no CUDA"):
        create_embedder(f"hf:{tiny_clip_dir}", device="cuda")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_runs_in_bf16_and_agrees_with_cpu(tiny_clip_dir: Path, paintings: list[Image.Image]) -> None:
    gpu = create_embedder(f"hf:{tiny_clip_dir}")  # device=None picks CUDA when there is one
    cpu = create_embedder(f"hf:{tiny_clip_dir}", device="cpu")
    assert gpu.device.type == "cuda" and gpu.dtype == torch.bfloat16
    assert gpu.info == cpu.info
    on_gpu, on_cpu = gpu.embed_images(paintings), cpu.embed_images(paintings)
    cosines = np.sum(on_gpu.global_vectors * on_cpu.global_vectors, axis=1)
    assert cosines.min() > 0.98
    texts = ["a cat", "the sea"]
    text_cosines = np.sum(gpu.embed_texts(texts) * cpu.embed_texts(texts), axis=1)
    assert text_cosines.min() > 0.98
