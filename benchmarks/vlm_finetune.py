"""LoRA fine-tuning speed and memory: steps per second, examples per second, peak memory, and whether the
model learned a planted signal (brighter pictures score a higher Q-Align level).

    python benchmarks/vlm_finetune.py --tiny                                  # the test suite's tiny Llava
    python benchmarks/vlm_finetune.py --base hf:Qwen/Qwen2-VL-2B-Instruct --device cuda --precision bf16 \\
        --gradient-checkpointing --batch-size 8 --steps 50 --size 448

The pictures are synthetic (noise around a brightness), so nothing is downloaded; the base model must be
on disk. Peak memory is CUDA's ``max_memory_allocated`` on a GPU, the process's peak resident size on a CPU.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from artscope.metrics.correlation import srcc
from artscope.vlm.batches import Example
from artscope.vlm.inference import next_token_probabilities
from artscope.vlm.prompting import ANSWER_PREFIX, LEVEL_SCORES, QUESTION, level_of, level_token_ids
from artscope.vlm.training import TrainOptions, fine_tune, load_for_training


def pictures(folder: Path, count: int, size: int, seed: int) -> list[tuple[Path, float]]:
    """``count`` pictures whose brightness is their score (0–1)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        level = float(rng.uniform(0.05, 0.95))
        pixels = np.clip(rng.normal(255 * level, 20, (size, size, 3)), 0, 255).astype(np.uint8)
        path = folder / f"{seed}-{i}.png"
        Image.fromarray(pixels).save(path)
        out.append((path, level))
    return out


def tiny_base(folder: Path) -> str:
    """The test suite's tiny random-init Llava, saved into ``folder``."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from tiny_models import save_tiny_llava

    return f"hf:{save_tiny_llava(folder)}"


def peak_memory_mb(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", help="hf:ID_OR_FOLDER of the model to fine-tune")
    parser.add_argument("--tiny", action="store_true", help="use the test suite's tiny Llava")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--gradient-accumulation", type=int, default=1)
    parser.add_argument("--learning-rate", type=float, default=2e-2)
    parser.add_argument("--lora-rank", type=int, default=8)
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--gradient-checkpointing", action="store_true")
    parser.add_argument("--device", default=None)
    parser.add_argument("--size", type=int, default=64, help="picture side in pixels")
    parser.add_argument("--train", type=int, default=32)
    parser.add_argument("--test", type=int, default=16)
    parser.add_argument("--threads", type=int, default=None, help="torch threads on a CPU")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = tiny_base(folder / "tiny") if args.tiny else args.base
        if not base:
            parser.error("give --base hf:ID_OR_FOLDER or --tiny")
        train, test = pictures(folder, args.train, args.size, 0), pictures(folder, args.test, args.size, 1)
        examples = [Example(str(p), p, QUESTION, f"{ANSWER_PREFIX} {level_of(10 * b, (0, 10))}.") for p, b in train]
        options = TrainOptions(epochs=10_000, max_steps=args.steps, batch_size=args.batch_size,
                               gradient_accumulation=args.gradient_accumulation, learning_rate=args.learning_rate,
                               lora_rank=args.lora_rank, lora_alpha=2 * args.lora_rank, lora_dropout=0.0,
                               precision=args.precision, gradient_checkpointing=args.gradient_checkpointing,
                               device=args.device)
        started = time.perf_counter()
        vlm, precision = load_for_training(base, options)
        loaded = time.perf_counter() - started
        outcome = fine_tune(vlm, examples, options, precision)
        images = [Image.open(p).convert("RGB") for p, _ in test]
        probabilities = np.concatenate([
            next_token_probabilities(vlm, images[i : i + 8], [QUESTION] * len(images[i : i + 8]),
                                     [ANSWER_PREFIX] * len(images[i : i + 8]), level_token_ids(vlm.tokenizer))
            for i in range(0, len(images), 8)])
        print(json.dumps({
            "base": base if not args.tiny else "tiny llava (tests/tiny_models.py)", "device": str(vlm.device),
            "precision": precision, "gradient_checkpointing": args.gradient_checkpointing,
            "batch_size": args.batch_size, "gradient_accumulation": args.gradient_accumulation,
            "picture_px": args.size, "load_s": round(loaded, 2), "steps": outcome.steps,
            "train_s": round(outcome.seconds, 2), "steps_per_s": round(outcome.steps / outcome.seconds, 2),
            "examples_per_s": round(outcome.steps * args.batch_size * args.gradient_accumulation / outcome.seconds, 1),
            "peak_memory_mb": round(peak_memory_mb(vlm.device), 1),
            "first_loss": round(outcome.step_losses[0], 4), "last_loss": round(outcome.step_losses[-1], 4),
            "held_out_srcc": round(srcc(probabilities @ np.asarray(LEVEL_SCORES), [b for _, b in test]), 3),
        }, indent=2))


if __name__ == "__main__":
    main()
