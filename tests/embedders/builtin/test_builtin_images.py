"""The builtin image vectors: shapes and norms, determinism, and the properties they are built for."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from artscope.embedders.builtin import BuiltinEmbedder, BuiltinOptions
from artscope.embedders.builtin.features import BLOCKS, extract
from artscope.embedders.builtin.tokens import TOKEN_COUNT, TOKEN_DIM
from artscope.errors import InvalidInputError

DrawScene = Callable[..., Image.Image]


def test_shapes_dtypes_and_norms(builtin_embedder: BuiltinEmbedder, scenes: list[Image.Image]) -> None:
    out = builtin_embedder.embed_images(scenes[:3])
    info = builtin_embedder.info
    assert out.global_vectors.shape == (3, info.image_dim)
    assert out.tokens is not None and out.tokens.shape == (3, TOKEN_COUNT, TOKEN_DIM)
    assert (info.token_dim, info.max_tokens, info.text_dim, info.cross_modal) == (TOKEN_DIM, TOKEN_COUNT, 896, False)
    assert out.global_vectors.dtype == np.float32 and out.tokens.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out.global_vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(out.tokens, axis=2), 1.0, atol=1e-5)


def test_block_slices_tile_the_global_vector(builtin_embedder: BuiltinEmbedder) -> None:
    slices = builtin_embedder.block_slices()
    assert list(slices) == [*BLOCKS, "style"]
    assert slices["colour"].start == 0 and slices["style"].stop == builtin_embedder.info.image_dim
    assert all(a.stop == b.start for a, b in zip(list(slices.values()), list(slices.values())[1:], strict=False))


def test_no_images_gives_empty_arrays(builtin_embedder: BuiltinEmbedder) -> None:
    out = builtin_embedder.embed_images([])
    assert out.global_vectors.shape == (0, builtin_embedder.info.image_dim)
    assert out.tokens is not None and out.tokens.shape == (0, TOKEN_COUNT, TOKEN_DIM)


def test_identical_images_give_identical_vectors(builtin_embedder: BuiltinEmbedder, draw_scene: DrawScene) -> None:
    image = draw_scene(42)
    batch = builtin_embedder.embed_images([image, image.copy()])
    again = BuiltinEmbedder(device="cpu").embed_images([image])
    np.testing.assert_array_equal(batch.global_vectors[0], batch.global_vectors[1])
    np.testing.assert_array_equal(batch.global_vectors[0], again.global_vectors[0])
    np.testing.assert_array_equal(batch.tokens[0], again.tokens[0])


def test_a_modified_copy_is_nearest_its_original(builtin_embedder: BuiltinEmbedder, scenes: list[Image.Image],
                                                 scene_copies: list[Image.Image]) -> None:
    originals = builtin_embedder.embed_images(scenes).global_vectors
    copies = builtin_embedder.embed_images(scene_copies).global_vectors
    similarity = copies @ originals.T
    assert list(similarity.argmax(axis=1)) == list(range(len(scenes)))
    # and by a margin: the original beats the runner-up clearly
    ordered = np.sort(similarity, axis=1)
    assert np.all(np.diag(similarity) - ordered[:, -2] > 0.01)


def test_same_palette_different_layout_differs_in_the_layout_block(builtin_embedder: BuiltinEmbedder) -> None:
    red_left = np.zeros((120, 160, 3), np.uint8)
    red_left[:, :80] = (200, 40, 30)
    red_left[:, 80:] = (30, 60, 190)
    mirrored = red_left[:, ::-1].copy()
    vectors = builtin_embedder.embed_images([Image.fromarray(red_left), Image.fromarray(mirrored)]).global_vectors
    slices = builtin_embedder.block_slices()

    def cosine(block: str) -> float:
        a, b = vectors[0, slices[block]], vectors[1, slices[block]]
        return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))

    assert cosine("colour") > 0.99 and cosine("palette") > 0.99 and cosine("colourfulness") > 0.99
    assert cosine("layout") < -0.9


def test_colourfulness_separates_vivid_from_grey() -> None:
    rng = np.random.default_rng(0)
    vivid = Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8))
    grey = vivid.convert("L").convert("RGB")
    grey_too = Image.fromarray(np.full((64, 64, 3), 128, np.uint8))
    blocks = [extract(image).blocks["colourfulness"] for image in (vivid, grey, grey_too)]
    assert blocks[1] @ blocks[2] > 0.9 > 0.5 > blocks[0] @ blocks[1]


def test_tokens_find_a_detail_by_late_interaction(builtin_embedder: BuiltinEmbedder,
                                                  scenes: list[Image.Image]) -> None:
    details = [s.crop((0, 0, s.width // 2, s.height // 2)).resize(s.size) for s in scenes]
    tokens = builtin_embedder.embed_images(scenes).tokens
    queries = builtin_embedder.embed_images(details).tokens
    maxsim = np.einsum("qik,djk->qdij", queries, tokens).max(axis=3).sum(axis=2)
    assert (maxsim.argmax(axis=1) == np.arange(len(scenes))).mean() >= 0.8


@pytest.mark.parametrize("size", [(1, 1), (5, 3000), (3000, 5), (31, 33), (2, 2)])
def test_tiny_and_extreme_images_do_not_crash(builtin_embedder: BuiltinEmbedder, size: tuple[int, int]) -> None:
    image = Image.fromarray(np.random.default_rng(1).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    out = builtin_embedder.embed_images([image])
    assert np.isfinite(out.global_vectors).all() and np.isfinite(out.tokens).all()
    np.testing.assert_allclose(np.linalg.norm(out.global_vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "1"])
def test_other_modes_and_flat_images(builtin_embedder: BuiltinEmbedder, draw_scene: DrawScene, mode: str) -> None:
    images = [draw_scene(3).convert(mode), Image.new(mode, (50, 40)), Image.new("RGB", (50, 40), (255, 255, 255))]
    out = builtin_embedder.embed_images(images)
    assert np.isfinite(out.global_vectors).all()
    np.testing.assert_allclose(np.linalg.norm(out.global_vectors, axis=1), 1.0, atol=1e-5)


def test_inputs_that_are_not_lists_of_images_are_refused(builtin_embedder: BuiltinEmbedder,
                                                         draw_scene: DrawScene) -> None:
    with pytest.raises(InvalidInputError, match="list of images"):
        builtin_embedder.embed_images(draw_scene(0))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="load_image"):
        builtin_embedder.embed_images([draw_scene(0), "painting.jpg"])  # type: ignore[list-item]


def test_nostyle_leaves_out_the_style_block(builtin_embedder: BuiltinEmbedder, scenes: list[Image.Image]) -> None:
    plain = BuiltinEmbedder(BuiltinOptions(style=False), device="cpu")
    assert plain.info.image_dim == builtin_embedder.info.image_dim - 100
    assert "style" not in plain.block_slices()
    with_style = builtin_embedder.embed_images(scenes[:2]).global_vectors
    without = plain.embed_images(scenes[:2]).global_vectors
    np.testing.assert_allclose(np.linalg.norm(without, axis=1), 1.0, atol=1e-5)
    # the hand-built part is the same, only rescaled by the style block's share of the norm
    cut = plain.info.image_dim
    np.testing.assert_allclose(with_style[:, :cut] / np.linalg.norm(with_style[:, :cut], axis=1, keepdims=True),
                               without, atol=1e-5)
