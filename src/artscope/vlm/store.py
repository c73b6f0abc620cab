"""Fine-tuned adapters in a collection's ``heads/``: ``heads/vlm-aesthetics`` and ``heads/vlm-qa``.

An adapter folder holds what ``peft`` writes (``adapter_config.json``, ``adapter_model.safetensors``)
and ``adapter.json``: the base model's spec, the data it was trained on, the hyper-parameters, the
held-out metrics, and what inference needs to use it the way it was trained (the question, the answer
prefix and the level words of a scoring adapter). The folder is written beside its final place and
swapped in whole, so a failed or killed run leaves the previous adapter as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from artscope.errors import HeadNotTrainedError
from artscope.heads.store import replacing, weights_version

META_NAME = "adapter.json"
WEIGHTS_NAME = "adapter_model.safetensors"
TRAIN_HINT = "train one with `artscope train vlm -c COLLECTION --base hf:MODEL --task aesthetics|qa`"
Task = Literal["aesthetics", "qa"]


class LevelPrompt(BaseModel):
    """A question whose answer opens with ``answer_prefix`` and goes on with a level word."""

    question: str
    answer_prefix: str


class LevelScoring(BaseModel):
    """How a scoring adapter turns its next-token probabilities into scores."""

    total: LevelPrompt
    dimensions: dict[str, LevelPrompt] = Field(default_factory=dict)
    """Dimension key (``composition``...) -> its question, for the dimensions the adapter learned."""
    levels: list[str]
    """The level words, best first."""
    level_scores: list[float]
    """The score each level word stands for."""
    scale: tuple[float, float]
    """The range of ``level_scores``: the expected score maps linearly onto 0–100 over it."""


class AdapterMeta(BaseModel):
    """What ``adapter.json`` holds."""

    kind: str
    """The folder's name under ``heads/``: ``vlm-aesthetics`` or ``vlm-qa``."""
    task: Task
    base: str
    """The base model's spec (``hf:ID_OR_FOLDER``): loaded again, from disk only, to use the adapter."""
    base_type: str
    """The base model's ``model_type`` (``qwen2_vl``, ``llava``...), checked when the adapter loads."""
    trust_remote_code: bool = False
    """Whether the base model runs code from its own folder (it then needs the setting to load)."""
    data: dict[str, Any] = Field(default_factory=dict)
    """Where the examples came from, and how many trained and were held out."""
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, float] = Field(default_factory=dict)
    """Held-out metrics: SRCC, PLCC, EMD for scores; exact match and token-F1 for answers."""
    training: dict[str, Any] = Field(default_factory=dict)
    """Steps, seconds, device, precision, and the mean loss of the first and the last epoch."""
    scoring: LevelScoring | None = None
    version: str = ""
    """The first 12 hex digits of the adapter weights' SHA-256."""
    created_at: str = ""


def adapter_kind(task: Task) -> str:
    """The folder name under ``heads/`` of a task's adapter."""
    return f"vlm-{task}"


def save_adapter(directory: Path, write_weights: Callable[[Path], None], meta: AdapterMeta) -> AdapterMeta:
    """Write an adapter folder (replacing any previous one whole): ``write_weights(folder)`` writes the
    peft files, then the metadata is completed (version, date) and written beside them."""
    with replacing(Path(directory)) as staging:
        write_weights(staging)
        meta = meta.model_copy(update={"version": weights_version((staging / WEIGHTS_NAME).read_bytes()),
                                       "created_at": datetime.now(UTC).isoformat(timespec="seconds")})
        (staging / META_NAME).write_text(meta.model_dump_json(indent=2), encoding="utf-8")
    return meta


def read_adapter(directory: Path) -> AdapterMeta:
    """An adapter folder's metadata; ``HeadNotTrainedError`` saying how to train one when it is not there."""
    directory = Path(directory)
    path = directory / META_NAME
    if not path.is_file() or not (directory / WEIGHTS_NAME).is_file():
        raise HeadNotTrainedError(f"{directory} holds no fine-tuned adapter ({META_NAME} and {WEIGHTS_NAME}); "
                                  f"{TRAIN_HINT}.")
    try:
        return AdapterMeta.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, json.JSONDecodeError) as exc:
        raise HeadNotTrainedError(f"The adapter in {directory} is damaged ({exc}); {TRAIN_HINT}.") from exc


def adapter_stamp(directory: Path) -> int | None:
    """Changes whenever the adapter in ``directory`` is replaced (None when there is none): a cache key."""
    try:
        return (Path(directory) / META_NAME).stat().st_mtime_ns
    except OSError:
        return None
