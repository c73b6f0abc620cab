"""Threads of the builtin text encoder: one query on one thread, a batch on every core."""

from __future__ import annotations

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


def test_one_query_runs_on_one_thread_and_a_batch_on_every_core(encoder: TextEncoder) -> None:
    before = torch.get_num_threads()
    assert threads_seen(encoder, ["a red landscape"]) == [1]
    assert torch.get_num_threads() == before  # the caller's count is restored
    assert set(threads_seen(encoder, ["a red landscape", "a stormy sea", "a portrait"])) == {usable_cores()}

