"""What a loaded vision-language model says about images: the probabilities of level words at the next
token (Q-Align-style scoring), and greedy answers to questions with the probability the model gave them.

Batches are padded on the left, so every row's next token is predicted at the last position.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from artscope.vlm.batches import encode_openings, model_inputs
from artscope.vlm.loading import Vlm
from artscope.vlm.prompting import prompt

DEFAULT_MAX_NEW_TOKENS = 32


@dataclass(frozen=True)
class Generated:
    """A generated answer and the probability of that exact sequence under the model."""

    text: str
    probability: float


@contextmanager
def left_padding(vlm: Vlm) -> Iterator[None]:
    """Pad on the left for the duration (the tokenizer's own side is restored after)."""
    tokenizer = vlm.tokenizer
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    try:
        yield
    finally:
        tokenizer.padding_side = side


@torch.inference_mode()
def next_token_probabilities(vlm: Vlm, images: Sequence[Image.Image], questions: Sequence[str],
                             openings: Sequence[str], token_ids: Sequence[int]) -> np.ndarray:
    """[N, len(token_ids)]: the softmax over just those tokens' logits where each answer goes on after
    its opening words (``"The aesthetics of the image is"``), for each question about its image."""
    prompts = [prompt(vlm.processor, question) for question in questions]
    with left_padding(vlm):
        inputs = model_inputs(encode_openings(vlm.processor, images, prompts, openings), vlm.device, vlm.dtype)
        logits = vlm.model(**inputs).logits[:, -1, list(token_ids)]
    return torch.softmax(logits.float(), dim=-1).cpu().numpy().astype(np.float64)


@torch.inference_mode()
def answer(vlm: Vlm, images: Sequence[Image.Image], questions: Sequence[str],
           max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS) -> list[Generated]:
    """Greedy answers to one question per image, each with its sequence probability."""
    texts = [prompt(vlm.processor, question) for question in questions]
    with left_padding(vlm):
        inputs = model_inputs(encode_openings(vlm.processor, images, texts, [""] * len(texts)), vlm.device,
                              vlm.dtype)
        output = vlm.model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
                                    output_scores=True, return_dict_in_generate=True,
                                    pad_token_id=vlm.tokenizer.pad_token_id)
    new_tokens = output.sequences[:, inputs["input_ids"].shape[1]:]
    log_probs = torch.stack([torch.log_softmax(s.float(), dim=-1) for s in output.scores], dim=1)
    chosen = log_probs.gather(2, new_tokens[:, : log_probs.shape[1], None]).squeeze(2)
    stops = set(_stop_ids(vlm))
    results = []
    for row, tokens in enumerate(new_tokens.tolist()):
        length = next((i + 1 for i, t in enumerate(tokens) if t in stops), len(tokens))
        text = vlm.tokenizer.decode(tokens[:length], skip_special_tokens=True).strip()
        results.append(Generated(text, float(torch.exp(chosen[row, :length].sum()))))
    return results


def _stop_ids(vlm: Vlm) -> list[int]:
    """The tokens that end an answer: the tokenizer's end of sequence and the generation config's."""
    ids = [vlm.tokenizer.eos_token_id, vlm.tokenizer.pad_token_id]
    configured = getattr(getattr(vlm.model, "generation_config", None), "eos_token_id", None)
    ids.extend(configured if isinstance(configured, list) else [configured])
    return [i for i in ids if i is not None]
