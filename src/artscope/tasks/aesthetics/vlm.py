"""Vision-language backends for the total score.

* ``hf:<id or folder>``: Q-Align-style scoring with any Hugging Face image-text-to-text model. The
  prompt asks "How would you rate the aesthetics of this image?" and the answer is primed with "The
  aesthetics of the image is"; the softmax over the next-token logits of the five level words
  (excellent, good, fair, poor, bad) weights their scores 5..1, and the expectation maps to 0–100.
* ``adapter:<folder>``: a model fine-tuned by ``artscope train vlm --task aesthetics`` (its base model
  with the LoRA adapter in ``heads/vlm-aesthetics``), asked the questions it was trained on: the total,
  and each dimension it learned (ArtiMuse's aspects) in the same level words.
* ``artimuse:<folder>``: an ArtiMuse checkpoint (InternVL-based) through ArtiMuse's own model code,
  which must be installed (its repository's ``src/`` on the path). Its Token-As-Score head gives
  probabilities over the integers 0..100; the total is their expectation.

Weights are only ever read from disk (a local folder, or a hub id already in the Hugging Face cache);
anything else fails at once with ``ModelNotFoundError``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from artscope.embedders.registry import parse_spec
from artscope.embedders.torch_common import (
    load_pretrained,
    locate_model,
    model_dtype,
    require_transformers,
    resolve_device,
)
from artscope.errors import ModelNotFoundError
from artscope.registry import Registry
from artscope.tasks.aesthetics.evaluation import rebin
from artscope.tasks.aesthetics.result import HeadInfo
from artscope.vlm.inference import next_token_probabilities
from artscope.vlm.loading import Vlm, cached_vlm, trusted_code
from artscope.vlm.prompting import (
    ANSWER_PREFIX,
    LEVEL_SCORES,
    LEVELS,
    QUESTION,
    expected_level,
    level_token_ids,
    prompt,
)
from artscope.vlm.store import LevelPrompt, LevelScoring, adapter_stamp

log = logging.getLogger(__name__)

ARTIMUSE_SIZE = 448
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
Q_ALIGN = LevelScoring(total=LevelPrompt(question=QUESTION, answer_prefix=ANSWER_PREFIX), levels=list(LEVELS),
                       level_scores=list(LEVEL_SCORES), scale=(1.0, 5.0))
"""Q-Align's question, answer opening and level words, as an untrained model is asked."""


@dataclass
class VlmScore:
    """What a VLM says about one image."""

    backend: str
    method: str
    total: float
    """0–100."""
    distribution: list[float]
    """Over the scores 1..10."""
    level_probabilities: dict[str, float]
    dimensions: dict[str, float] = field(default_factory=dict)
    """0–100, for the dimensions a fine-tuned adapter learned."""
    head: HeadInfo | None = None
    """The fine-tuned adapter, when the model was fitted to human scores."""


def _result(
    backend: str,
    method: str,
    probabilities: np.ndarray,
    levels: Sequence[float],
    scale: tuple[float, float],
    names: Sequence[str],
) -> VlmScore:
    distribution = rebin(probabilities, levels, scale)
    total = 100 * (float(probabilities @ np.asarray(levels)) - scale[0]) / (scale[1] - scale[0])
    return VlmScore(
        backend,
        method,
        round(total, 3),
        distribution.tolist(),
        {name: float(p) for name, p in zip(names, probabilities, strict=True)},
    )


class LevelScorer:
    """Level-word scoring with a transformers image-text-to-text model, untrained (``hf:``, Q-Align's
    prompt) or fine-tuned (``adapter:``, the prompts it learned)."""

    def __init__(self, spec: str, arg: str, device: str | None = None) -> None:
        self.vlm: Vlm = cached_vlm(spec, device)
        self.spec = spec
        adapter = self.vlm.adapter
        self.scoring = adapter.scoring if adapter is not None and adapter.scoring is not None else Q_ALIGN
        self.token_ids = level_token_ids(self.vlm.tokenizer, self.scoring.levels)
        self.head = None if adapter is None else HeadInfo(
            name=f"{adapter.kind}@{adapter.version}", data_source=str(adapter.data.get("source", "")),
            trained_at=adapter.created_at, dimensions=list(self.scoring.dimensions))

    def prompt(self, question: LevelPrompt | None = None) -> str:
        """The chat-formatted question and the answer's opening words (USER/ASSISTANT if no template)."""
        question = question or self.scoring.total
        return prompt(self.vlm.processor, question.question) + question.answer_prefix

    def score(self, image: Image.Image) -> VlmScore:
        """One forward pass per question; the level words' probabilities at the answer's next token."""
        asked = [self.scoring.total, *self.scoring.dimensions.values()]
        probabilities = next_token_probabilities(self.vlm, [image.convert("RGB")] * len(asked),
                                                 [q.question for q in asked], [q.answer_prefix for q in asked],
                                                 self.token_ids)
        scores, (low, high) = np.asarray(self.scoring.level_scores), self.scoring.scale
        result = _result(self.spec, "Q-Align level words", probabilities[0], scores, (low, high),
                         self.scoring.levels)
        result.dimensions = {key: round(100 * (float(p @ scores) - low) / (high - low), 2)
                             for key, p in zip(self.scoring.dimensions, probabilities[1:], strict=True)}
        result.head = self.head
        return result


