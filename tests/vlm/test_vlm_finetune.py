"""The fine-tuning loop's options on CPU: gradient accumulation, gradient checkpointing and bf16 mixed
precision run and train; fp16 needs a GPU; bad options and unreadable images get clear answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PIL import Image

from artscope.errors import InvalidInputError
from artscope.vlm.batches import Example
from artscope.vlm.training import TrainOptions, fine_tune, load_for_training, options_from

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> list[Example]:
    folder = tmp_path_factory.mktemp("pictures")
    out = []
    for i, colour in enumerate([(200, 30, 30), (30, 30, 200), (30, 200, 30), (220, 200, 40)]):
        Image.new("RGB", (40, 40), colour).save(folder / f"{i}.png")
        out.append(Example(str(i), folder / f"{i}.png", "Who made this artwork?", ["Ada Rossi", "Ben Blau",
                                                                                    "Cai Verde", "Dora Gold"][i]))
    return out


@pytest.mark.parametrize("extra", [
    {"gradient_accumulation": 2},
    {"gradient_checkpointing": True},
    {"precision": "bf16"},
])
def test_the_options_run_and_train(tiny_llava_dir: Path, examples: list[Example], extra: dict) -> None:
    options = TrainOptions(epochs=4, batch_size=1, learning_rate=3e-2, lora_rank=8, lora_alpha=16,
                           lora_dropout=0.0, **extra)
    vlm, precision = load_for_training(f"hf:{tiny_llava_dir}", options)
    outcome = fine_tune(vlm, examples, options, precision)
    steps_per_epoch = 4 // extra.get("gradient_accumulation", 1)
    assert outcome.steps == 4 * steps_per_epoch and len(outcome.step_losses) == outcome.steps
    assert outcome.epoch_losses[-1] < outcome.epoch_losses[0]
    assert precision == extra.get("precision", "fp32")
    expected = torch.bfloat16 if precision == "bf16" else torch.float32
    assert next(p for n, p in vlm.model.named_parameters() if "lora" not in n).dtype == expected
    assert vlm.model.base_model.model.is_gradient_checkpointing == extra.get("gradient_checkpointing", False)


def test_max_steps_stops_early_and_unreadable_images_are_skipped(tiny_llava_dir: Path, examples: list[Example],
                                                                 tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    options = TrainOptions(epochs=5, max_steps=3, batch_size=2, lora_rank=4, lora_alpha=8)
    vlm, precision = load_for_training(f"hf:{tiny_llava_dir}", options)
    outcome = fine_tune(vlm, [*examples, Example("x", broken, "Who made this artwork?", "Ada Rossi")], options,
                        precision)
    assert outcome.steps == 3 and outcome.skipped == 1


def test_bad_options_are_refused_clearly(tiny_llava_dir: Path) -> None:
    with pytest.raises(InvalidInputError, match="fp16 training needs a CUDA GPU"):
        load_for_training(f"hf:{tiny_llava_dir}", TrainOptions(precision="fp16", device="cpu"))
    with pytest.raises(InvalidInputError, match="learning_rate"):
        options_from(learning_rate=-1.0)
    with pytest.raises(InvalidInputError, match="precision"):
        options_from(precision="fp8")
    options = TrainOptions(target_modules="no_such_layer", lora_rank=4)
    vlm, precision = load_for_training(f"hf:{tiny_llava_dir}", options)
    with pytest.raises(InvalidInputError, match="LoRA cannot target 'no_such_layer'"):
        fine_tune(vlm, [Example("a", "x.png", "q", "a")], options, precision)
