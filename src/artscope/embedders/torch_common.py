"""What the neural backends (``hf``, ``colpali``, ``open_clip``) share: device and dtype choice,
batching, finding weights on disk without touching the network, and pooling patch tokens to a
fixed grid so that every image stores the same number of token vectors.

Nothing here imports transformers at import time: a spec that names missing weights must fail in
well under a second, before the multi-second import of a model library.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import torch
from PIL import Image

from artscope.embedders.base import EmbedderInfo, ImageEmbeddings
from artscope.errors import InvalidInputError, ModelNotFoundError

T = TypeVar("T")

TOKEN_GRID: tuple[int, int] = (4, 4)
"""Cells (rows, columns) that an image's patch tokens are averaged into: 16 token vectors an image,
inside the 32-token storage budget. CLIP B/32 sees a 7x7 patch grid, so a finer grid would mostly
repeat overlapping patches."""

MODEL_FILE = "config.json"
"""The file every saved transformers model has; its presence in the cache marks a downloaded model."""


def resolve_device(device: str | None) -> torch.device:
    """``None`` -> CUDA when torch sees a GPU, else CPU; a named device must exist."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise InvalidInputError(f"Unknown device {device!r}; use 'cpu', 'cuda' or 'cuda:N'.") from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise InvalidInputError(
            f"Device {device!r} was asked for but torch sees no CUDA GPU; use device='cpu' "
            f"(or leave it unset to pick the best available)."
        )
    return resolved


def model_dtype(device: torch.device) -> torch.dtype:
    """bf16 on GPUs (several times the throughput, same rankings); fp32 on CPU.

    On a CPU bf16 speed depends on the chip, and fp32 keeps CPU vectors exact and reproducible.
    """
    return torch.bfloat16 if device.type == "cuda" else torch.float32


def batch_size_for(device: torch.device) -> int:
    """Images or texts per forward pass: small on CPU (memory, latency), large on a GPU."""
    return 64 if device.type == "cuda" else 16


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def to_device(inputs: Mapping[str, Any], device: torch.device, dtype: torch.dtype) -> dict[str, Any]:
    """Move a processor's output to the model: floating tensors also take the model's dtype."""
    moved: dict[str, Any] = {}
    for key, value in inputs.items():
        if isinstance(value, torch.Tensor):
            value = value.to(device, dtype) if value.is_floating_point() else value.to(device)
        moved[key] = value
    return moved


def to_numpy(x: torch.Tensor) -> np.ndarray:
    """float32 numpy on the host, whatever the device and dtype."""
    return x.detach().to(device="cpu", dtype=torch.float32).numpy()


def _looks_like_path(arg: str) -> bool:
    # A hub id is ``name`` or ``owner/name``; anything else with separators is meant as a folder.
    explicit = Path(arg).expanduser().is_absolute() or arg.startswith((".", "~"))
    return explicit or arg.count("/") > 1 or "\\" in arg


def not_downloaded(spec: str, repo_id: str, by_path: str, filename: str = "") -> str:
    """The message for weights that are not on this machine: how to bring them over.

    ``by_path`` is the spec that names the copied files by path, e.g. ``hf:/path/to/folder``.
    """
    command = " ".join(part for part in ("hf download", repo_id, filename) if part)
    return (
        f"Model {repo_id!r} (embedder {spec!r}) is not on this machine, and artscope never downloads "
        f"weights while loading. On a machine with network access run `{command}`, then either copy "
        f"its Hugging Face cache here and point HF_HOME (or HF_HUB_CACHE) at it before starting "
        f"artscope, or copy the downloaded files here and use {by_path!r}."
    )


def locate_model(spec: str, arg: str, marker: str = MODEL_FILE) -> Path:
    """The folder holding the model that ``arg`` names: a local folder, or a hub id's cached snapshot.

    Only the local disk is looked at, so a model that is not there fails at once with
    :class:`ModelNotFoundError` instead of waiting on network retries. ``marker`` is the file a
    downloaded snapshot of this kind of model always has.
    """
    from huggingface_hub import try_to_load_from_cache
    from huggingface_hub.errors import HFValidationError

    if not arg:
        raise ModelNotFoundError(
            f"Embedder {spec!r} names no model; give a Hugging Face id or a local folder, e.g. "
            f"'{spec.rstrip(':')}:/path/to/model'."
        )
    path = Path(arg).expanduser()
    if path.is_dir():
        return path
    if path.exists():
        raise ModelNotFoundError(
            f"{path} (embedder {spec!r}) is a file; name the model folder that holds {marker} instead."
        )
    if _looks_like_path(arg):
        raise ModelNotFoundError(
            f"No model folder at {path} (embedder {spec!r}). Pass the folder a model was saved to "
            f"(it holds {marker} and the weights), or a Hugging Face id that is in the local cache."
        )
    try:
        cached = try_to_load_from_cache(arg, marker)
    except (HFValidationError, ValueError) as exc:
        raise ModelNotFoundError(
            f"{arg!r} (embedder {spec!r}) is neither a model folder nor a valid Hugging Face model id."
        ) from exc
    if not isinstance(cached, str):
        raise ModelNotFoundError(not_downloaded(spec, arg, f"{spec.partition(':')[0]}:/path/to/folder"))
    return Path(cached).parent


