"""Vision-language backends for the total score.

* ``hf:<id or folder>``: Q-Align-style scoring with any Hugging Face image-text-to-text model. The
  prompt asks "How would you rate the aesthetics of this image?" and the answer is primed with "The
  aesthetics of the image is"; the softmax over the next-token logits of the five level words
  (excellent, good, fair, poor, bad) weights their scores 5..1, and the expectation maps to 0–100.
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
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

from artscope.embedders.registry import parse_spec
from artscope.embedders.torch_common import (
    image_backend,
    load_pretrained,
    locate_model,
    model_dtype,
    require_transformers,
    resolve_device,
    to_device,
)
from artscope.errors import InvalidInputError, ModelNotFoundError
from artscope.registry import Registry
from artscope.tasks.aesthetics.evaluation import rebin

log = logging.getLogger(__name__)

LEVELS: tuple[str, ...] = ("excellent", "good", "fair", "poor", "bad")
LEVEL_SCORES: tuple[float, ...] = (5.0, 4.0, 3.0, 2.0, 1.0)
QUESTION = "How would you rate the aesthetics of this image?"
ANSWER_PREFIX = "The aesthetics of the image is"
ARTIMUSE_SIZE = 448
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


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


def expected_level(
    logits: torch.Tensor, token_ids: Sequence[int], scores: Sequence[float]
) -> tuple[np.ndarray, float]:
    """Softmax over the logits of the level tokens only, and the expected score (Q-Align, ArtiMuse)."""
    probabilities = torch.softmax(logits[list(token_ids)].float(), dim=-1)
    return probabilities.numpy().astype(np.float64), float(
        probabilities @ torch.tensor(scores, dtype=torch.float32)
    )


def level_token_ids(tokenizer: Any, words: Sequence[str] = LEVELS) -> list[int]:
    """The token that starts each level word where it follows "is " in the answer.

    Tried with a leading space first (BPE vocabularies spell " good" as one token), then bare; leading
    tokens that decode to nothing but whitespace (a lone SentencePiece "▁") are skipped.
    """
    ids = []
    for word in words:
        chosen = None
        for variant in (" " + word, word):
            encoded = [
                i
                for i in tokenizer.encode(variant, add_special_tokens=False)
                if tokenizer.decode([i]).strip()
            ]
            if encoded and tokenizer.decode([encoded[0]]).strip() == word:
                chosen = encoded[0]
                break
            chosen = chosen if chosen is not None else (encoded[0] if encoded else None)
        if chosen is None or chosen == getattr(tokenizer, "unk_token_id", None):
            raise InvalidInputError(
                f"The model's tokenizer cannot spell the level word {word!r}; "
                "Q-Align-style scoring needs a vocabulary that has it."
            )
        ids.append(int(chosen))
    return ids


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


class QAlignScorer:
    """Level-word scoring with a transformers image-text-to-text model."""

    def __init__(self, spec: str, arg: str, device: str | None = None) -> None:
        folder = locate_model(spec, arg)
        require_transformers(spec, "hf")
        from transformers import AutoModelForImageTextToText, AutoProcessor

        self.spec, self.device = spec, resolve_device(device)
        self.dtype = model_dtype(self.device)
        self.processor = load_pretrained(AutoProcessor.from_pretrained, folder, spec, backend=image_backend())
        model = load_pretrained(AutoModelForImageTextToText.from_pretrained, folder, spec, dtype=self.dtype)
        self.model = model.to(self.device).eval()
        self.token_ids = level_token_ids(self.processor.tokenizer)

    def prompt(self) -> str:
        """The chat-formatted question and the answer's opening words (USER/ASSISTANT if no template)."""
        if getattr(self.processor, "chat_template", None):
            messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": QUESTION}]}]
            opening = self.processor.apply_chat_template(messages, add_generation_prompt=True)
            return opening + ("" if opening[-1:].isspace() else " ") + ANSWER_PREFIX
        image_token = getattr(self.processor, "image_token", "<image>")
        return f"USER: {image_token}\n{QUESTION}\nASSISTANT: {ANSWER_PREFIX}"

    def score(self, image: Image.Image) -> VlmScore:
        """One forward pass; the level words' probabilities at the answer's next token."""
        inputs = self.processor(images=image, text=self.prompt(), return_tensors="pt")
        with torch.inference_mode():
            logits = self.model(**to_device(inputs, self.device, self.dtype)).logits[0, -1]
        probabilities, _ = expected_level(logits.cpu(), self.token_ids, LEVEL_SCORES)
        return _result(self.spec, "Q-Align level words", probabilities, LEVEL_SCORES, (1.0, 5.0), LEVELS)


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
            AutoTokenizer.from_pretrained, folder, spec, trust_remote_code=True, use_fast=False
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
vlm_backends.register("hf")(QAlignScorer)
vlm_backends.register("artimuse")(ArtiMuseScorer)


@functools.lru_cache(maxsize=2)
def vlm_scorer(spec: str, device: str | None = None) -> QAlignScorer | ArtiMuseScorer:
    """The scorer a spec names (``hf:ID_OR_FOLDER`` or ``artimuse:FOLDER``), loaded once per process."""
    backend, arg = parse_spec(spec)
    return vlm_backends.get(backend)(f"{backend}:{arg}", arg, device)


def score_with_vlm(spec: str, image: Image.Image) -> VlmScore:
    """Total and distribution of one image from a vision-language model."""
    return vlm_scorer(spec).score(image)
