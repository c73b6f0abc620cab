"""Training examples and their tensors: the model's inputs for a batch of (image, prompt, target), with
labels that score only the target's tokens.

The processor is called on whole batches, so each model family pads, tiles and counts its image
tokens its own way (Qwen2-VL's patch grids, LLaVA-NeXT's tiles, SmolVLM's splits). A second call on the
prompts alone gives each row's prompt length; those positions, and the padding, get label -100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from artscope.embedders.torch_common import to_device
from artscope.media.images import load_image
from artscope.vlm.prompting import Turn, takes_suffix

IGNORE_INDEX = -100


@dataclass(frozen=True)
class Example:
    """One image, a question about it and the answer to learn, and the split it belongs to."""

    key: str
    image: str | Path
    question: str
    answer: str
    split: str = "train"
    kind: str = ""
    """What the example teaches (``score``, ``dimension:composition``, ``description``, ``artist``...)."""


def read_images(paths: Sequence[str | Path]) -> list[Image.Image]:
    """The images, loaded safely (pixel caps, EXIF orientation) as RGB."""
    return [load_image(path).convert("RGB") for path in paths]


def _batch(processor: Any, images: Sequence[Image.Image], texts: Sequence[str], **kwargs: Any) -> Any:
    return processor(images=[[image] for image in images], text=list(texts), padding=True,
                     return_tensors="pt", **kwargs)


def encode(processor: Any, images: Sequence[Image.Image], turns: Sequence[Turn]) -> dict[str, Any]:
    """Model inputs for answered turns, with ``labels`` on the target tokens only."""
    if takes_suffix(processor):
        return dict(_batch(processor, images, [t.prompt for t in turns], suffix=[t.target for t in turns]))
    inputs = _batch(processor, images, [t.prompt + t.target for t in turns])
    prompts = _batch(processor, images, [t.prompt for t in turns])
    prompt_lengths = prompts["attention_mask"].sum(dim=1)
    mask = inputs["attention_mask"].bool()
    # Position of each real token among its row's real tokens (padding may sit on either side).
    order = torch.cumsum(mask.long(), dim=1) - 1
    is_target = mask & (order >= prompt_lengths[:, None])
    labels = torch.where(is_target, inputs["input_ids"], torch.full_like(inputs["input_ids"], IGNORE_INDEX))
    return {**inputs, "labels": labels}


def encode_openings(processor: Any, images: Sequence[Image.Image], prompts: Sequence[str],
                    openings: Sequence[str]) -> dict[str, Any]:
    """Model inputs whose last position predicts the token after each prompt's answer ``opening`` (pad on
    the left). A processor that takes a ``suffix`` gets the opening as the answer part, without the end
    token it appends, so the opening is read exactly as it was trained."""
    if takes_suffix(processor) and any(openings):
        batch = dict(_batch(processor, images, list(prompts), suffix=list(openings)))
        batch.pop("labels", None)
        return {k: v[:, :-1] if isinstance(v, torch.Tensor) and v.dim() == 2 else v for k, v in batch.items()}
    return dict(_batch(processor, images, [p + o for p, o in zip(prompts, openings, strict=True)]))


def model_inputs(batch: dict[str, Any], device: torch.device, dtype: torch.dtype) -> dict[str, Any]:
    """A batch moved to the model: floating tensors (pixels) also take the model's dtype."""
    return to_device(batch, device, dtype)