def require_transformers(spec: str, extra: str) -> None:
    """Fail with the install command unless transformers 5 (PIL processors, feature outputs) is present."""
    try:
        import transformers
    except ImportError as exc:
        raise ModelNotFoundError(
            f"Embedder {spec!r} needs transformers: `pip install 'artscope[{extra}]'`."
        ) from exc
    if int(transformers.__version__.split(".")[0]) < 5:
        raise ModelNotFoundError(
            f"Embedder {spec!r} needs transformers 5 or newer (found {transformers.__version__}): "
            f"`pip install -U 'transformers>=5'`."
        )


def image_backend() -> str | None:
    """The image-processor backend to ask for: transformers' PIL processors when torchvision is absent.

    transformers would fall back to them anyway; naming them skips its fallback warning on every load.
    """
    from transformers.utils import is_torchvision_available

    return None if is_torchvision_available() else "pil"


def load_pretrained(loader: Callable[..., T], folder: Path, spec: str, **kwargs: Any) -> T:
    """``loader(folder, local_files_only=True, **kwargs)``, with unreadable weights as ModelNotFoundError."""
    try:
        return loader(str(folder), local_files_only=True, **kwargs)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelNotFoundError(
            f"Could not load embedder {spec!r} from {folder}: {exc}. The folder must hold a complete "
            f"model as `save_pretrained` writes it (config.json, weights, processor and tokenizer "
            f"files); download it again with `hf download` on a machine with network access."
        ) from exc


def grid_pool(states: torch.Tensor, is_patch: torch.Tensor, grid_hw: torch.Tensor,
              cells: tuple[int, int] = TOKEN_GRID) -> torch.Tensor:
    """Average each image's patch states over a fixed grid of cells, all images at once.

    ``states`` [B, L, D]; ``is_patch`` [B, L] marks the positions holding the image's patches in
    row-major order (other positions, such as CLS or prompt tokens, are ignored); ``grid_hw`` [B, 2]
    is each image's patch grid (rows, columns). Returns [B, rows * columns, D] in float32.

    Cell (i, j) covers patch rows floor(i*h/rows) .. ceil((i+1)*h/rows) - 1 and likewise for
    columns, as ``adaptive_avg_pool2d`` does, so no cell is empty even when the patch grid is
    smaller than the cell grid, and grids of different sizes pool in one batched product.
    """
    rows, cols = cells
    index = torch.cumsum(is_patch.long(), dim=1) - 1
    h, w = grid_hw[:, :1].to(index.device), grid_hw[:, 1:].to(index.device)
    patch_row, patch_col = index // w, index % w
    i = torch.arange(rows, device=index.device)
    j = torch.arange(cols, device=index.device)
    row_lo, row_hi = (i * h) // rows, ((i + 1) * h + rows - 1) // rows
    col_lo, col_hi = (j * w) // cols, ((j + 1) * w + cols - 1) // cols
    in_row = (patch_row[:, :, None] >= row_lo[:, None, :]) & (patch_row[:, :, None] < row_hi[:, None, :])
    in_col = (patch_col[:, :, None] >= col_lo[:, None, :]) & (patch_col[:, :, None] < col_hi[:, None, :])
    member = in_row[:, :, :, None] & in_col[:, :, None, :] & is_patch.bool()[:, :, None, None]
    weights = member.flatten(2).float()
    weights = weights / weights.sum(dim=1, keepdim=True).clamp_min(1.0)
    return torch.einsum("blc,bld->bcd", weights, states.float())


class BatchedEmbedder(ABC):
    """The :class:`~artscope.embedders.base.Embedder` protocol over fixed-size batches.

    A backend sets ``info`` and implements one batch of images and one batch of texts; this class
    picks the device and dtype, splits the input, runs without autograd and joins the results.
    """

    info: EmbedderInfo

    def __init__(self, device: str | None) -> None:
        self.device = resolve_device(device)
        self.dtype = model_dtype(self.device)
        self.batch_size = batch_size_for(self.device)

    @abstractmethod
    def _image_batch(self, images: Sequence[Image.Image]) -> tuple[np.ndarray, np.ndarray | None]:
        """Global vectors [n, d] and token vectors [n, t, k] (or None) of one batch, normalised."""

    @abstractmethod
    def _text_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Text vectors [n, d] of one batch, normalised."""

    @torch.inference_mode()
    def embed_images(self, images: list[Image.Image]) -> ImageEmbeddings:
        """Global vectors [N, image_dim]; tokens [N, max_tokens, token_dim] where the backend has them."""
        if not images:
            info = self.info
            tokens = (np.zeros((0, info.max_tokens or 0, info.token_dim), np.float32)
                      if info.token_dim else None)
            return ImageEmbeddings(np.zeros((0, info.image_dim), np.float32), tokens)
        parts = [self._image_batch(batch) for batch in batches(images, self.batch_size)]
        global_vectors = np.concatenate([g for g, _ in parts])
        tokens = [t for _, t in parts if t is not None]
        return ImageEmbeddings(global_vectors, np.concatenate(tokens) if tokens else None)

    @torch.inference_mode()
    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """[N, text_dim], L2-normalised; in the image space when ``info.cross_modal``."""
        if not texts:
            return np.zeros((0, self.info.text_dim), np.float32)
        return np.concatenate([self._text_batch(batch) for batch in batches(texts, self.batch_size)])
