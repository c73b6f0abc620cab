"""The words a vision-language model reads and writes: one turn of conversation about one image, and the
level words of Q-Align-style scoring.

A turn is built with the processor's own chat template where it has one (Qwen2-VL, LLaVA-NeXT, SmolVLM,
InternVL...), as the bare question for processors that frame it themselves (PaliGemma's ``suffix``), else
as ``USER: <image>\\n{question}\\nASSISTANT: ``. Training and inference use the same
split of that text: the *prompt* (everything the model is given, up to and including the space or new
line the template puts before an answer) and the *target* (the answer and whatever the template closes
the turn with, plus the end-of-sequence token when the template has none), so a score read after
``prompt + "The aesthetics of the image is"`` sees exactly the tokens the model was trained on.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from artscope.errors import InvalidInputError

LEVELS: tuple[str, ...] = ("excellent", "good", "fair", "poor", "bad")
LEVEL_SCORES: tuple[float, ...] = (5.0, 4.0, 3.0, 2.0, 1.0)
"""Q-Align's anchors: the level words stand for 5..1."""
QUESTION = "How would you rate the aesthetics of this image?"
ANSWER_PREFIX = "The aesthetics of the image is"


@dataclass(frozen=True)
class Turn:
    """One question about one image and its answer, split where the model starts answering."""

    prompt: str
    target: str


def _rendered(processor: Any, question: str, answer: str | None) -> str:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]}
    ]
    if answer is None:
        return processor.apply_chat_template(messages, add_generation_prompt=True)
    messages.append({"role": "assistant", "content": [{"type": "text", "text": answer}]})
    return processor.apply_chat_template(messages)


def image_token(processor: Any) -> str:
    """The placeholder the processor expands into image tokens (``<image>`` when it names none)."""
    return getattr(processor, "image_token", None) or "<image>"


def takes_suffix(processor: Any) -> bool:
    """Whether the processor builds the answer part itself from a ``suffix`` (PaliGemma's prefix-LM: the
    prompt attends both ways, the answer causally, and the processor adds the separator and the end)."""
    try:
        return "suffix" in inspect.signature(processor.__call__).parameters
    except (TypeError, ValueError):
        return False


def turn(processor: Any, question: str, answer: str) -> Turn:
    """The prompt and the target of one answered question (see the module docstring)."""
    if takes_suffix(processor):
        return Turn(image_token(processor) + question, answer)
    tokenizer = getattr(processor, "tokenizer", processor)
    eos = tokenizer.eos_token or ""
    if getattr(processor, "chat_template", None):
        opening = _rendered(processor, question, None)
        full = _rendered(processor, question, answer)
        start = full.find(answer, len(opening)) if full.startswith(opening) else -1
        if start >= 0 and full[len(opening) : start].strip() == "":
            target = full[start:]
            return Turn(full[:start], target if eos and eos in target else target + eos)
        joiner = "" if opening[-1:].isspace() else " "
        return Turn(opening + joiner, answer + eos)
    return Turn(f"USER: {image_token(processor)}\n{question}\nASSISTANT: ", answer + eos)


def prompt(processor: Any, question: str) -> str:
    """What the model is given before it answers ``question`` about an image."""
    return turn(processor, question, ANSWER_PREFIX).prompt


# -- Q-Align level words --------------------------------------------------------------------------
def level_of(score: float, scale: tuple[float, float], words: Sequence[str] = LEVELS) -> str:
    """The level word of a score: the scale cut into equal intervals, best level first in ``words``
    (Q-Align: ``l_i`` when ``m + (i-1)(M-m)/5 < s <= m + i(M-m)/5``)."""
    low, high = scale
    position = (min(max(score, low), high) - low) / (high - low) * len(words)
    index = min(int(np.ceil(position)) - 1, len(words) - 1) if position > 0 else 0
    return words[len(words) - 1 - index]


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
    tokens that decode to nothing but whitespace (a lone SentencePiece "▁") are skipped. Two words that
    start with the same token cannot be told apart and are refused.
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
    if len(set(ids)) < len(ids):
        raise InvalidInputError(
            f"The level words {', '.join(words)} start with the same token in this model's vocabulary, "
            "so their probabilities cannot be told apart; choose level words that begin differently."
        )
    return ids
