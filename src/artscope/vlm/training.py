"""LoRA fine-tuning of a vision-language model on (image, question, answer) examples, with ``peft``.

One loop for every model family and every task: AdamW over the adapter's weights, linear warm-up then
cosine decay, gradient accumulation, optional gradient checkpointing, and mixed precision (bf16 weights
under autocast, or fp16 with a gradient scaler, on a GPU; fp32 on a CPU unless asked otherwise). The
loss is the model's own next-token cross-entropy over the answer tokens (labels from ``batches``).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import BaseModel, Field, ValidationError

from artscope.errors import ArtscopeError, DependencyMissingError, InvalidInputError
from artscope.vlm.batches import Example, encode, model_inputs, read_images
from artscope.vlm.loading import Vlm, load_base
from artscope.vlm.prompting import turn
from artscope.vlm.store import AdapterMeta, LevelScoring, Task, adapter_kind, save_adapter

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Precision = Literal["auto", "fp32", "bf16", "fp16"]
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


class TrainOptions(BaseModel):
    """Hyper-parameters of one fine-tuning run (recorded in the adapter's ``adapter.json``)."""

    epochs: int = Field(3, ge=1)
    max_steps: int | None = Field(None, ge=1)
    """Stop after this many optimizer steps (None: run all epochs)."""
    batch_size: int = Field(4, ge=1)
    gradient_accumulation: int = Field(1, ge=1)
    """Micro-batches per optimizer step: the effective batch is ``batch_size`` times this."""
    learning_rate: float = Field(2e-4, gt=0)
    weight_decay: float = Field(0.0, ge=0)
    warmup_ratio: float = Field(0.03, ge=0, lt=1)
    lora_rank: int = Field(16, ge=1)
    lora_alpha: int = Field(32, ge=1)
    lora_dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: str = "all-linear"
    """peft's ``target_modules``: ``all-linear`` or comma-separated module names (``q_proj,v_proj``)."""
    precision: Precision = "auto"
    """``auto``: bf16 on a GPU that has it, else fp32."""
    gradient_checkpointing: bool = False
    seed: int = 0
    device: str | None = None


def options_from(**values: Any) -> TrainOptions:
    """``TrainOptions`` from user input; a value out of range is an ``InvalidInputError`` naming it."""
    try:
        return TrainOptions(**values)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidInputError(f"Invalid training option(s): {problems}.") from None


def require_peft() -> None:
    """Fail with the install command when ``peft`` is missing."""
    try:
        import peft  # noqa: F401
    except ImportError as exc:
        raise DependencyMissingError("Fine-tuning needs peft: `pip install 'artscope[train]'`.") from exc


def resolve_precision(precision: Precision, device: torch.device) -> str:
    """The precision a run uses: ``auto`` becomes bf16 on a GPU with bf16 support, fp32 elsewhere."""
    if precision == "auto":
        return "bf16" if device.type == "cuda" and torch.cuda.is_bf16_supported() else "fp32"
    if precision == "fp16" and device.type != "cuda":
        raise InvalidInputError("fp16 training needs a CUDA GPU; use --precision fp32 (or bf16) on a CPU.")
    return precision


def load_for_training(base: str, options: TrainOptions) -> tuple[Vlm, str]:
    """The base model in the dtype the run's precision asks for, and that precision."""
    require_peft()
    from artscope.embedders.torch_common import resolve_device

    precision = resolve_precision(options.precision, resolve_device(options.device))
    return load_base(base, options.device, DTYPES[precision]), precision


@dataclass
class TrainOutcome:
    """What a run did: optimizer steps, the loss of each step and the mean loss of each epoch."""

    steps: int
    seconds: float
    precision: str
    step_losses: list[float] = field(default_factory=list)
    epoch_losses: list[float] = field(default_factory=list)
    skipped: int = 0
    """Examples left out because their image could not be read."""

    def summary(self, device: torch.device) -> dict[str, Any]:
        """For ``adapter.json``."""
        return {"steps": self.steps, "seconds": round(self.seconds, 2), "precision": self.precision,
                "device": str(device), "first_epoch_loss": self.epoch_losses[0],
                "last_epoch_loss": self.epoch_losses[-1], "skipped_examples": self.skipped}


def add_lora(vlm: Vlm, options: TrainOptions) -> None:
    """Wrap the model in a fresh LoRA adapter (only its weights will train)."""
    from peft import LoraConfig, get_peft_model

    targets: str | list[str] = options.target_modules
    if targets != "all-linear":
        targets = [name.strip() for name in targets.split(",") if name.strip()]
    if options.gradient_checkpointing:
        vlm.model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    vlm.model.config.use_cache = False
    config = LoraConfig(r=options.lora_rank, lora_alpha=options.lora_alpha, lora_dropout=options.lora_dropout,
                        target_modules=targets, task_type="CAUSAL_LM")
    try:
        vlm.model = get_peft_model(vlm.model, config)
    except ValueError as exc:
        raise InvalidInputError(f"LoRA cannot target {options.target_modules!r} in this model ({exc}); "
                                "use --target-modules all-linear or names of its linear layers.") from exc


def _schedule(optimizer: torch.optim.Optimizer, warmup: int, total: int) -> torch.optim.lr_scheduler.LambdaLR:
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _micro_batch(vlm: Vlm, examples: Sequence[Example]) -> tuple[dict[str, Any] | None, list[str]]:
    """Tensors of the readable examples, and the keys of those whose image could not be read."""
    kept, images, unreadable = [], [], []
    for example in examples:
        try:
            images.extend(read_images([example.image]))
            kept.append(example)
        except ArtscopeError as exc:
            log.warning("skipped %s: %s", example.image, exc)
            unreadable.append(example.key)
    if not kept:
        return None, unreadable
    turns = [turn(vlm.processor, e.question, e.answer) for e in kept]
    return model_inputs(encode(vlm.processor, images, turns), vlm.device, vlm.dtype), unreadable


@dataclass
class _Loop:
    """The state one run's epochs share."""

    vlm: Vlm
    examples: Sequence[Example]
    options: TrainOptions
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LambdaLR
    scaler: torch.amp.GradScaler
    autocast: Any
    total: int
    outcome: TrainOutcome
    skipped: set[str] = field(default_factory=set)

    def step(self, chunks: list[list[int]]) -> float | None:
        """One optimizer step over micro-batches (gradients accumulate); the mean loss, or None when no
        image of the group could be read."""
        losses = []
        for chunk in chunks:
            batch, unreadable = _micro_batch(self.vlm, [self.examples[i] for i in chunk])
            self.skipped.update(unreadable)
            if batch is None:
                continue
            with self.autocast:
                loss = self.vlm.model(**batch).loss
            self.scaler.scale(loss / len(chunks)).backward()
            losses.append(float(loss.detach()))
        if not losses:
            return None
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)
        self.scheduler.step()
        return sum(losses) / len(losses)

    def epoch(self, order: list[int], progress: Progress | None) -> None:
        """One pass over the examples in ``order`` (or until the step budget is spent)."""
        size, accumulate = self.options.batch_size, self.options.gradient_accumulation
        chunks = [order[i : i + size] for i in range(0, len(order), size)]
        losses = []
        for start in range(0, len(chunks), accumulate):
            loss = self.step(chunks[start : start + accumulate])
            if loss is None:
                continue
            self.outcome.steps += 1
            self.outcome.step_losses.append(loss)
            losses.append(loss)
            if progress:
                progress(self.outcome.steps, self.total)
            if self.outcome.steps >= self.total:
                break
        if not losses:
            raise InvalidInputError("None of the training images could be read.")
        self.outcome.epoch_losses.append(sum(losses) / len(losses))