def artimuse_pixels(image: Image.Image) -> torch.Tensor:
    """ArtiMuse's preprocessing: RGB, 448×448 bicubic (aspect not kept), ImageNet mean/std, one tile."""
    resized = image.convert("RGB").resize((ARTIMUSE_SIZE, ARTIMUSE_SIZE), Image.Resampling.BICUBIC)
    pixels = (np.asarray(resized, dtype=np.float32) / 255.0 - IMAGENET_MEAN) / IMAGENET_STD
    return torch.from_numpy(pixels.transpose(2, 0, 1).copy()).unsqueeze(0).float()


class ArtiMuseScorer:
    """An ArtiMuse checkpoint through ArtiMuse's own ``InternVLChatModel`` and ``score`` method."""

    def __init__(self, spec: str, arg: str, device: str | None = None) -> None:
        folder = locate_model(spec, arg)
        require_transformers(spec, "hf")
        try:
            from artimuse.internvl.model.internvl_chat.aes_tokens import AESTHETICS_TOKEN_LIST
            from artimuse.internvl.model.internvl_chat.modeling_artimuse import InternVLChatModel
        except ImportError as exc:
            raise ModelNotFoundError(
                f"{spec!r}: ArtiMuse checkpoints load through ArtiMuse's own model code, which is not "
                "installed "
                f"({exc}). Install its repository (`pip install -e ArtiMuse` in a clone of "
                "github.com/thunderbolt215/ArtiMuse, or put its src/ on PYTHONPATH), then retry."
            ) from exc
        from transformers import AutoTokenizer

        self.spec, self.device = spec, resolve_device(device)
        self.dtype = model_dtype(self.device)
        model = load_pretrained(
            InternVLChatModel.from_pretrained,
            folder,
            spec,
            torch_dtype=self.dtype,
            low_cpu_mem_usage=True,
            use_flash_attn=self.device.type == "cuda",
        )
        self.model = model.eval().to(self.device)
        self.tokenizer = load_pretrained(
            AutoTokenizer.from_pretrained, folder, spec, trust_remote_code=trusted_code(folder, spec), use_fast=False
        )
        self.token_ids = [self.tokenizer.convert_tokens_to_ids(t) for t in AESTHETICS_TOKEN_LIST]

    def score(self, image: Image.Image) -> VlmScore:
        """The checkpoint's own ``score``, keeping the probabilities of its 101 score tokens."""
        captured: dict[str, torch.Tensor] = {}
        forward = self.model.generate_logits

        def keep_logits(*args: Any, **kwargs: Any) -> Any:  # the score method only returns the expectation
            out = forward(*args, **kwargs)
            captured["logits"] = out.logits
            return out

        self.model.generate_logits = keep_logits
        try:
            config = {"max_new_tokens": 8, "do_sample": False, "pad_token_id": self.tokenizer.eos_token_id}
            self.model.score(
                self.device, self.tokenizer, artimuse_pixels(image).to(self.device, self.dtype), config
            )
        finally:
            self.model.generate_logits = forward
        levels = [float(v) for v in range(101)]
        probabilities, _ = expected_level(captured["logits"][0, -1].cpu(), self.token_ids, levels)
        return _result(
            self.spec,
            "ArtiMuse Token-As-Score",
            probabilities,
            levels,
            (0.0, 100.0),
            [str(v) for v in range(101)],
        )


vlm_backends: Registry[Callable[..., Any]] = Registry("aesthetics VLM backend")
vlm_backends.register("hf")(LevelScorer)
vlm_backends.register("adapter")(LevelScorer)
vlm_backends.register("artimuse")(ArtiMuseScorer)


def vlm_scorer(spec: str, device: str | None = None) -> LevelScorer | ArtiMuseScorer:
    """The scorer a spec names (``hf:ID_OR_FOLDER``, ``adapter:FOLDER`` or ``artimuse:FOLDER``), loaded
    once per process (and again when an adapter has been retrained since)."""
    backend, arg = parse_spec(spec)
    stamp = adapter_stamp(Path(arg).expanduser()) if backend == "adapter" else None
    return _scorer(f"{backend}:{arg}", device, stamp)


@functools.lru_cache(maxsize=2)
def _scorer(spec: str, device: str | None, stamp: int | None) -> LevelScorer | ArtiMuseScorer:
    backend, arg = parse_spec(spec)
    return vlm_backends.get(backend)(spec, arg, device)


def score_with_vlm(spec: str, image: Image.Image) -> VlmScore:
    """Total and distribution of one image from a vision-language model."""
    return vlm_scorer(spec).score(image)
