"""The bundled MiniLM on ONNX Runtime for single texts: the query path of every text search.

A search embeds one short text. In torch that costs about 12 ms of CPU on one thread, most of it the
Python around the transformer's small matrix products; ONNX Runtime runs the same graph in about 4 ms
and releases the GIL while it does, so concurrent requests get on with their own Python meanwhile
(``python benchmarks/embed_builtin.py --text`` measures both). Batches stay in torch: there ONNX
Runtime is no faster (52 passages in 1.5 s either way, measured on 2 cores).

The graph (the transformer, mean pooling over the attention mask, L2 normalisation) is exported from
the loaded sentence-transformers model with ``torch.onnx.export`` the first time (about 2 s) and kept
in the cache folder (``ARTSCOPE_CACHE_DIR``), named after the weights file and the torch version.
Texts are tokenised by the sentence-transformers model itself, so truncation and special tokens are
its own. Each process checks its graph once against torch on a probe sentence and refuses a graph
that disagrees, so a broken export or cache file cannot change the vectors.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from artscope.config import cache_folder
from artscope.errors import ArtscopeError, DependencyMissingError

log = logging.getLogger(__name__)

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17
PROBE = "A probe sentence, long enough to cover a few word pieces: Cafe Terrace at Night, 1888."
MAX_PROBE_DIFFERENCE = 1e-4
"""Largest coordinate difference allowed between the graph's and torch's vector of the probe (the
export agrees to about 1e-7)."""

_encoders: dict[str, OnnxQueryEncoder] = {}
_lock = threading.Lock()


class OnnxQueryEncoder:
    """One text at a time through the exported graph, on one thread."""

    def __init__(self, model: Any, session: Any) -> None:
        self.model = model
        self.session = session

    def encode_one(self, text: str) -> np.ndarray:
        """[dim] float32, L2-normalised: the vector sentence-transformers gives ``text``."""
        features = self.model.preprocess([text])
        inputs = {name: np.asarray(features[name], dtype=np.int64) for name in INPUTS}
        return np.asarray(self.session.run(None, inputs)[0][0], dtype=np.float32)


def onnx_query_encoder(model: Any, weights: Path) -> OnnxQueryEncoder:
    """The process-wide ONNX Runtime encoder of the sentence-transformers ``model`` (a BERT model with
    mean pooling and normalisation) whose weights are the file ``weights``."""
    key = str(weights)
    with _lock:
        if key not in _encoders:
            encoder = OnnxQueryEncoder(model, _session(model, weights))
            _check(encoder, model)
            _encoders[key] = encoder
    return _encoders[key]


def cached_graph_path(weights: Path) -> Path:
    """Where the graph of ``weights`` is kept: named after the file's size and time and torch's version,
    so new weights or a new exporter make a new graph."""
    import torch

    stat = weights.stat()
    digest = hashlib.sha256(f"{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{torch.__version__}|{OPSET}"
                            .encode()).hexdigest()[:16]
    return cache_folder() / f"{weights.parent.name}-query-{digest}.onnx"


def _session(model: Any, weights: Path) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    path = cached_graph_path(weights)
    if path.is_file():
        try:
            return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # ONNX Runtime raises its own types; any unreadable file is replaced
            log.warning("the cached query graph %s could not be read (%s): exporting it again", path, exc)
    graph = _export(model)
    part: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part", delete=False) as file:
            part = Path(file.name)
            file.write(graph)
        os.replace(part, path)
    except OSError as exc:
        if part is not None:
            part.unlink(missing_ok=True)  # a full disk leaves no half-written graph behind
        log.warning("could not keep the query graph in %s (%s): it is exported again by the next process",
                    path.parent, exc)
    return ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])


def _export(model: Any) -> bytes:
    """The model's transformer, mean pooling and normalisation as an ONNX graph (dynamic batch and length)."""
    import torch

    try:
        import onnx  # noqa: F401 - torch.onnx.export writes through it
    except ImportError as exc:
        raise DependencyMissingError("Exporting the text model's query graph needs the package onnx, which is "
                                     "not installed: run `pip install onnx`.") from exc

    class Graph(torch.nn.Module):
        def __init__(self, transformer: torch.nn.Module) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            tokens = self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                      token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    features = model.preprocess([PROBE])
    example = tuple(features[name].cpu() for name in INPUTS)
    graph = io.BytesIO()
    log.info("exporting the text model's query graph to ONNX (once; about 2 s)")
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notices
        torch.onnx.export(Graph(model[0].auto_model.eval()), example, graph, input_names=list(INPUTS),
                          output_names=["vector"], opset_version=OPSET, dynamo=False,
                          dynamic_axes={**{name: {0: "batch", 1: "length"} for name in INPUTS},
                                        "vector": {0: "batch"}})
    return graph.getvalue()


def _check(encoder: OnnxQueryEncoder, model: Any) -> None:
    expected = model.encode([PROBE], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)[0]
    difference = float(np.abs(encoder.encode_one(PROBE) - expected).max())
    if difference > MAX_PROBE_DIFFERENCE:
        raise ArtscopeError(f"The text model's ONNX query graph gives other vectors than torch (difference "
                            f"{difference:.2g}); delete {cache_folder()} and try again.")
