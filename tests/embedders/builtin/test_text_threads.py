"""Threads of the builtin text encoder: one query on one thread, a batch on every core."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from artscope.config import usable_cores
from artscope.embedders.builtin.text import TextEncoder


@pytest.fixture(scope="module")
def encoder() -> TextEncoder:
    return TextEncoder()


def threads_seen(encoder: TextEncoder, texts: list[str]) -> list[int]:
    """torch's thread count inside each forward pass of the model while it encodes ``texts``."""
    seen: list[int] = []
    handle = encoder._model()[0].register_forward_pre_hook(lambda *_: seen.append(torch.get_num_threads()))
    try:
        encoder.encode(texts)
    finally:
        handle.remove()
    return seen


def test_a_batch_runs_on_every_core_and_one_query_of_the_bundled_model_on_onnx_runtime(encoder: TextEncoder
                                                                                        ) -> None:
    assert set(threads_seen(encoder, ["a red landscape", "a stormy sea", "a portrait"])) == {usable_cores()}
    encoder.encode(["a first query"])  # the first one also checks the ONNX graph against torch, once
    assert threads_seen(encoder, ["a red landscape"]) == []  # no torch forward: onnx_query.py, one thread


def test_one_query_of_another_model_runs_on_one_torch_thread(tiny_sentence_model: Path) -> None:
    encoder = TextEncoder(str(tiny_sentence_model), "cpu")
    before = torch.get_num_threads()
    assert threads_seen(encoder, ["a stormy sea"]) == [1]
    assert torch.get_num_threads() == before  # the caller's count is restored