def fine_tune(vlm: Vlm, examples: Sequence[Example], options: TrainOptions, precision: str,
              progress: Progress | None = None) -> TrainOutcome:
    """Train a LoRA adapter on ``examples`` in place (``vlm.model`` becomes the adapted model, in eval
    mode at the end)."""
    if not examples:
        raise InvalidInputError("There are no training examples.")
    torch.manual_seed(options.seed)
    add_lora(vlm, options)
    parameters = [p for p in vlm.model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=options.learning_rate, weight_decay=options.weight_decay)
    per_epoch = math.ceil(len(examples) / (options.batch_size * options.gradient_accumulation))
    total = min(options.max_steps or per_epoch * options.epochs, per_epoch * options.epochs)
    loop = _Loop(
        vlm, examples, options, optimizer, _schedule(optimizer, math.ceil(options.warmup_ratio * total), total),
        torch.amp.GradScaler(vlm.device.type, enabled=precision == "fp16"),
        torch.autocast(vlm.device.type, dtype=DTYPES[precision]) if precision != "fp32" else nullcontext(),
        total, TrainOutcome(steps=0, seconds=0.0, precision=precision))
    generator = torch.Generator().manual_seed(options.seed)
    started = time.perf_counter()
    vlm.model.train()
    while loop.outcome.steps < total:
        loop.epoch(torch.randperm(len(examples), generator=generator).tolist(), progress)
    vlm.model.eval()
    loop.outcome.seconds, loop.outcome.skipped = time.perf_counter() - started, len(loop.skipped)
    log.info("fine-tuned %d steps in %.1f s; epoch losses %s", loop.outcome.steps, loop.outcome.seconds,
             [round(v, 4) for v in loop.outcome.epoch_losses])
    return loop.outcome


class VlmTrainReport(BaseModel):
    """Where the adapter went, what it learned from, and how it did on the held-out examples."""

    adapter_dir: str
    task: str
    base: str
    data_source: str
    train_examples: int
    test_examples: int
    metrics: dict[str, float]
    training: dict[str, Any]
    epoch_losses: list[float]


Evaluate = Callable[[Vlm], dict[str, float]]


def train_adapter(heads_dir: Path, task: Task, base: str, examples: Sequence[Example], evaluate: Evaluate,
                  options: TrainOptions, data: dict[str, Any], scoring: LevelScoring | None = None,
                  progress: Progress | None = None) -> VlmTrainReport:
    """Fine-tune ``base`` on the ``train`` examples, measure it with ``evaluate`` (on the held-out ones),
    and save the adapter as ``heads/vlm-<task>`` with what it was trained on and how it did."""
    train = [e for e in examples if e.split == "train"]
    held_out = [e for e in examples if e.split != "train"]
    if not held_out:
        raise InvalidInputError("No example is held out for evaluation; the data needs a test split.")
    vlm, precision = load_for_training(base, options)
    outcome = fine_tune(vlm, train, options, precision, progress)
    metrics = evaluate(vlm)
    meta = AdapterMeta(
        kind=adapter_kind(task), task=task, base=base, base_type=getattr(vlm.model.config, "model_type", ""),
        trust_remote_code=vlm.trust_remote_code, hyperparameters=options.model_dump(), metrics=metrics,
        training=outcome.summary(vlm.device), scoring=scoring,
        data={**data, "train_examples": len(train), "test_examples": len(held_out)})
    directory = Path(heads_dir) / adapter_kind(task)
    save_adapter(directory, vlm.model.save_pretrained, meta)
    log.info("adapter saved to %s: %s", directory, metrics)
    return VlmTrainReport(adapter_dir=str(directory), task=task, base=base, data_source=str(data.get("source", "")),
                          train_examples=len(train), test_examples=len(held_out), metrics=metrics,
                          training=meta.training, epoch_losses=outcome.epoch_losses)
