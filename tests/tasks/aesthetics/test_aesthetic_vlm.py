"""The VLM backend: Q-Align level-word scoring with a tiny random-init Llava built here, the scoring
math on known logits, and fast, clear failures for weights that are not on disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from artscope.errors import InvalidInputError, ModelNotFoundError
from artscope.tasks.aesthetics import score_image
from artscope.tasks.aesthetics.vlm import LEVEL_SCORES, LEVELS, expected_level, level_token_ids, vlm_scorer

WORDS = [
    "<unk>",
    "<pad>",
    "<s>",
    "</s>",
    "<image>",
    "USER:",
    "ASSISTANT:",
    "How",
    "would",
    "you",
    "rate",
    "the",
    "aesthetics",
    "of",
    "this",
    "image?",
    "The",
    "image",
    "is",
    *LEVELS,
]
CHAT_TEMPLATE = (
    "{% for m in messages %}{{ m['role'].upper() }}: {% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<image> {% else %}{{ c['text'] }} {% endif %}{% endfor %}{% endfor %}"
    "{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)


@pytest.fixture(scope="module")
def tiny_llava(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-init Llava (CLIP vision tower, Llama text model), word-level tokenizer, saved to disk."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (
        CLIPImageProcessorPil,
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
        PreTrainedTokenizerFast,
    )

    vocab = {word: index for index, word in enumerate(WORDS)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        unk_token="<unk>",
        pad_token="<pad>",
        bos_token="<s>",
        eos_token="</s>",
        extra_special_tokens={"image_token": "<image>"},
    )
    torch.manual_seed(0)
    config = LlavaConfig(
        vision_config=CLIPVisionConfig(
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            image_size=32,
            patch_size=8,
            projection_dim=16,
        ),
        text_config=LlamaConfig(
            vocab_size=len(WORDS),
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=2,
            max_position_embeddings=128,
        ),
        image_token_index=vocab["<image>"],
        vision_feature_select_strategy="default",
    )
    processor = LlavaProcessor(
        image_processor=CLIPImageProcessorPil(
            size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}
        ),
        tokenizer=tokenizer,
        patch_size=8,
        num_additional_image_tokens=1,
        vision_feature_select_strategy="default",
        chat_template=CHAT_TEMPLATE,
    )
    folder = tmp_path_factory.mktemp("tiny-llava")
    LlavaForConditionalGeneration(config).save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def test_expected_level_is_the_softmax_over_level_tokens_only() -> None:
    logits = torch.full((30,), 50.0)  # huge logits elsewhere in the vocabulary must not matter
    ids = [20, 21, 22, 23, 24]
    logits[ids] = torch.tensor([2.0, 1.0, 0.0, 0.0, -1.0])
    probabilities, expected = expected_level(logits, ids, LEVEL_SCORES)
    manual = np.exp([2.0, 1.0, 0.0, 0.0, -1.0]) / np.exp([2.0, 1.0, 0.0, 0.0, -1.0]).sum()
    assert probabilities == pytest.approx(manual)
    assert expected == pytest.approx(float(manual @ np.array(LEVEL_SCORES)), abs=1e-5)


def test_tiny_llava_scores_through_the_public_api(tiny_llava: Path) -> None:
    spec = f"hf:{tiny_llava}"
    scorer = vlm_scorer(spec)
    assert scorer.token_ids == [WORDS.index(word) for word in LEVELS]
    assert scorer.prompt().endswith("ASSISTANT: The aesthetics of the image is")
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    result = score_image(image, vlm=spec)
    vlm = scorer.score(image)
    probabilities = np.array([vlm.level_probabilities[word] for word in LEVELS])
    assert probabilities.sum() == pytest.approx(1, abs=1e-5)
    assert result.backend == spec and result.total == pytest.approx(vlm.total, abs=0.01)
    assert result.total == pytest.approx(100 * (probabilities @ np.array(LEVEL_SCORES) - 1) / 4, abs=0.01)
    assert sum(result.distribution) == pytest.approx(1, abs=1e-3) and not result.calibrated
    assert result.dimensions["composition"] is not None  # the dimensions stay measured


def test_level_words_in_a_sentencepiece_style_vocabulary() -> None:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<unk>": 0, "▁": 1, "▁good": 2, "▁bad": 3, "good": 4}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    backend.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>")
    assert level_token_ids(tokenizer, ["good", "bad"]) == [2, 3]  # the word as it follows "is ", with its ▁
    with pytest.raises(InvalidInputError, match="cannot spell the level word 'excellent'"):
        level_token_ids(tokenizer, ["excellent"])


def test_models_that_are_not_on_disk_fail_at_once(tmp_path: Path) -> None:
    image = Image.new("RGB", (32, 32))
    with pytest.raises(ModelNotFoundError, match="not on this machine"):
        score_image(image, vlm="hf:nobody/no-such-vlm")
    with pytest.raises(ModelNotFoundError, match="No model folder"):
        score_image(image, vlm=f"artimuse:{tmp_path / 'missing' / 'checkpoint'}")


def test_artimuse_needs_its_own_model_code(tiny_llava: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="ArtiMuse's own model code"):
        score_image(Image.new("RGB", (32, 32)), vlm=f"artimuse:{tiny_llava}")
