"""The ``open_clip`` backend, an optional extra.

open_clip needs torchvision, which has no CPU build for the pinned torch, so on such installs only
the error path runs; the model tests run wherever open_clip imports (``pytest.importorskip``).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch
from PIL import Image

from artscope.embedders.registry import create_embedder
from artscope.errors import ModelNotFoundError

OPEN_CLIP_ABSENT = importlib.util.find_spec("open_clip") is None
ARCH = "artscope-tiny-clip"
TINY_CONFIG = {
    "embed_dim": 16,
    "vision_cfg": {"image_size": 32, "layers": 2, "width": 32, "head_width": 16, "patch_size": 8},
    "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 2},
}


@pytest.mark.skipif(not OPEN_CLIP_ABSENT, reason="open_clip is installed here")
def test_without_open_clip_the_error_says_what_to_install() -> None:
    start = time.perf_counter()
    with pytest.raises(ModelNotFoundError) as error:
        create_embedder("open_clip:ViT-B-32/laion2b_s34b_b79k")
    assert time.perf_counter() - start < 5
    message = str(error.value)
    assert "pip install 'artscope[open_clip]'" in message
    assert "torchvision" in message and "'hf:'" in message


@pytest.fixture(scope="module")
def open_clip() -> ModuleType:
    return pytest.importorskip("open_clip")


@pytest.fixture(scope="module")
def tiny_open_clip_dir(open_clip: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-init tiny OpenCLIP model as `hf download` leaves an open_clip hub repo."""
    configs = tmp_path_factory.mktemp("open-clip-configs")
    (configs / f"{ARCH}.json").write_text(json.dumps(TINY_CONFIG))
    open_clip.add_model_config(configs)
    torch.manual_seed(0)
    model = open_clip.create_model(ARCH)
    folder = tmp_path_factory.mktemp("tiny-open-clip")
    torch.save(model.state_dict(), folder / "open_clip_pytorch_model.bin")
    preprocess = {"size": 32, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}
    config = {"model_cfg": TINY_CONFIG, "preprocess_cfg": preprocess}
    (folder / "open_clip_config.json").write_text(json.dumps(config))
    return folder


def test_a_folder_loads_and_embeds(tiny_open_clip_dir: Path) -> None:
    embedder = create_embedder(f"open_clip:{tiny_open_clip_dir}", device="cpu")
    info = embedder.info
    assert (info.image_dim, info.text_dim, info.cross_modal, info.token_dim) == (16, 16, True, None)
    images = [Image.new("RGB", (40, 30), colour) for colour in ("red", "navy", "olive")]
    out = embedder.embed_images(images)
    assert out.global_vectors.shape == (3, 16) and out.tokens is None
    np.testing.assert_allclose(np.linalg.norm(out.global_vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(embedder.embed_images(images[1:2]).global_vectors[0], out.global_vectors[1],
                               atol=1e-5)
    texts = embedder.embed_texts(["a cat", "the sea at night"])
    assert texts.shape == (2, 16)
    np.testing.assert_allclose(np.linalg.norm(texts, axis=1), 1.0, atol=1e-5)


def test_an_architecture_with_a_checkpoint_file_gives_the_same_model(tiny_open_clip_dir: Path) -> None:
    by_folder = create_embedder(f"open_clip:{tiny_open_clip_dir}", device="cpu")
    checkpoint = tiny_open_clip_dir / "open_clip_pytorch_model.bin"
    by_file = create_embedder(f"open_clip:{ARCH}/{checkpoint}", device="cpu")
    np.testing.assert_allclose(by_file.embed_texts(["a dog"]), by_folder.embed_texts(["a dog"]), atol=1e-5)


def test_missing_weights_fail_fast(open_clip: ModuleType, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(ModelNotFoundError, match="hf download"):
        create_embedder("open_clip:hf-hub:timm/ViT-B-16-SigLIP2-256")
    with pytest.raises(ModelNotFoundError, match="hf download"):
        create_embedder("open_clip:ViT-B-32/laion2b_s34b_b79k")
    with pytest.raises(ModelNotFoundError, match="known tags"):
        create_embedder("open_clip:ViT-B-32/no-such-tag")
    with pytest.raises(ModelNotFoundError, match="does not name a model"):
        create_embedder("open_clip:ViT-B-32")


def test_a_folder_without_weights_is_refused(tiny_open_clip_dir: Path, tmp_path: Path) -> None:
    shutil.copy(tiny_open_clip_dir / "open_clip_config.json", tmp_path)
    with pytest.raises(ModelNotFoundError, match="lacks"):
        create_embedder(f"open_clip:{tmp_path}")
