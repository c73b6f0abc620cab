"""Every model family the fine-tuning supports, on CPU, each a tiny random-init model saved as the hub lays
it out: LLaVA, LLaVA-NeXT (any-resolution tiles), PaliGemma (prefix-LM, answers built from a ``suffix``),
SmolVLM (Idefics3: image splitting) and Qwen2-VL (patch grids; its processor needs torchvision).

For each: a few LoRA steps make the loss fall; the level words are read at exactly the position where
training put them; the adapter, saved and loaded again from disk, predicts what the trained model did."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from artscope.vlm.batches import Example, encode, model_inputs
from artscope.vlm.inference import answer, next_token_probabilities
from artscope.vlm.loading import load_vlm
from artscope.vlm.prompting import ANSWER_PREFIX, LEVELS, QUESTION, level_token_ids, turn
from artscope.vlm.store import AdapterMeta, save_adapter
from artscope.vlm.training import TrainOptions, fine_tune, load_for_training
from tiny_models import (
    save_tiny_idefics3,
    save_tiny_llava,
    save_tiny_llava_next,
    save_tiny_paligemma,
    save_tiny_qwen2_vl,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _needs_torchvision() -> None:
    pytest.importorskip("torchvision", reason="Qwen2-VL's processor (its video part) needs torchvision")


FAMILIES: dict[str, tuple[Callable[[Path], Path], Callable[[], None] | None]] = {
    "llava": (save_tiny_llava, None),
    "llava_next": (save_tiny_llava_next, None),
    "paligemma": (save_tiny_paligemma, None),
    "idefics3": (save_tiny_idefics3, None),
    "qwen2_vl": (save_tiny_qwen2_vl, _needs_torchvision),
}
OPTIONS = TrainOptions(epochs=4, batch_size=2, learning_rate=3e-2, lora_rank=8, lora_alpha=16, lora_dropout=0.0)


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four pictures of different sizes and aspect ratios (tiles, splits and patch grids differ)."""
    folder = tmp_path_factory.mktemp("pictures")
    paths = []
    for i, (height, width) in enumerate([(40, 48), (64, 32), (30, 90), (50, 50)]):
        paths.append(folder / f"{i}.png")
        Image.fromarray(np.full((height, width, 3), 60 * i, np.uint8)).save(paths[-1])
    return paths


@pytest.fixture(scope="module", params=list(FAMILIES))
def tuned(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, pictures: list[Path]):
    build, requirement = FAMILIES[request.param]
    if requirement is not None:
        requirement()
    torch.set_num_threads(1)
    base = f"hf:{build(tmp_path_factory.mktemp(request.param))}"
    examples = [Example(str(i), path, QUESTION, f"{ANSWER_PREFIX} {LEVELS[4 - 3 * (i % 2)]}.")
                for i, path in enumerate(pictures)]
    vlm, precision = load_for_training(base, OPTIONS)
    outcome = fine_tune(vlm, examples, OPTIONS, precision)
    return request.param, base, vlm, outcome, [Image.open(p).convert("RGB") for p in pictures]


def test_the_loss_falls_and_levels_are_read_where_they_were_trained(tuned) -> None:
    family, _, vlm, outcome, images = tuned
    assert outcome.steps == 8 and outcome.epoch_losses[-1] < 0.8 * outcome.epoch_losses[0]
    ids = level_token_ids(vlm.tokenizer)
    read = next_token_probabilities(vlm, images, [QUESTION] * 4, [ANSWER_PREFIX] * 4, ids)
    assert read.shape == (4, 5) and np.allclose(read.sum(axis=1), 1)
    if family == "qwen2_vl":
        return  # its byte-level test vocabulary spells " good" as a space and letters
    # the same probabilities, teacher-forced, at the position before the level word of a training text
    word = LEVELS[1]
    batch = encode(vlm.processor, images, [turn(vlm.processor, QUESTION, f"{ANSWER_PREFIX} {word}.")] * 4)
    position = [int(np.flatnonzero(row.numpy() == ids[1])[-1]) - 1 for row in batch["input_ids"]]
    with torch.inference_mode():
        logits = vlm.model(**model_inputs(batch, vlm.device, vlm.dtype)).logits
    forced = torch.softmax(torch.stack([logits[i, p, ids] for i, p in enumerate(position)]), dim=-1).numpy()
    assert np.allclose(read, forced, atol=1e-4)


def test_the_saved_adapter_predicts_the_same(tuned, tmp_path: Path) -> None:
    family, base, vlm, _, images = tuned
    ids = level_token_ids(vlm.tokenizer)
    before = next_token_probabilities(vlm, images, [QUESTION] * 4, [ANSWER_PREFIX] * 4, ids)
    said = [a.text for a in answer(vlm, images[:2], [QUESTION] * 2, max_new_tokens=5)]
    meta = AdapterMeta(kind="vlm-aesthetics", task="aesthetics", base=base, base_type=vlm.model.config.model_type)
    save_adapter(tmp_path / "adapter", vlm.model.save_pretrained, meta)
    again = load_vlm(f"adapter:{tmp_path / 'adapter'}")
    assert again.adapter is not None and again.adapter.base_type == family
    after = next_token_probabilities(again, images, [QUESTION] * 4, [ANSWER_PREFIX] * 4, ids)
    assert np.allclose(before, after, atol=1e-5)
    assert [a.text for a in answer(again, images[:2], [QUESTION] * 2, max_new_tokens=5)] == said
