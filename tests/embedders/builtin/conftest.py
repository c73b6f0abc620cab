"""Fixtures of the builtin embedder's tests: one embedder per session (MiniLM loads once), and
synthetic pictures drawn here with known differences."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from artscope.embedders.builtin import BuiltinEmbedder

TINY_WORDS = ["a", "the", "of", "with", "sea", "ship", "storm", "stormy", "sailing", "vessel", "tempest",
              "bowl", "fruit", "portrait", "woman"]


@pytest.fixture(scope="session")
def builtin_embedder() -> BuiltinEmbedder:
    """The default builtin embedder, shared: its text model loads on the first text embedded."""
    return BuiltinEmbedder(device="cpu")


def scene(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A random 'painting': a two-colour sky/ground split, a few shapes, brush-like noise."""
    rng = np.random.default_rng(seed)
    width, height = size
    top, bottom = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    horizon = int(height * rng.uniform(0.3, 0.7))
    pixels = np.empty((height, width, 3), np.float32)
    pixels[:horizon], pixels[horizon:] = top, bottom
    pixels += rng.normal(0, rng.uniform(2, 25), (height, width, 1))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(2, 6))):
        x, y = rng.integers(0, width), rng.integers(0, height)
        r = int(rng.integers(10, 60))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
        else:
            draw.rectangle([x - r, y - r // 2, x + r, y + r // 2], fill=colour)
    return image


def modified_copy(image: Image.Image, seed: int) -> Image.Image:
    """The same picture photographed again: 80 % crop, slight tilt, exposure drift, smaller, JPEG q40."""
    rng = np.random.default_rng(seed)
    w, h = image.size
    x, y = int(rng.integers(0, w // 5)), int(rng.integers(0, h // 5))
    image = image.crop((x, y, x + int(w * 0.8), y + int(h * 0.8))).rotate(float(rng.uniform(-4, 4)),
                                                                          resample=Image.BILINEAR)
    image = ImageEnhance.Brightness(image).enhance(float(rng.uniform(0.9, 1.1)))
    image = image.resize((image.width * 2 // 3, image.height * 2 // 3), Image.BILINEAR)
    buffer = io.BytesIO()
    image.filter(ImageFilter.SMOOTH).save(buffer, "JPEG", quality=40)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


@pytest.fixture(scope="session")
def draw_scene() -> Callable[..., Image.Image]:
    """``draw_scene(seed, size=(320, 240))``: one synthetic picture."""
    return scene


@pytest.fixture(scope="session")
def scenes() -> list[Image.Image]:
    """Ten different synthetic pictures."""
    return [scene(seed) for seed in range(10)]


@pytest.fixture(scope="session")
def scene_copies(scenes: list[Image.Image]) -> list[Image.Image]:
    """Each of ``scenes`` photographed again (cropped, tilted, re-exposed, smaller, JPEG q40)."""
    return [modified_copy(image, seed) for seed, image in enumerate(scenes)]


@pytest.fixture(scope="session")
def tiny_sentence_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-init one-layer BERT (hidden size 32, 20-word WordPiece vocab) saved as a sentence-transformers
    model folder, the way a user saves a model downloaded elsewhere."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizer

    root = tmp_path_factory.mktemp("tiny-sentence")
    (root / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *TINY_WORDS]) + "\n")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(TINY_WORDS) + 5, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    BertModel(config).save_pretrained(root / "bert")
    BertTokenizer(vocab_file=str(root / "vocab.txt")).save_pretrained(root / "bert")
    word = Transformer(str(root / "bert"), max_seq_length=32)
    SentenceTransformer(modules=[word, Pooling(32, pooling_mode="mean")], device="cpu").save(str(root / "model"))
    return root / "model"
