"""The VLM backend: Q-Align level-word scoring with the suite's tiny random-init Llava, the scoring
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


def test_expected_level_is_the_softmax_over_level_tokens_only() -> None:
    logits = torch.full((30,), 50.0)  # huge logits elsewhere in the vocabulary must not matter
    ids = [20, 21, 22, 23, 24]
    logits[ids] = torch.tensor([2.0, 1.0, 0.0, 0.0, -1.0])
    probabilities, expected = expected_level(logits, ids, LEVEL_SCORES)
    manual = np.exp([2.0, 1.0, 0.0, 0.0, -1.0]) / np.exp([2.0, 1.0, 0.0, 0.0, -1.0]).sum()
    assert probabilities == pytest.approx(manual)
    assert expected == pytest.approx(float(manual @ np.array(LEVEL_SCORES)), abs=1e-5)


def test_tiny_llava_scores_through_the_public_api(tiny_llava_dir: Path) -> None:
    spec = f"hf:{tiny_llava_dir}"
    scorer = vlm_scorer(spec)
    assert scorer.token_ids == scorer.vlm.tokenizer.convert_tokens_to_ids(list(LEVELS))
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


def test_artimuse_needs_its_own_model_code(tiny_llava_dir: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="ArtiMuse's own model code"):
        score_image(Image.new("RGB", (32, 32)), vlm=f"artimuse:{tiny_llava_dir}")
